// The Cloud Controller v3 calls the emulator serves: each a method, a path pattern, an operation name (for faults
// and the request log) and a handler answering `{status, body}`.
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { multipartBoundary, parseMultipart } from '../common/multipart.js';
import { badRequest, CfError, unprocessable } from './errors.js';
import type { Foundation } from './foundation.js';
import {
  parseBuildRequest,
  parseCurrentDropletRequest,
  parseDeploymentRequest,
  parseJsonBody,
  parseLabelSelector,
  parseMetadata,
  parsePackageRequest,
} from './messages.js';
import type { Operation } from './operations.js';
import { listFilter, paginate, parseListQuery } from './pagination.js';
import type { Presenter } from './presenters.js';

export interface RouteContext {
  readonly foundation: Foundation;
  readonly presenter: Presenter;
  readonly baseUrl: string;
  readonly url: URL;
  readonly req: IncomingMessage;
  readonly body: Buffer;
  readonly params: readonly string[];
}

export interface RouteAnswer {
  readonly status: number;
  readonly body?: unknown;
}

interface Route {
  readonly method: string;
  readonly pattern: RegExp;
  readonly operation: Operation;
  readonly handle: (ctx: RouteContext) => RouteAnswer;
}

const GUID = '([^/]+)';
/** Keeps the items whose labels fit the request's `label_selector`; all of them without one. */
function byLabels<T extends { metadata: { labels: Readonly<Record<string, string>> } }>(ctx: RouteContext, items: T[]) {
  const selector = parseLabelSelector(ctx.url.searchParams.get('label_selector'));
  return selector === null ? items : items.filter((item) => selector(item.metadata.labels));
}

const ok = (body: unknown): RouteAnswer => ({ status: 200, body });
const created = (body: unknown): RouteAnswer => ({ status: 201, body });

/** Keeps the items whose `value` is in the filter (case-insensitively for names); all of them without the filter. */
function byFilter<T>(items: T[], filter: string[] | undefined, value: (item: T) => string, caseless = false): T[] {
  if (filter === undefined) return items;
  const wanted = new Set(filter.map((f) => (caseless ? f.toLowerCase() : f)));
  return items.filter((item) => wanted.has(caseless ? value(item).toLowerCase() : value(item)));
}

function list<T extends { createdAt: number; updatedAt: number }>(
  ctx: RouteContext,
  items: T[],
  present: (item: T) => unknown,
  orderable?: readonly string[],
  sortKey: (item: T, orderBy: string) => string | number = (item, orderBy) =>
    orderBy === 'updated_at' ? item.updatedAt : item.createdAt,
): RouteAnswer {
  const query = parseListQuery(ctx.url.searchParams, orderable);
  const page = paginate(items, query, sortKey, {
    baseUrl: ctx.baseUrl,
    path: ctx.url.pathname,
    query: ctx.url.searchParams,
  });
  return ok({ pagination: page.pagination, resources: page.resources.map(present) });
}

function presentRevision(ctx: RouteContext, guid: string) {
  const revision = ctx.foundation.get(ctx.foundation.revisions, guid, 'Revision');
  return ctx.presenter.revision(revision, ctx.foundation.droplets.has(revision.dropletGuid));
}

function presentDeployment(ctx: RouteContext, guid: string) {
  const deployment = ctx.foundation.get(ctx.foundation.deployments, guid, 'Deployment');
  return ctx.presenter.deployment(deployment, ctx.foundation.revisions.get(deployment.revisionGuid)?.version);
}

function upload(ctx: RouteContext): RouteAnswer {
  const boundary = multipartBoundary(ctx.req.headers['content-type']);
  if (!boundary) throw badRequest('The upload must be multipart/form-data with a bits (zip) and/or resources field');
  const parts = parseMultipart(ctx.body, boundary);
  const bits = parts.find((p) => p.name === 'bits');
  const resources = parts.find((p) => p.name === 'resources');
  if (!bits && !resources) throw unprocessable('Upload must include either resources or bits');
  if (resources) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(resources.data.toString('utf8'));
    } catch {
      parsed = undefined;
    }
    if (!Array.isArray(parsed)) throw unprocessable('resources must be a JSON list of {path, size_in_bytes, checksum}');
  }
  const hash = createHash('sha256');
  if (bits) hash.update(bits.data);
  if (resources) hash.update(resources.data);
  const pkg = ctx.foundation.upload(ctx.params[0]!, hash.digest('hex'));
  return ok(ctx.presenter.package(pkg));
}

const ROUTES: readonly Route[] = [
  {
    method: 'GET',
    pattern: /^\/v3\/organizations$/,
    operation: 'listOrganizations',
    handle: (ctx) => {
      const q = ctx.url.searchParams;
      const orgs = byFilter([...ctx.foundation.orgs.values()], listFilter(q, 'names'), (o) => o.name);
      return list(
        ctx,
        byFilter(orgs, listFilter(q, 'guids'), (o) => o.guid),
        (o) => ctx.presenter.org(o),
      );
    },
  },
  {
    method: 'GET',
    pattern: /^\/v3\/spaces$/,
    operation: 'listSpaces',
    handle: (ctx) => {
      const q = ctx.url.searchParams;
      let spaces = byFilter([...ctx.foundation.spaces.values()], listFilter(q, 'names'), (s) => s.name);
      spaces = byFilter(spaces, listFilter(q, 'organization_guids'), (s) => s.orgGuid);
      return list(
        ctx,
        byFilter(spaces, listFilter(q, 'guids'), (s) => s.guid),
        (s) => ctx.presenter.space(s),
      );
    },
  },
  {
    method: 'GET',
    pattern: /^\/v3\/apps$/,
    operation: 'listApps',
    handle: (ctx) => {
      const q = ctx.url.searchParams;
      let apps = byFilter([...ctx.foundation.apps.values()], listFilter(q, 'names'), (a) => a.name, true);
      apps = byFilter(apps, listFilter(q, 'space_guids'), (a) => a.spaceGuid);
      return list(
        ctx,
        byFilter(apps, listFilter(q, 'guids'), (a) => a.guid),
        (a) => ctx.presenter.app(a),
      );
    },
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/v3/apps/${GUID}$`),
    operation: 'getApp',
    handle: (ctx) => ok(ctx.presenter.app(ctx.foundation.get(ctx.foundation.apps, ctx.params[0]!, 'App'))),
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/v3/apps/${GUID}/droplets/current$`),
    operation: 'getCurrentDroplet',
    handle: (ctx) => {
      const app = ctx.foundation.get(ctx.foundation.apps, ctx.params[0]!, 'App');
      if (app.currentDropletGuid === null) throw new CfError(404, 10010, 'CF-ResourceNotFound', 'Droplet not found');
      return ok(ctx.presenter.droplet(ctx.foundation.get(ctx.foundation.droplets, app.currentDropletGuid, 'Droplet')));
    },
  },
  {
    method: 'POST',
    pattern: new RegExp(`^/v3/apps/${GUID}/actions/stop$`),
    operation: 'stopApp',
    handle: (ctx) => ok(ctx.presenter.app(ctx.foundation.stopApp(ctx.params[0]!))),
  },
  {
    method: 'PATCH',
    pattern: new RegExp(`^/v3/apps/${GUID}/relationships/current_droplet$`),
    operation: 'setCurrentDroplet',
    handle: (ctx) => {
      const { dropletGuid } = parseCurrentDropletRequest(parseJsonBody(ctx.body));
      const app = ctx.foundation.setCurrentDroplet(ctx.params[0]!, dropletGuid);
      return ok({
        data: { guid: dropletGuid },
        links: {
          self: { href: `${ctx.baseUrl}/v3/apps/${app.guid}/relationships/current_droplet` },
          related: { href: `${ctx.baseUrl}/v3/apps/${app.guid}/droplets/current` },
        },
      });
    },
  },
  {
    method: 'POST',
    pattern: /^\/v3\/packages$/,
    operation: 'createPackage',
    handle: (ctx) => {
      const body = parseJsonBody(ctx.body);
      const { appGuid } = parsePackageRequest(body);
      return created(ctx.presenter.package(ctx.foundation.createPackage(appGuid, parseMetadata(body))));
    },
  },
  {
    method: 'GET',
    pattern: /^\/v3\/packages$/,
    operation: 'listPackages',
    handle: (ctx) => {
      const q = ctx.url.searchParams;
      const packages = byFilter([...ctx.foundation.packages.values()], listFilter(q, 'app_guids'), (p) => p.appGuid);
      return list(ctx, byLabels(ctx, packages), (p) => ctx.presenter.package(p));
    },
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/v3/packages/${GUID}$`),
    operation: 'getPackage',
    handle: (ctx) => ok(ctx.presenter.package(ctx.foundation.get(ctx.foundation.packages, ctx.params[0]!, 'Package'))),
  },
  { method: 'POST', pattern: new RegExp(`^/v3/packages/${GUID}/upload$`), operation: 'uploadPackage', handle: upload },
  {
    method: 'POST',
    pattern: /^\/v3\/builds$/,
    operation: 'createBuild',
    handle: (ctx) => {
      const body = parseJsonBody(ctx.body);
      const { packageGuid } = parseBuildRequest(body);
      return created(ctx.presenter.build(ctx.foundation.createBuild(packageGuid, parseMetadata(body))));
    },
  },
  {
    method: 'GET',
    pattern: /^\/v3\/builds$/,
    operation: 'listBuilds',
    handle: (ctx) => {
      const q = ctx.url.searchParams;
      let builds = byFilter([...ctx.foundation.builds.values()], listFilter(q, 'app_guids'), (b) => b.appGuid);
      builds = byFilter(builds, listFilter(q, 'package_guids'), (b) => b.packageGuid);
      return list(ctx, byLabels(ctx, builds), (b) => ctx.presenter.build(b));
    },
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/v3/builds/${GUID}$`),
    operation: 'getBuild',
    handle: (ctx) => ok(ctx.presenter.build(ctx.foundation.get(ctx.foundation.builds, ctx.params[0]!, 'Build'))),
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/v3/droplets/${GUID}$`),
    operation: 'getDroplet',
    handle: (ctx) => ok(ctx.presenter.droplet(ctx.foundation.get(ctx.foundation.droplets, ctx.params[0]!, 'Droplet'))),
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/v3/apps/${GUID}/revisions$`),
    operation: 'listRevisions',
    handle: (ctx) => {
      ctx.foundation.get(ctx.foundation.apps, ctx.params[0]!, 'App');
      const versions = listFilter(ctx.url.searchParams, 'versions');
      const revisions = byFilter(ctx.foundation.appRevisions(ctx.params[0]!), versions, (r) => String(r.version));
      return list(ctx, revisions, (r) => presentRevision(ctx, r.guid));
    },
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/v3/apps/${GUID}/revisions/deployed$`),
    operation: 'listDeployedRevisions',
    handle: (ctx) => list(ctx, ctx.foundation.deployedRevisions(ctx.params[0]!), (r) => presentRevision(ctx, r.guid)),
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/v3/revisions/${GUID}$`),
    operation: 'getRevision',
    handle: (ctx) => ok(presentRevision(ctx, ctx.params[0]!)),
  },
  {
    method: 'POST',
    pattern: /^\/v3\/deployments$/,
    operation: 'createDeployment',
    handle: (ctx) => {
      const body = parseJsonBody(ctx.body);
      const request = { ...parseDeploymentRequest(body), metadata: parseMetadata(body) };
      const deployment = ctx.foundation.createDeployment(request);
      return created(presentDeployment(ctx, deployment.guid));
    },
  },
  {
    method: 'GET',
    pattern: /^\/v3\/deployments$/,
    operation: 'listDeployments',
    handle: (ctx) => {
      const q = ctx.url.searchParams;
      let deployments = byFilter(
        [...ctx.foundation.deployments.values()],
        listFilter(q, 'app_guids'),
        (d) => d.appGuid,
      );
      deployments = byFilter(deployments, listFilter(q, 'status_values'), (d) => d.progress.value);
      deployments = byFilter(deployments, listFilter(q, 'status_reasons'), (d) => d.progress.reason);
      return list(ctx, byLabels(ctx, deployments), (d) => presentDeployment(ctx, d.guid));
    },
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/v3/deployments/${GUID}$`),
    operation: 'getDeployment',
    handle: (ctx) => ok(presentDeployment(ctx, ctx.params[0]!)),
  },
  {
    method: 'POST',
    pattern: new RegExp(`^/v3/deployments/${GUID}/actions/cancel$`),
    operation: 'cancelDeployment',
    handle: (ctx) => {
      ctx.foundation.cancelDeployment(ctx.params[0]!);
      return ok(presentDeployment(ctx, ctx.params[0]!));
    },
  },
  {
    method: 'POST',
    pattern: new RegExp(`^/v3/deployments/${GUID}/actions/continue$`),
    operation: 'continueDeployment',
    handle: (ctx) => {
      ctx.foundation.continueDeployment(ctx.params[0]!);
      return ok(presentDeployment(ctx, ctx.params[0]!));
    },
  },
];

/** A path segment without its %-escapes; a malformed escape stays as sent (it then matches no resource). */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

export interface MatchedRoute {
  readonly route: Route;
  readonly params: string[];
}

/** The v3 route for a request, or undefined (CF's 404 `CF-NotFound` "Unknown request"). */
export function matchRoute(method: string, path: string): MatchedRoute | undefined {
  for (const route of ROUTES) {
    if (route.method !== method) continue;
    const match = route.pattern.exec(path);
    if (match) return { route, params: match.slice(1).map(decodeSegment) };
  }
  return undefined;
}

// /__admin HTTP routes over EmulatorAdmin (JSON in and out, guarded by the x-emulator-admin header).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AdminError, type EmulatorAdmin, type SeedComponent } from './admin.api.js';
import type { ComponentFaultSpec, ConnectionDropSpec, LatencySpec } from './fault-injector.js';
import { sendJson } from './http-io.js';

export const ADMIN_PREFIX = '/__admin';
export const ADMIN_HEADER = 'x-emulator-admin';

type Json = Record<string, unknown>;

interface Route {
  readonly method: string;
  readonly pattern: RegExp;
  readonly handle: (admin: EmulatorAdmin, params: string[], request: AdminRequest) => unknown;
}

interface AdminRequest {
  readonly body: Buffer;
  readonly contentType: string;
  readonly query: URLSearchParams;
  json(): Json;
}

const ROUTES: readonly Route[] = [
  { method: 'GET', pattern: /^\/orgs$/, handle: (a) => a.listOrgs() },
  { method: 'POST', pattern: /^\/orgs$/, handle: (a, _, r) => a.createOrg(r.json()) },
  { method: 'GET', pattern: /^\/orgs\/([^/]+)$/, handle: (a, [orgId]) => a.getOrg(orgId as string) },
  {
    method: 'GET',
    pattern: /^\/orgs\/([^/]+)\/components$/,
    handle: (a, [orgId], r) => a.listComponents(orgId as string, r.query.get('type') ?? undefined),
  },
  {
    method: 'PUT',
    pattern: /^\/orgs\/([^/]+)\/components$/,
    handle: (a, [orgId], r) =>
      r.contentType.startsWith('application/zip')
        ? a.seed(orgId as string, { zip: r.body })
        : a.seed(orgId as string, { components: (r.json().components ?? []) as SeedComponent[] }),
  },
  {
    method: 'GET',
    pattern: /^\/orgs\/([^/]+)\/components\/([^/]+)\/(.+)$/,
    handle: (a, [orgId, type, fullName]) => {
      const component = a.getComponent(orgId as string, type as string, fullName as string);
      if (!component) throw new AdminError(404, `No ${type} named ${fullName}`);
      return {
        ...component,
        files: Object.fromEntries(
          Object.entries(component.files).map(([path, data]) => [path, data.toString('base64')]),
        ),
      };
    },
  },
  {
    method: 'GET',
    pattern: /^\/orgs\/([^/]+)\/settings\/flows$/,
    handle: (a, [orgId]) => a.flowSettings(orgId as string),
  },
  {
    method: 'PUT',
    pattern: /^\/orgs\/([^/]+)\/settings\/flows$/,
    handle: (a, [orgId], r) => a.flowSettings(orgId as string, r.json()),
  },
  {
    method: 'GET',
    pattern: /^\/orgs\/([^/]+)\/flows\/([^/]+)$/,
    handle: (a, [orgId, name]) => {
      const flow = a.flow(orgId as string, name as string);
      if (!flow) throw new AdminError(404, `No flow named ${name}`);
      return flow;
    },
  },
  {
    method: 'PUT',
    pattern: /^\/orgs\/([^/]+)\/flows\/([^/]+)\/versions\/(\d+)\/paused-interviews$/,
    handle: (a, [orgId, name, version], r) =>
      a.setPausedInterviews(orgId as string, name as string, Number(version), Number(r.json().count)),
  },
  { method: 'POST', pattern: /^\/orgs\/([^/]+)\/reset$/, handle: (a, [orgId]) => a.resetOrg(orgId as string) },
  {
    method: 'GET',
    pattern: /^\/orgs\/([^/]+)\/deleted-fields$/,
    handle: (a, [orgId]) => a.deletedFields(orgId as string),
  },
  { method: 'GET', pattern: /^\/orgs\/([^/]+)\/deploys$/, handle: (a, [orgId]) => a.deploys(orgId as string) },
  {
    method: 'POST',
    pattern: /^\/orgs\/([^/]+)\/deploys\/pause$/,
    handle: (a, [orgId]) => a.pauseDeploys(orgId as string),
  },
  {
    method: 'POST',
    pattern: /^\/orgs\/([^/]+)\/deploys\/release$/,
    handle: (a, [orgId]) => a.releaseDeploys(orgId as string),
  },
  {
    method: 'POST',
    pattern: /^\/orgs\/([^/]+)\/sessions$/,
    handle: (a, [orgId]) => ({ accessToken: a.issueAccessToken(orgId as string) }),
  },
  {
    method: 'POST',
    pattern: /^\/orgs\/([^/]+)\/sessions\/expire$/,
    handle: (a, [orgId], r) => ({ expired: a.expireSessions(orgId as string, r.json().token as string | undefined) }),
  },
  { method: 'GET', pattern: /^\/faults$/, handle: (a) => a.faults() },
  { method: 'DELETE', pattern: /^\/faults$/, handle: (a) => a.clearFaults() },
  {
    method: 'POST',
    pattern: /^\/faults\/fail-component$/,
    handle: (a, _, r) => a.failComponent(r.json() as unknown as ComponentFaultSpec),
  },
  {
    method: 'POST',
    pattern: /^\/faults\/drop-connection$/,
    handle: (a, _, r) => a.dropConnections(r.json() as unknown as ConnectionDropSpec),
  },
  {
    method: 'POST',
    pattern: /^\/faults\/latency$/,
    handle: (a, _, r) => a.addLatency(r.json() as unknown as LatencySpec),
  },
  { method: 'PUT', pattern: /^\/latency$/, handle: (a, _, r) => a.setLatency(Number(r.json().ms)) },
];

function parseJson(body: Buffer): Json {
  if (body.length === 0) return {};
  try {
    const value: unknown = JSON.parse(body.toString('utf8'));
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Json;
  } catch {
    // answered below
  }
  throw new AdminError(400, 'The body must be a JSON object');
}

/** Serves one /__admin request. */
export async function handleAdmin(
  admin: EmulatorAdmin,
  adminKey: string,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  body: Buffer,
): Promise<void> {
  if (req.headers[ADMIN_HEADER] !== adminKey) {
    sendJson(res, 401, { error: `Missing or wrong ${ADMIN_HEADER} header` });
    return;
  }
  const path = url.pathname.slice(ADMIN_PREFIX.length);
  const candidates = ROUTES.filter((route) => route.pattern.test(path));
  const route = candidates.find((r) => r.method === req.method);
  if (!route) {
    sendJson(res, candidates.length ? 405 : 404, { error: `No admin route ${req.method} ${url.pathname}` });
    return;
  }
  const params = (route.pattern.exec(path) as RegExpExecArray).slice(1).map((p) => decodeURIComponent(p));
  try {
    const result = await route.handle(admin, params, {
      body,
      contentType: req.headers['content-type'] ?? '',
      query: url.searchParams,
      json: () => parseJson(body),
    });
    if (result === undefined) {
      res.writeHead(204).end();
      return;
    }
    sendJson(res, req.method === 'POST' && path === '/orgs' ? 201 : 200, result);
  } catch (error) {
    if (error instanceof AdminError) {
      sendJson(res, error.status, { error: error.message });
      return;
    }
    throw error;
  }
}

// The REST resources the official Salesforce CLI reads: the version list, a version's resource list,
// the logged-in User record, the SOQL queries it runs (Organization; ScratchOrgInfo on a non-Dev Hub) and
// the REST Metadata API deploy.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { deployResultXml } from './deploy-result.js';
import { isDone, type DeployJob } from './deploy-service.js';
import type { EmulatorContext } from './emulator-context.js';
import { answerFlowQuery } from './flow-tooling.js';
import { sendJson } from './http-io.js';
import { deployOptionsOf } from './metadata-soap.handler.js';
import { multipartBoundary, parseMultipart } from '../common/multipart.js';
import type { Org } from './org-registry.js';
import type { SoapArgs } from './soap-envelope.js';
import { answerQuery } from './soql-answer.js';
import type { XmlValue } from './xml-writer.js';

/** Lowest and highest API version answered; 66.0 is what the pinned CLI (2.150.6) and SDR ask for. */
export const MIN_API_VERSION = 31;
export const MAX_API_VERSION = 66;
export const API_VERSIONS = Array.from(
  { length: MAX_API_VERSION - MIN_API_VERSION + 1 },
  (_, i) => `${MIN_API_VERSION + i}.0`,
);

const RESOURCES = ['sobjects', 'query', 'queryAll', 'tooling', 'metadata', 'limits', 'search', 'recent'];

export function bearerOrg(ctx: EmulatorContext, req: IncomingMessage): Org | undefined {
  const match = /^(?:Bearer|OAuth)\s+(.+)$/i.exec(req.headers.authorization ?? '');
  return match ? ctx.orgs.get(ctx.sessions.orgOf(match[1]) ?? '') : undefined;
}

const invalidSession = (res: ServerResponse) =>
  sendJson(res, 401, [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);

const notFound = (res: ServerResponse, path: string) =>
  sendJson(res, 404, [{ errorCode: 'NOT_FOUND', message: `The requested resource does not exist: ${path}` }]);

/** GET /services/data: the API versions this emulator answers. */
export function handleVersions(res: ServerResponse): void {
  sendJson(
    res,
    200,
    API_VERSIONS.map((version) => ({ label: `Version ${version}`, url: `/services/data/v${version}`, version })),
  );
}

function userRecord(org: Org, version: string): Record<string, unknown> {
  const user = org.user;
  return {
    attributes: { type: 'User', url: `/services/data/v${version}/sobjects/User/${user.id}` },
    Id: user.id,
    Username: user.username,
    Name: user.displayName,
    FirstName: 'Admin',
    LastName: 'User',
    Email: user.username,
    IsActive: true,
    ProfileId: '00e000000000001AAA',
    LanguageLocaleKey: 'en_US',
    LocaleSidKey: 'en_US',
    TimeZoneSidKey: 'America/Los_Angeles',
  };
}

/**
 * GET /services/data/vNN.N[/…]: the resource list, sobjects/User/{id}, query and tooling/query.
 * Returns false when the path is not one of these (the caller answers 404).
 */
export function handleRest(ctx: EmulatorContext, req: IncomingMessage, res: ServerResponse, url: URL): boolean {
  const match = /^\/services\/data\/v(\d+\.\d+)(\/.*)?$/.exec(url.pathname);
  if (!match || req.method !== 'GET') return false;
  const version = match[1] as string;
  const rest = (match[2] ?? '').replace(/\/+$/, '');
  const org = bearerOrg(ctx, req);
  if (!org) {
    invalidSession(res);
    return true;
  }
  if (!API_VERSIONS.includes(version)) {
    notFound(res, url.pathname);
    return true;
  }
  if (rest === '') {
    sendJson(res, 200, Object.fromEntries(RESOURCES.map((name) => [name, `/services/data/v${version}/${name}`])));
    return true;
  }
  const user = /^\/sobjects\/User\/([A-Za-z0-9]{15,18})$/.exec(rest);
  if (user) {
    if (user[1]?.slice(0, 15) !== org.user.id.slice(0, 15)) notFound(res, url.pathname);
    else sendJson(res, 200, userRecord(org, version));
    return true;
  }
  if (rest === '/query' || rest === '/tooling/query' || rest === '/queryAll') {
    const answer = answerQuery(org, url.searchParams.get('q') ?? '', {
      version,
      tooling: rest.startsWith('/tooling'),
      deploys: () => ctx.deploys.requests(org.id),
      toolingObject: (parsed) => answerFlowQuery(org, ctx.flows, parsed, version),
    });
    sendJson(res, answer.status, answer.body);
    return true;
  }
  return false;
}

/** JSON of an XML value as the REST Metadata API writes it (absent fields left out). */
function restJson(value: XmlValue): unknown {
  return JSON.parse(JSON.stringify(value)) as unknown;
}

function restError(res: ServerResponse, status: number, errorCode: string, message: string): void {
  sendJson(res, status, [{ errorCode, message }]);
}

/**
 * The REST Metadata API deploy (`sf` with `org-metadata-rest-deploy`):
 * POST …/metadata/deployRequest (multipart: the zip as `file`, `{deployOptions}` as `entity_content`; or JSON
 * `{validatedDeployRequestId}` for a quick deploy), GET …/metadata/deployRequest/{id}[?includeDetails=true],
 * PATCH …/metadata/deployRequest/{id} `{deployResult:{status:'Canceling'}}`. False when the path is another.
 */
export function handleRestDeploy(
  ctx: EmulatorContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  body: Buffer,
): boolean {
  const match = /^\/services\/data\/v(\d+\.\d+)\/metadata\/deployRequest(?:\/([A-Za-z0-9]{15,18}))?\/?$/.exec(
    url.pathname,
  );
  if (!match) return false;
  const org = bearerOrg(ctx, req);
  if (!org) {
    invalidSession(res);
    return true;
  }
  const base = `/services/data/v${match[1]}/metadata/deployRequest`;
  const id = match[2];
  const answer = (status: number, job: DeployJob, includeDetails: boolean) =>
    sendJson(res, status, {
      id: job.id,
      url: `${base}/${job.id}`,
      validatedDeployRequestId: job.validatedDeployRequestId,
      deployOptions: restJson({ ...job.options }),
      deployResult: restJson(deployResultXml(job, includeDetails, Date.now())),
    });
  if (req.method === 'POST' && !id) {
    const boundary = multipartBoundary(req.headers['content-type']);
    if (!boundary) {
      let request: { validatedDeployRequestId?: string } = {};
      try {
        request = JSON.parse(body.toString('utf8')) as typeof request;
      } catch {
        restError(res, 400, 'JSON_PARSER_ERROR', 'The request body is not JSON');
        return true;
      }
      const job = ctx.deploys.deployValidation(org, request.validatedDeployRequestId ?? '');
      if (typeof job === 'string')
        restError(res, 400, 'INVALID_ID_FIELD', `${job}: ${request.validatedDeployRequestId ?? ''}`);
      else answer(201, job, false);
      return true;
    }
    const parts = parseMultipart(body, boundary);
    const zip = parts.find((p) => p.name === 'file')?.data;
    const entity = parts.find((p) => p.name === 'entity_content')?.data.toString('utf8') ?? '{}';
    if (!zip) {
      restError(res, 400, 'INVALID_MULTIPART_REQUEST', 'The deploy request has no file part');
      return true;
    }
    let options: { deployOptions?: SoapArgs } = {};
    try {
      options = JSON.parse(entity) as typeof options;
    } catch {
      restError(res, 400, 'JSON_PARSER_ERROR', 'entity_content is not JSON');
      return true;
    }
    answer(201, ctx.deploys.submit(org, Buffer.from(zip), deployOptionsOf(options.deployOptions ?? {})), false);
    return true;
  }
  const job = id ? ctx.deploys.find(org, id) : undefined;
  if (!job) {
    restError(res, 404, 'NOT_FOUND', `The requested resource does not exist: ${url.pathname}`);
    return true;
  }
  if (req.method === 'GET') {
    answer(200, job, url.searchParams.get('includeDetails') === 'true');
    return true;
  }
  if (req.method === 'PATCH') {
    if (isDone(job) && job.status !== 'Canceled') {
      restError(res, 400, 'INVALID_ID_FIELD', 'Deployment already completed');
      return true;
    }
    answer(202, ctx.deploys.cancel(org, job.id) as DeployJob, false);
    return true;
  }
  restError(res, 405, 'METHOD_NOT_ALLOWED', `HTTP Method '${req.method}' not allowed`);
  return true;
}

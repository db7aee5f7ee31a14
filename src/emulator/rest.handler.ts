// The REST resources the official Salesforce CLI reads: the version list, a version's resource list,
// the logged-in User record and the SOQL queries it runs (Organization; ScratchOrgInfo on a non-Dev Hub).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EmulatorContext } from './emulator-context.js';
import { sendJson } from './http-io.js';
import type { Org } from './org-registry.js';
import { answerQuery } from './soql-answer.js';

/** Lowest and highest API version answered; 66.0 is what the pinned CLI (2.150.6) and SDR ask for. */
export const MIN_API_VERSION = 31;
export const MAX_API_VERSION = 66;
export const API_VERSIONS = Array.from({ length: MAX_API_VERSION - MIN_API_VERSION + 1 }, (_, i) => `${MIN_API_VERSION + i}.0`);

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
    const answer = answerQuery(org, url.searchParams.get('q') ?? '', { version, tooling: rest.startsWith('/tooling') });
    sendJson(res, answer.status, answer.body);
    return true;
  }
  return false;
}

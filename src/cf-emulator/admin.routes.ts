// /_emulator HTTP routes over CfEmulatorAdmin (JSON in and out, guarded by the x-emulator-admin header).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from '../common/http-io.js';
import { isObject, type JsonObject } from '../common/json.js';
import type { AppSeed, CfEmulatorAdmin } from './admin.api.js';
import type { LatencySpec, UnhealthyDropletSpec } from './fault-injector.js';

export const ADMIN_PREFIX = '/_emulator';
export const ADMIN_HEADER = 'x-emulator-admin';

interface Route {
  readonly method: string;
  readonly path: string;
  readonly handle: (admin: CfEmulatorAdmin, body: JsonObject) => unknown;
}

const ROUTES: readonly Route[] = [
  { method: 'POST', path: '/apps', handle: (a, b) => a.seedApp(b as unknown as AppSeed) },
  { method: 'GET', path: '/clock', handle: (a) => a.clockAnswer() },
  { method: 'POST', path: '/tick', handle: (a, b) => a.tick(Number(b.seconds ?? 1)) },
  {
    method: 'POST',
    path: '/settle',
    handle: (a, b) => a.settle(b.maxSeconds === undefined ? undefined : Number(b.maxSeconds)),
  },
  { method: 'GET', path: '/faults', handle: (a) => a.faults() },
  { method: 'DELETE', path: '/faults', handle: (a) => a.clearFaults() },
  { method: 'POST', path: '/faults/error', handle: (a, b) => a.failRequests(b) },
  { method: 'POST', path: '/faults/latency', handle: (a, b) => a.addLatency(b as unknown as LatencySpec) },
  { method: 'POST', path: '/faults/drop', handle: (a, b) => a.dropConnections(b) },
  {
    method: 'POST',
    path: '/faults/unhealthy-droplet',
    handle: (a, b) => a.unhealthyDroplet(b as unknown as UnhealthyDropletSpec),
  },
  { method: 'GET', path: '/requests', handle: (a) => ({ requests: a.requests() }) },
  { method: 'DELETE', path: '/requests', handle: (a) => a.resetRequests() },
];

/** Serves one /_emulator request; bad input is a 400 `{ error }` naming what to change. */
export function handleAdmin(
  admin: CfEmulatorAdmin,
  adminKey: string,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  body: Buffer,
): void {
  if (req.headers[ADMIN_HEADER] !== adminKey)
    return sendJson(res, 401, { error: `Missing or wrong ${ADMIN_HEADER} header` });
  const subPath = path.slice(ADMIN_PREFIX.length);
  const candidates = ROUTES.filter((r) => r.path === subPath);
  const route = candidates.find((r) => r.method === req.method);
  if (!route)
    return sendJson(res, candidates.length ? 405 : 404, { error: `No admin route ${req.method ?? ''} ${path}` });
  let input: unknown = {};
  if (body.length) {
    try {
      input = JSON.parse(body.toString('utf8'));
    } catch {
      input = undefined;
    }
  }
  if (!isObject(input)) return sendJson(res, 400, { error: 'The body must be a JSON object' });
  try {
    const result = route.handle(admin, input);
    if (result === undefined) res.writeHead(204).end();
    else sendJson(res, 200, result);
  } catch (error) {
    if (error instanceof RangeError) return sendJson(res, 400, { error: error.message });
    throw error;
  }
}

// /_emulator HTTP routes over AwsQueryEmulatorAdmin (JSON in and out, guarded by the x-emulator-admin header).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from '../../common/http-io.js';
import type { AwsQueryEmulatorAdmin } from './admin.api.js';
import type { ApiErrorSpec, LatencySpec } from './fault-injector.js';

export const ADMIN_PREFIX = '/_emulator';
export const ADMIN_HEADER = 'x-emulator-admin';

type JsonObject = Record<string, unknown>;

interface Route {
  readonly method: string;
  readonly path: string;
  readonly handle: (admin: AwsQueryEmulatorAdmin, body: JsonObject) => unknown;
}

const ROUTES: readonly Route[] = [
  { method: 'GET', path: '/clock', handle: (a) => a.clockAnswer() },
  { method: 'POST', path: '/tick', handle: (a, b) => a.tick(Number(b.seconds ?? 1)) },
  {
    method: 'POST',
    path: '/settle',
    handle: (a, b) => a.settle(b.maxSeconds === undefined ? undefined : Number(b.maxSeconds)),
  },
  { method: 'GET', path: '/faults', handle: (a) => a.faults() },
  { method: 'DELETE', path: '/faults', handle: (a) => a.clearFaults() },
  { method: 'POST', path: '/faults/api-error', handle: (a, b) => a.failRequests(b as unknown as ApiErrorSpec) },
  { method: 'POST', path: '/faults/latency', handle: (a, b) => a.addLatency(b as unknown as LatencySpec) },
  { method: 'POST', path: '/faults/drop-connection', handle: (a, b) => a.dropConnections(b) },
  { method: 'GET', path: '/requests', handle: (a) => ({ requests: a.requests() }) },
  { method: 'DELETE', path: '/requests', handle: (a) => a.resetRequests() },
];

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Serves one /_emulator request; bad input is a 400 `{ error }`. */
export function handleAdmin(
  admin: AwsQueryEmulatorAdmin,
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

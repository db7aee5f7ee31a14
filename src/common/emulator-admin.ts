// What every platform emulator's admin side shares (Kubernetes, ECS, Auto Scaling/EC2, Cloud Foundry): the
// `/_emulator` routes guarded by the `x-emulator-admin` header, JSON in and out, and a bounded log of the calls served.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from './http-io.js';

export const ADMIN_PREFIX = '/_emulator';
export const ADMIN_HEADER = 'x-emulator-admin';

export type AdminBody = Record<string, unknown>;

/** One admin route: its method, its path below ADMIN_PREFIX, and what it does with the admin handle and the body. */
export interface AdminRoute<A> {
  readonly method: string;
  readonly path: string;
  readonly handle: (admin: A, body: AdminBody) => unknown;
}

/** What every emulator's admin handle answers: its simulated time, its faults and its call log. */
export interface StandardAdmin {
  clockAnswer(): unknown;
  tick(seconds: number): unknown;
  settle(maxSeconds?: number): unknown;
  faults(): unknown;
  clearFaults(): void;
  addLatency(spec: never): void;
  requests(): unknown[];
  resetRequests(): void;
}

/**
 * The routes every emulator has: `GET /clock`, `POST /tick {seconds}`, `POST /settle {maxSeconds?}`, `GET|DELETE
 * /faults`, `POST /faults/latency`, `GET|DELETE /requests`. Each emulator adds its own (its error and outage faults).
 */
export function standardAdminRoutes<A extends StandardAdmin>(): AdminRoute<A>[] {
  return [
    { method: 'GET', path: '/clock', handle: (a) => a.clockAnswer() },
    { method: 'POST', path: '/tick', handle: (a, b) => a.tick(Number(b.seconds ?? 1)) },
    {
      method: 'POST',
      path: '/settle',
      handle: (a, b) => a.settle(b.maxSeconds === undefined ? undefined : Number(b.maxSeconds)),
    },
    { method: 'GET', path: '/faults', handle: (a) => a.faults() },
    { method: 'DELETE', path: '/faults', handle: (a) => a.clearFaults() },
    { method: 'POST', path: '/faults/latency', handle: (a, b) => a.addLatency(b as never) },
    { method: 'GET', path: '/requests', handle: (a) => ({ requests: a.requests() }) },
    { method: 'DELETE', path: '/requests', handle: (a) => a.resetRequests() },
  ];
}

/** Whether a request's path is one of the admin routes' (ADMIN_PREFIX or below it). */
export function isAdminPath(path: string): boolean {
  return path === ADMIN_PREFIX || path.startsWith(`${ADMIN_PREFIX}/`);
}

/**
 * Serves one admin request: 401 without the key, 404/405 for an unknown path or method, 400 `{error}` for a body that
 * is not a JSON object or a RangeError of the route; 204 when the route returns nothing, else 200 with its JSON.
 */
export function serveAdminRoute<A>(
  routes: readonly AdminRoute<A>[],
  admin: A,
  adminKey: string,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  body: Buffer,
): void {
  if (req.headers[ADMIN_HEADER] !== adminKey)
    return sendJson(res, 401, { error: `Missing or wrong ${ADMIN_HEADER} header` });
  const subPath = path.slice(ADMIN_PREFIX.length);
  const candidates = routes.filter((r) => r.path === subPath);
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
  if (input === null || typeof input !== 'object' || Array.isArray(input))
    return sendJson(res, 400, { error: 'The body must be a JSON object' });
  try {
    const result = route.handle(admin, input as AdminBody);
    if (result === undefined) res.writeHead(204).end();
    else sendJson(res, 200, result);
  } catch (error) {
    if (error instanceof RangeError) return sendJson(res, 400, { error: error.message });
    throw error;
  }
}

/** Past this many entries the oldest go (a long-running emulator must not grow without end). */
const MAX_LOGGED = 100_000;

/** The calls an emulator served, in order (tests count a client's calls); bounded. */
export class CallLog<T> {
  private entries: T[] = [];

  add(entry: T): void {
    this.entries.push(entry);
    if (this.entries.length > MAX_LOGGED) this.entries.splice(0, this.entries.length - MAX_LOGGED);
  }

  list(): T[] {
    return [...this.entries];
  }

  reset(): void {
    this.entries = [];
  }
}

/** What an emulator's fault injector offers every admin side (each has more faults of its own). */
export interface AdminFaultInjector {
  failRequests(spec: never): void;
  addLatency(spec: never): void;
  clear(): void;
  snapshot(): unknown;
}

/**
 * The half of an emulator's admin side that every emulator shares: its API-error and latency faults, clearing and
 * listing them, and the log of the calls it served since start or the last `resetRequests()`, oldest first. Each
 * emulator adds its simulated time and its own faults.
 */
export abstract class EmulatorAdminBase<Injector extends AdminFaultInjector, Logged> {
  protected constructor(
    protected readonly faultInjector: Injector,
    private readonly requestLog: { list(): Logged[]; reset(): void },
  ) {}

  failRequests(spec: Parameters<Injector['failRequests']>[0]): void {
    this.faultInjector.failRequests(spec);
  }

  addLatency(spec: Parameters<Injector['addLatency']>[0]): void {
    this.faultInjector.addLatency(spec);
  }

  clearFaults(): void {
    this.faultInjector.clear();
  }

  faults(): ReturnType<Injector['snapshot']> {
    return this.faultInjector.snapshot() as ReturnType<Injector['snapshot']>;
  }

  requests(): Logged[] {
    return this.requestLog.list();
  }

  resetRequests(): void {
    this.requestLog.reset();
  }
}

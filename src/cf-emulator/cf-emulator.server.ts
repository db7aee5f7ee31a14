// A local Cloud Foundry over plain HTTP: the root document, a UAA token endpoint, and the Cloud Controller v3 calls a
// deploy-and-roll-back provider makes (orgs, spaces, apps, packages, builds, droplets, revisions, deployments), with
// simulated time, fault injection and an admin API. Wire facts: /work/shared/docs/platform-apis.md §5.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { BodyTooLargeError, listen, readBody, sendJson } from '../common/http-io.js';
import { sleep } from '../common/polling.js';
import { CfEmulatorAdmin, type AppSeed } from './admin.api.js';
import { ADMIN_PREFIX, handleAdmin } from './admin.routes.js';
import { SimulatedClock } from './clock.js';
import { CfError, invalidAuthToken, notAuthenticated, unknownError } from './errors.js';
import { FaultInjector } from './fault-injector.js';
import { Foundation } from './foundation.js';
import type { Operation } from './operations.js';
import { Presenter } from './presenters.js';
import { RequestLog } from './request-log.js';
import { Uaa, UaaError, type UaaClient, type UaaUser } from './uaa.js';
import { matchRoute } from './v3.routes.js';

export type { AppSeed, CfEmulatorAdmin, ClockAnswer, SeededApp } from './admin.api.js';
export type { CfErrorSpec, DropSpec, FaultsSnapshot, LatencySpec, UnhealthyDropletSpec } from './fault-injector.js';
export type { LoggedRequest } from './request-log.js';
export type { Operation } from './operations.js';

export interface CfEmulatorOptions {
  /** 0 (the default) picks a free port. */
  readonly port?: number;
  readonly host?: string;
  /** Users for the password grant (via the `cf` client, empty secret). One `admin` with a generated password by default. */
  readonly users?: readonly UaaUser[];
  /** Clients for the client_credentials grant. One `backtrack` client with a generated secret by default. */
  readonly clients?: readonly UaaClient[];
  /** Access-token lifetime in simulated seconds (default 600). */
  readonly tokenSeconds?: number;
  /** Key for the x-emulator-admin header of /_emulator (generated when absent). */
  readonly adminKey?: string;
  /** Simulated seconds: upload → READY (default 1), build → STAGED (default 5), instance batch healthy (default 2). */
  readonly processingSeconds?: number;
  readonly stagingSeconds?: number;
  readonly instanceSeconds?: number;
  /** Apps (with their org and space) that exist from the start. */
  readonly apps?: readonly AppSeed[];
  /** How often simulated time is looked at, in real milliseconds (default 200). */
  readonly syncIntervalMs?: number;
  readonly logger?: { error(message: string, error?: unknown): void };
}

export interface CfEmulatorHandle {
  /** e.g. http://127.0.0.1:PORT — the API endpoint (`cf api`), also the UAA and login endpoint. */
  readonly url: string;
  readonly users: readonly UaaUser[];
  readonly clients: readonly UaaClient[];
  readonly adminKey: string;
  readonly admin: CfEmulatorAdmin;
  close(): Promise<void>;
}

/** Package uploads are zips; Cloud Controller's default limit is far larger, this keeps tests honest. */
const MAX_BODY_BYTES = 64 * 1024 * 1024;

const bearerToken = (req: IncomingMessage) => /^bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];

export async function startCfEmulator(options: CfEmulatorOptions = {}): Promise<CfEmulatorHandle> {
  const users = options.users?.length
    ? [...options.users]
    : [{ username: 'admin', password: randomBytes(12).toString('hex') }];
  const clients = options.clients?.length
    ? [...options.clients]
    : [{ id: 'backtrack', secret: randomBytes(12).toString('hex') }];
  const adminKey = options.adminKey ?? randomBytes(16).toString('hex');
  const logger = options.logger ?? {
    error: (message, error) => console.error(`[cf-emulator] ${message}`, error ?? ''),
  };
  const clock = new SimulatedClock();
  const faults = new FaultInjector();
  const foundation = new Foundation(
    clock,
    {
      processingSeconds: options.processingSeconds ?? 1,
      stagingSeconds: options.stagingSeconds ?? 5,
      instanceSeconds: options.instanceSeconds ?? 2,
    },
    (dropletGuid) => faults.isUnhealthy(dropletGuid),
  );
  const uaa = new Uaa(users, clients, randomBytes(32).toString('hex'), options.tokenSeconds ?? 600, () =>
    Math.floor(clock.now().getTime() / 1000),
  );
  const requestLog = new RequestLog();
  const admin = new CfEmulatorAdmin(clock, foundation, faults, requestLog);
  for (const seed of options.apps ?? []) admin.seedApp(seed);
  let baseUrl = '';
  let presenter = new Presenter('');

  const rootDocument = () => {
    const href = (path = '') => ({ href: `${baseUrl}${path}` });
    return {
      links: {
        self: href(),
        cloud_controller_v2: null,
        cloud_controller_v3: { ...href('/v3'), meta: { version: '3.180.0' } },
        network_policy_v0: null,
        network_policy_v1: null,
        login: href(),
        uaa: href(),
        credhub: null,
        routing: null,
        logging: null,
        log_cache: href('/log-cache'),
        log_stream: null,
        app_ssh: null,
      },
    };
  };

  /** Waits, drops or fails the call as armed faults say; true when the connection was dropped. */
  const applyFaults = async (operation: Operation, req: IncomingMessage): Promise<boolean> => {
    const delay = faults.latencyFor(operation);
    if (delay > 0) await sleep(delay);
    if (faults.takeDrop(operation)) {
      req.socket.destroy();
      return true;
    }
    const injected = faults.takeError(operation);
    if (injected)
      throw new CfError(injected.status, injected.code, injected.title, injected.detail, injected.retryAfter);
    return false;
  };

  const serveToken = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    requestLog.record({ method: 'POST', path: '/oauth/token', operation: 'token' });
    if (await applyFaults('token', req)) return;
    const body = await readBody(req, 64 * 1024);
    try {
      const answer = uaa.grant(new URLSearchParams(body.toString('utf8')), req.headers.authorization);
      res.setHeader('Cache-Control', 'no-store');
      sendJson(res, 200, answer, 'application/json;charset=UTF-8');
    } catch (error) {
      if (!(error instanceof UaaError)) throw error;
      sendJson(res, error.status, error.body());
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://emulator');
    const method = req.method ?? 'GET';
    if (url.pathname === ADMIN_PREFIX || url.pathname.startsWith(`${ADMIN_PREFIX}/`)) {
      handleAdmin(admin, adminKey, req, res, url.pathname, await readBody(req, 1024 * 1024));
      return;
    }
    if (method === 'GET' && url.pathname === '/') {
      requestLog.record({ method, path: '/', operation: 'getRoot' });
      if (await applyFaults('getRoot', req)) return;
      sendJson(res, 200, rootDocument());
      return;
    }
    if (method === 'POST' && url.pathname === '/oauth/token') return serveToken(req, res);
    const matched = matchRoute(method, url.pathname);
    requestLog.record({ method, path: url.pathname, operation: matched?.route.operation });
    const token = bearerToken(req);
    if (token === undefined) throw notAuthenticated();
    const verdict = uaa.verify(token);
    if (verdict === 'invalid' || verdict === 'expired') throw invalidAuthToken();
    if (!matched) throw new CfError(404, 10000, 'CF-NotFound', 'Unknown request');
    if (await applyFaults(matched.route.operation, req)) return;
    const body = ['POST', 'PUT', 'PATCH'].includes(method) ? await readBody(req, MAX_BODY_BYTES) : Buffer.alloc(0);
    foundation.sync();
    const answer = matched.route.handle({ foundation, presenter, baseUrl, url, req, body, params: matched.params });
    if (faults.takeDrop(matched.route.operation, true)) return void req.socket.destroy();
    if (answer.body === undefined) res.writeHead(answer.status).end();
    else sendJson(res, answer.status, answer.body);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent || req.socket.destroyed) return void res.destroy();
      if (error instanceof BodyTooLargeError)
        return sendJson(res, 413, new CfError(413, 10001, 'CF-RequestEntityTooLarge', error.message).body());
      if (error instanceof CfError) {
        if (error.retryAfter !== undefined) res.setHeader('Retry-After', String(error.retryAfter));
        return sendJson(res, error.status, error.body());
      }
      logger.error(`${req.method ?? ''} ${req.url ?? ''} failed`, error);
      sendJson(res, 500, unknownError().body());
    });
  });
  server.keepAliveTimeout = 120_000;
  baseUrl = `http://${await listen(server, options.port ?? 0, options.host ?? '127.0.0.1')}`;
  presenter = new Presenter(baseUrl);
  const timer = setInterval(() => {
    try {
      foundation.sync();
    } catch (error) {
      logger.error('sync failed', error);
    }
  }, options.syncIntervalMs ?? 200);

  return {
    url: baseUrl,
    users,
    clients,
    adminKey,
    admin,
    async close() {
      clearInterval(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

// A local Amazon ECS endpoint over plain HTTP: the JSON 1.1 protocol for task definitions and services, rolling
// deployments over simulated time with the circuit breaker, SigV4 key checks, fault injection and an admin API.
// Enough for @aws-sdk/client-ecs.
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { BodyTooLargeError, listen, readBody, sendJson } from '../common/http-io.js';
import { sleep } from '../common/polling.js';
import { EcsEmulatorAdmin } from './admin.api.js';
import { ADMIN_PREFIX, handleAdmin } from './admin.routes.js';
import { SimulatedClock } from './clock.js';
import { EcsError } from './ecs-error.js';
import { FaultInjector } from './fault-injector.js';
import { isObject } from './input.js';
import { operations, TARGET_PREFIX } from './operations.js';
import { RequestLog } from './request-log.js';
import { ServiceController } from './services.js';
import { checkSignature } from './sigv4.js';
import { TaskDefinitionRegistry } from './task-definitions.js';

export type { ClockAnswer, EcsEmulatorAdmin } from './admin.api.js';
export type { LoggedRequest } from './request-log.js';
export type {
  ApiErrorSpec,
  DropConnectionSpec,
  FaultsSnapshot,
  LatencySpec,
  UnhealthyTasksSpec,
} from './fault-injector.js';

export interface EcsEmulatorOptions {
  /** 0 (the default) picks a free port. */
  readonly port?: number;
  readonly host?: string;
  /** Access key ids whose signed requests are served (one is generated when none are given). */
  readonly accessKeyIds?: readonly string[];
  /** Key for the x-emulator-admin header of /_emulator (generated when absent). */
  readonly adminKey?: string;
  /** Region and account in ARNs (default us-east-1 and 123456789012). */
  readonly region?: string;
  readonly accountId?: string;
  /** Clusters that exist from the start (default: `default`). */
  readonly clusters?: readonly string[];
  /** Simulated seconds from a task's launch to running, or to failing when its tasks are unhealthy (default 2). */
  readonly taskStartSeconds?: number;
  /** How often deployments look at the clock, in real milliseconds (default 200). */
  readonly syncIntervalMs?: number;
  readonly logger?: { error(message: string, error?: unknown): void };
}

export interface EcsEmulatorHandle {
  /** e.g. http://127.0.0.1:PORT — the `endpoint` of an ECSClient. */
  readonly url: string;
  readonly region: string;
  /** The first accepted access key id (any secret key goes with it: signatures are not verified). */
  readonly accessKeyId: string;
  readonly adminKey: string;
  readonly admin: EcsEmulatorAdmin;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 1024 * 1024;
const CONTENT_TYPE = 'application/x-amz-json-1.1';

export async function startEcsEmulator(options: EcsEmulatorOptions = {}): Promise<EcsEmulatorHandle> {
  const accessKeyIds = options.accessKeyIds?.length
    ? [...options.accessKeyIds]
    : [`AKIA${randomBytes(8).toString('hex').toUpperCase()}`];
  const adminKey = options.adminKey ?? randomBytes(16).toString('hex');
  const region = options.region ?? 'us-east-1';
  const arns = { region, accountId: options.accountId ?? '123456789012' };
  const taskStartSeconds = options.taskStartSeconds ?? 2;
  if (!Number.isFinite(taskStartSeconds) || taskStartSeconds < 0)
    throw new RangeError('taskStartSeconds must be a number ≥ 0');
  const logger = options.logger ?? {
    error: (message, error) => console.error(`[ecs-emulator] ${message}`, error ?? ''),
  };
  const clock = new SimulatedClock();
  const faults = new FaultInjector();
  const taskDefinitions = new TaskDefinitionRegistry(arns, () => clock.now());
  const services = new ServiceController({
    arns,
    taskDefinitions,
    now: () => clock.now(),
    taskStartSeconds,
    unhealthy: (arn) => faults.isUnhealthy(arn),
  });
  for (const cluster of options.clusters ?? ['default']) services.createCluster(cluster);
  const requestLog = new RequestLog();
  const admin = new EcsEmulatorAdmin(clock, services, faults, taskStartSeconds, requestLog);
  const byName = operations(taskDefinitions, services);

  const sendAws = (res: ServerResponse, status: number, body: unknown) => {
    res.setHeader('x-amzn-RequestId', randomUUID());
    sendJson(res, status, body, CONTENT_TYPE);
  };

  const serveApi = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = await readBody(req, MAX_BODY_BYTES);
    const target = req.headers['x-amz-target'];
    if (req.method !== 'POST' || typeof target !== 'string' || !target.startsWith(TARGET_PREFIX))
      throw new EcsError(
        'UnknownOperationException',
        'Send POST / with X-Amz-Target: AmazonEC2ContainerServiceV20141113.<Operation>.',
      );
    const header = (name: string) => {
      const value = req.headers[name];
      return Array.isArray(value) ? value[0] : value;
    };
    checkSignature(header('authorization'), header('x-amz-date'), accessKeyIds);
    const name = target.slice(TARGET_PREFIX.length);
    const operation = byName.get(name);
    if (!operation) throw new EcsError('UnknownOperationException', `The emulator does not serve ${name}.`);
    let input: unknown;
    try {
      input = body.length ? JSON.parse(body.toString('utf8')) : {};
    } catch {
      throw new EcsError('SerializationException', 'The request body is not valid JSON.');
    }
    if (!isObject(input)) throw new EcsError('SerializationException', 'The request body must be a JSON object.');
    requestLog.record(name, input);
    const delay = faults.latencyFor(name);
    if (delay > 0) await sleep(delay);
    if (faults.takeDrop(name)) return void req.socket.destroy();
    const injected = faults.takeApiError(name);
    if (injected) throw new EcsError(injected.type, injected.message, injected.status);
    sendAws(res, 200, operation(input));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://emulator');
    if (url.pathname === ADMIN_PREFIX || url.pathname.startsWith(`${ADMIN_PREFIX}/`)) {
      const body = await readBody(req, MAX_BODY_BYTES);
      handleAdmin(admin, adminKey, req, res, url.pathname, body);
      return;
    }
    if (url.pathname === '/healthz') {
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok');
      return;
    }
    await serveApi(req, res);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent || req.socket.destroyed) return void res.destroy();
      if (error instanceof BodyTooLargeError)
        return sendAws(res, 413, new EcsError('SerializationException', error.message, 413).body());
      if (error instanceof EcsError) return sendAws(res, error.status, error.body());
      logger.error(`${req.method ?? ''} ${req.headers['x-amz-target']?.toString() ?? req.url ?? ''} failed`, error);
      sendAws(res, 500, new EcsError('ServerException', `Internal error: ${(error as Error).message}`, 500).body());
    });
  });
  server.keepAliveTimeout = 120_000;
  const address = await listen(server, options.port ?? 0, options.host ?? '127.0.0.1');
  const timer = setInterval(() => {
    try {
      services.sync();
    } catch (error) {
      logger.error('deployment sync failed', error);
    }
  }, options.syncIntervalMs ?? 200);

  return {
    url: `http://${address}`,
    region,
    accessKeyId: accessKeyIds[0]!,
    adminKey,
    admin,
    async close() {
      clearInterval(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

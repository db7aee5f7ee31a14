// A local Kubernetes API server over plain HTTP: discovery, core/v1 and apps/v1 resources, watches, a deployment
// controller over simulated time, fault injection and an admin API. Enough for @kubernetes/client-node and kubectl.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { sleep } from '../common/polling.js';
import { KubernetesEmulatorAdmin } from './admin.api.js';
import { ADMIN_PREFIX, handleAdmin } from './admin.routes.js';
import { SimulatedClock } from './clock.js';
import { ClusterController } from './cluster-controller.js';
import { group, groupList, legacyVersions, resourceList, versionInfo } from './discovery.js';
import { FaultInjector } from './fault-injector.js';
import { BodyTooLargeError, listen, readBody, sendJson } from '../common/http-io.js';
import { ObjectStore } from './object-store.js';
import { openApiDocument } from './openapi.js';
import { parseApiPath, type ApiPath } from './request-path.js';
import { RequestLog } from './request-log.js';
import { loadStateFile, persistStore } from './state-file.js';
import { ResourceHandler } from './resource.handler.js';
import { NAMESPACES, SERVICES } from './resource-types.js';
import { failureStatus, KubeError, pathNotFound, unauthorized } from './status.js';

export type { ClockAnswer, KubernetesEmulatorAdmin } from './admin.api.js';
export type { LoggedRequest } from './request-log.js';
export type { ApiErrorSpec, FaultsSnapshot, LatencySpec, UnavailableRolloutSpec } from './fault-injector.js';

export interface KubernetesEmulatorOptions {
  /** 0 (the default) picks a free port. */
  readonly port?: number;
  readonly host?: string;
  /** Bearer tokens the API accepts (one is generated when none are given). A wrong token is always a 401. */
  readonly tokens?: readonly string[];
  /**
   * Serve requests that carry no token (default true). client-go (kubectl, helm) never sends credentials to a plain
   * http:// server, the way the API server's old insecure port took every request; false makes them 401.
   */
  readonly allowAnonymous?: boolean;
  /** Key for the x-emulator-admin header of /_emulator (generated when absent). */
  readonly adminKey?: string;
  /** Simulated seconds from a pod's start to Ready (default 2). */
  readonly podReadySeconds?: number;
  /** How often the controllers look at the clock, in real milliseconds (default 200). */
  readonly syncIntervalMs?: number;
  readonly logger?: { error(message: string, error?: unknown): void };
  /**
   * A JSON file holding the objects across restarts (the embedded default's Local Cluster): loaded at start when it
   * exists, rewritten after changes and on close. Absent: everything is in memory only.
   */
  readonly stateFile?: string;
}

export interface KubeconfigDocument {
  readonly apiVersion: 'v1';
  readonly kind: 'Config';
  readonly clusters: readonly { name: string; cluster: { server: string; 'insecure-skip-tls-verify': true } }[];
  readonly users: readonly { name: string; user: { token: string } }[];
  readonly contexts: readonly { name: string; context: { cluster: string; user: string; namespace: string } }[];
  readonly 'current-context': string;
  readonly preferences: Record<string, never>;
}

export interface KubernetesEmulatorHandle {
  /** e.g. http://127.0.0.1:PORT — the `server` of a kubeconfig. */
  readonly url: string;
  /** The first accepted bearer token. */
  readonly token: string;
  readonly adminKey: string;
  readonly admin: KubernetesEmulatorAdmin;
  /**
   * A kubeconfig for this server (JSON is valid YAML: write it to a file for kubectl). It sets
   * `insecure-skip-tls-verify`, without which @kubernetes/client-node refuses an http:// server.
   */
  kubeconfig(namespace?: string): KubeconfigDocument;
  close(): Promise<void>;
}

/** The API server refuses request bodies above 3 MiB. */
const MAX_BODY_BYTES = 3 * 1024 * 1024;
const CLUSTER_NAME = 'emulator';
const DEFAULT_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

function bearerToken(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization ?? '';
  const match = /^Bearer\s+(.+)$/i.exec(header);
  return match?.[1]?.trim();
}

export async function startKubernetesEmulator(
  options: KubernetesEmulatorOptions = {},
): Promise<KubernetesEmulatorHandle> {
  const tokens = options.tokens?.length ? [...options.tokens] : [randomBytes(24).toString('hex')];
  const allowAnonymous = options.allowAnonymous ?? true;
  const adminKey = options.adminKey ?? randomBytes(16).toString('hex');
  const podReadySeconds = options.podReadySeconds ?? 2;
  const logger = options.logger ?? {
    error: (message, error) => console.error(`[kubernetes-emulator] ${message}`, error ?? ''),
  };
  const clock = new SimulatedClock();
  const store = new ObjectStore(() => clock.now());
  const faults = new FaultInjector();
  const controller = new ClusterController(store, clock, {
    podReadySeconds,
    neverAvailable: (target) => faults.isUnavailable(target),
  });
  let serviceIps = 0;
  const allocateIp = () => {
    // Skips addresses Services restored from a state file already hold.
    const taken = new Set(store.list(SERVICES).map((s) => (s.spec as { clusterIP?: string } | undefined)?.clusterIP));
    let ip: string;
    do {
      serviceIps++;
      ip = `10.96.${Math.floor(serviceIps / 250)}.${(serviceIps % 250) + 1}`;
    } while (taken.has(ip));
    return ip;
  };
  const resources = new ResourceHandler({ store, controller, allocateIp, now: () => clock.now() });
  const requestLog = new RequestLog();
  const admin = new KubernetesEmulatorAdmin(clock, controller, faults, podReadySeconds, requestLog);
  const restored = options.stateFile ? loadStateFile(options.stateFile, store, logger) : false;
  for (const name of DEFAULT_NAMESPACES)
    if (!store.get(NAMESPACES, '', name))
      store.create(NAMESPACES, {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name },
        spec: { finalizers: ['kubernetes'] },
        status: { phase: 'Active' },
      });
  let serverAddress = '';

  const serveApi = async (req: IncomingMessage, res: ServerResponse, url: URL, path: ApiPath): Promise<void> => {
    switch (path.kind) {
      case 'health':
        res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok');
        return;
      case 'version': {
        sendJson(res, 200, versionInfo());
        return;
      }
      case 'legacy-versions': {
        sendJson(res, 200, legacyVersions(serverAddress));
        return;
      }
      case 'groups': {
        sendJson(res, 200, groupList());
        return;
      }
      case 'group': {
        const found = group(path.group);
        if (!found) throw pathNotFound();
        sendJson(res, 200, found);
        return;
      }
      case 'resource-list': {
        const found = resourceList(path.group, path.version);
        if (!found) throw pathNotFound();
        sendJson(res, 200, found);
        return;
      }
      case 'openapi': {
        const document = openApiDocument(path.rest);
        if (!document) throw pathNotFound();
        sendJson(res, 200, document);
        return;
      }
      case 'resource': {
        const target = {
          method: req.method ?? 'GET',
          resource: path.resource,
          namespace: path.namespace,
          name: path.name,
        };
        requestLog.record(target.method, url.pathname);
        const delay = faults.latencyFor(target);
        if (delay > 0) await sleep(delay);
        const injected = faults.takeApiError(target);
        if (injected) throw new KubeError(injected.code, injected.reason, injected.message);
        const body = ['POST', 'PUT', 'PATCH', 'DELETE'].includes(target.method)
          ? await readBody(req, MAX_BODY_BYTES)
          : Buffer.alloc(0);
        resources.handle(req, res, path, url, body);
        return;
      }
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://emulator');
    if (url.pathname === ADMIN_PREFIX || url.pathname.startsWith(`${ADMIN_PREFIX}/`)) {
      const body = await readBody(req, MAX_BODY_BYTES);
      handleAdmin(admin, adminKey, req, res, url.pathname, body);
      return;
    }
    const path = parseApiPath(url.pathname);
    if (path?.kind !== 'health') {
      const token = bearerToken(req);
      if (token === undefined ? !allowAnonymous : !tokens.includes(token)) throw unauthorized();
    }
    if (!path) throw pathNotFound();
    await serveApi(req, res, url, path);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) return void res.destroy();
      if (error instanceof BodyTooLargeError)
        return sendJson(res, 413, failureStatus(new KubeError(413, 'RequestEntityTooLarge', error.message)));
      if (error instanceof KubeError) return sendJson(res, error.code, failureStatus(error));
      logger.error(`${req.method ?? ''} ${req.url ?? ''} failed`, error);
      sendJson(
        res,
        500,
        failureStatus(new KubeError(500, 'InternalError', `Internal error occurred: ${(error as Error).message}`)),
      );
    });
  });
  server.keepAliveTimeout = 120_000;
  serverAddress = await listen(server, options.port ?? 0, options.host ?? '127.0.0.1');
  const url = `http://${serverAddress}`;
  const persisted = options.stateFile ? persistStore(options.stateFile, store) : undefined;
  if (restored) controller.sync();
  const timer = setInterval(() => {
    try {
      controller.sync();
    } catch (error) {
      logger.error('controller sync failed', error);
    }
  }, options.syncIntervalMs ?? 200);

  return {
    url,
    token: tokens[0]!,
    adminKey,
    admin,
    kubeconfig: (namespace = 'default') => ({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: CLUSTER_NAME, cluster: { server: url, 'insecure-skip-tls-verify': true } }],
      users: [{ name: CLUSTER_NAME, user: { token: tokens[0]! } }],
      contexts: [{ name: CLUSTER_NAME, context: { cluster: CLUSTER_NAME, user: CLUSTER_NAME, namespace } }],
      'current-context': CLUSTER_NAME,
      preferences: {},
    }),
    async close() {
      clearInterval(timer);
      persisted?.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

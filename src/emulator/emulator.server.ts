// A local Salesforce org over HTTP: SOAP Metadata API, SOAP/OAuth login and an admin API.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { EmulatorAdmin } from './admin.api.js';
import { ADMIN_PREFIX, handleAdmin } from './admin.routes.js';
import { handleOAuthToken, handlePartnerSoap, handleUserInfo } from './auth.handler.js';
import { DeployService } from './deploy-service.js';
import type { EmulatorContext, EmulatorLogger } from './emulator-context.js';
import { FaultInjector } from './fault-injector.js';
import { handleFlowSObjects } from './flow-tooling.js';
import { FlowVersions } from './flow-versions.js';
import { BodyTooLargeError, listen, readBody } from '../common/http-io.js';
import { sendJson, sendXml } from './http-io.js';
import { SALESFORCE_LIMITS } from './metadata-limits.js';
import { handleMetadataSoap } from './metadata-soap.handler.js';
import { generatePassword, OrgRegistry, type Org } from './org-registry.js';
import { StateStore } from './persistence.js';
import { bearerOrg, handleRest, handleRestDeploy, handleVersions } from './rest.handler.js';
import { RetrieveService } from './retrieve-service.js';
import { SessionStore } from './session-store.js';
import { soapFault, SoapFault } from './soap-envelope.js';

export type { EmulatorLogger } from './emulator-context.js';
export type {
  ComponentFiles,
  ComponentSummary,
  DeployHistory,
  DeploySummary,
  EmulatorAdmin,
  OrgCredentials,
  SeedComponent,
  SeedInput,
} from './admin.api.js';
export type { ComponentFaultSpec, ConnectionDropSpec, FaultsSnapshot, LatencySpec } from './fault-injector.js';

export interface EmulatorOptions {
  /** 0 (the default) picks a free port. */
  readonly port?: number;
  readonly host?: string;
  /** Keep orgs, sessions and metadata in this folder (loaded on start, written after each change). */
  readonly dataDir?: string;
  /** Time a deploy or retrieve takes from Pending to done (default 50 ms). */
  readonly latencyMs?: number;
  /** The default org's standing access token (generated when absent and not saved in dataDir). */
  readonly accessToken?: string;
  readonly username?: string;
  readonly password?: string;
  /** Key for the x-emulator-admin header of /__admin (generated when absent). */
  readonly adminKey?: string;
  readonly logger?: EmulatorLogger;
}

export interface DefaultOrg {
  readonly id: string;
  readonly username: string;
  readonly password: string;
  readonly accessToken: string;
  readonly instanceUrl: string;
}

export interface EmulatorHandle {
  /** Instance URL, e.g. http://127.0.0.1:PORT (also the login URL). */
  readonly url: string;
  readonly defaultOrg: DefaultOrg;
  readonly adminKey: string;
  readonly admin: EmulatorAdmin;
  close(): Promise<void>;
}

const DEFAULT_USERNAME = 'admin@backtrack.local';
const DEFAULT_LATENCY_MS = 50;
/** SOAP bodies above this are refused (a 39 MB zip is ~52 MB of base64). */
const MAX_BODY_BYTES = 64 * 1024 * 1024;

const silentLogger: EmulatorLogger = {
  info: () => undefined,
  error: (message, error) => console.error(`[emulator] ${message}`, error ?? ''),
};

/**
 * The request's URL. Clients that keep the instance URL with a trailing slash send `//services/…`, which
 * `new URL()` would read as a host: repeated slashes are collapsed before parsing.
 */
export function requestUrl(raw: string | undefined): URL {
  const target = raw ?? '/';
  const query = target.indexOf('?');
  const path = query < 0 ? target : target.slice(0, query);
  const search = query < 0 ? '' : target.slice(query);
  return new URL(`http://emulator${path.replace(/\/{2,}/g, '/')}${search}`);
}

function route(ctx: EmulatorContext, admin: EmulatorAdmin, adminKey: string) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = requestUrl(req.url);
    const path = url.pathname;
    if (req.method === 'GET') {
      if (path === '/services/data' || path === '/services/data/') {
        handleVersions(res);
        return;
      }
      if (path === '/services/oauth2/userinfo' || path.startsWith('/id/')) {
        handleUserInfo(ctx, req, res);
        return;
      }
      if (handleRest(ctx, req, res, url)) return;
    }
    const body = await readBody(req, MAX_BODY_BYTES);
    if (path.startsWith(`${ADMIN_PREFIX}/`)) return handleAdmin(admin, adminKey, req, res, url, body);
    if (handleRestDeploy(ctx, req, res, url, body)) return;
    if (handleFlowSObjects(ctx, bearerOrg(ctx, req), req, res, url, body)) return;
    if (req.method === 'POST') {
      const soap = /^\/services\/Soap\/([mu])\/(\d+\.\d+)(\/[^/]*)?$/.exec(path);
      if (soap?.[1] === 'm') return handleMetadataSoap(ctx, req, res, body, soap[2] as string);
      if (soap?.[1] === 'u') {
        handlePartnerSoap(ctx, res, body, soap[2] as string);
        return;
      }
      if (path === '/services/oauth2/token') {
        handleOAuthToken(ctx, res, body);
        return;
      }
    }
    sendJson(res, 404, [
      { errorCode: 'NOT_FOUND', message: `The requested resource does not exist: ${req.method} ${path}` },
    ]);
  };
}

function answerError(res: ServerResponse, error: unknown, logger: EmulatorLogger): void {
  if (res.headersSent) return void res.destroy();
  if (error instanceof BodyTooLargeError) {
    res.setHeader('Connection', 'close');
    return sendXml(
      res,
      500,
      soapFault(
        new SoapFault(
          'EXCEEDED_MAX_SIZE_REQUEST',
          `Maximum size of request reached. Maximum size of request is ${MAX_BODY_BYTES} bytes.`,
        ),
      ),
    );
  }
  logger.error('request failed', error);
  sendXml(
    res,
    500,
    soapFault(new SoapFault('UNKNOWN_EXCEPTION', `An unexpected error occurred: ${(error as Error).message}`)),
  );
}

async function loadOrCreateDefaultOrg(
  ctx: EmulatorContext,
  store: StateStore | undefined,
  options: EmulatorOptions,
): Promise<Org> {
  const loaded = await store?.load();
  if (loaded) {
    for (const data of loaded.orgs) {
      const org = ctx.orgs.add(data);
      for (const record of loaded.components.get(org.id) ?? []) org.components.put(record);
    }
    ctx.sessions.restore(loaded.sessions);
  }
  const username = options.username ?? DEFAULT_USERNAME;
  let org = ctx.orgs.byUsername(username);
  if (!org) {
    org = ctx.orgs.create({
      name: 'Emulator Org',
      username,
      password: options.password ?? generatePassword(),
      accessToken: options.accessToken,
    });
  } else if (options.password) {
    org.user = { ...org.user, password: options.password };
  }
  if (options.accessToken) org.accessToken = options.accessToken;
  ctx.sessions.register(org.accessToken, org.id);
  ctx.changed([org]);
  return org;
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<EmulatorHandle> {
  const logger = options.logger ?? silentLogger;
  const adminKey = options.adminKey ?? randomBytes(16).toString('hex');
  let instanceUrl = '';
  let store: StateStore | undefined;
  const onError = (error: unknown) => logger.error('background task failed', error);
  const faults = new FaultInjector();
  const flows = new FlowVersions();
  const ctx: EmulatorContext = {
    orgs: new OrgRegistry(),
    sessions: new SessionStore(),
    faults,
    latencyMs: options.latencyMs ?? DEFAULT_LATENCY_MS,
    instanceUrl: () => instanceUrl,
    changed: (orgs) => store?.save(orgs),
    deploys: new DeployService({
      limits: SALESFORCE_LIMITS,
      faults,
      latencyMs: () => ctx.latencyMs,
      onOrgChanged: (org) => ctx.changed([org]),
      flows,
      onError,
    }),
    retrieves: new RetrieveService({ limits: SALESFORCE_LIMITS, latencyMs: () => ctx.latencyMs, onError }),
    flows,
  };
  if (options.dataDir)
    store = new StateStore(
      options.dataDir,
      { orgs: () => ctx.orgs.list(), sessions: () => ctx.sessions.snapshot() },
      onError,
    );
  const defaultOrg = await loadOrCreateDefaultOrg(ctx, store, options);

  const admin = new EmulatorAdmin(ctx);
  const handler = route(ctx, admin, adminKey);
  const server = createServer((req, res) => {
    handler(req, res).catch((error: unknown) => answerError(res, error, logger));
  });
  // Node closes an idle keep-alive connection after 5 s; a client that spends that long preparing its next request
  // (zipping 10,000 files on a busy machine) can write into the closing socket and get EPIPE. Salesforce keeps idle
  // connections far longer; so does the emulator (close() still ends every connection at once).
  server.keepAliveTimeout = 120_000;
  instanceUrl = `http://${await listen(server, options.port ?? 0, options.host ?? '127.0.0.1')}`;
  logger.info(`Salesforce emulator listening at ${instanceUrl}`);

  return {
    url: instanceUrl,
    adminKey,
    admin,
    defaultOrg: {
      id: defaultOrg.id,
      username: defaultOrg.user.username,
      password: defaultOrg.user.password,
      accessToken: defaultOrg.accessToken,
      instanceUrl,
    },
    async close() {
      ctx.deploys.close();
      ctx.retrieves.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await store?.flush();
    },
  };
}

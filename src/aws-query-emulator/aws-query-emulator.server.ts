// A local AWS endpoint over plain HTTP for EC2 Auto Scaling (AWS Query, Version=2011-01-01) and EC2 launch templates
// (EC2 Query, Version=2016-11-15): SigV4-checked, groups and instance refreshes over simulated time, fault injection
// and an admin API. Enough for @aws-sdk/client-auto-scaling and @aws-sdk/client-ec2 with an endpoint override.
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { BodyTooLargeError, listen, readBody } from '../common/http-io.js';
import { sleep } from '../common/polling.js';
import { AwsQueryEmulatorAdmin } from './admin/admin.api.js';
import { ADMIN_PREFIX, handleAdmin } from './admin/admin.routes.js';
import { FaultInjector, type AwsService } from './admin/fault-injector.js';
import { RequestLog } from './admin/request-log.js';
import { AUTOSCALING_NAMESPACE, AUTOSCALING_VERSION, handleAutoScaling } from './autoscaling/autoscaling.handler.js';
import { AutoScalingGroups } from './autoscaling/groups.js';
import { SimulatedClock } from './clock.js';
import { EC2_NAMESPACE, EC2_VERSION, handleEc2 } from './ec2/ec2.handler.js';
import { LaunchTemplateStore } from './ec2/launch-templates.js';
import { errorXml, successXml } from './wire/answers.js';
import { QueryError, QueryParams } from './wire/query-params.js';
import { verifySignature, type SignatureProblem } from './wire/sigv4.js';

export type { AwsQueryEmulatorAdmin, ClockAnswer } from './admin/admin.api.js';
export type { ApiErrorSpec, DropSpec, FaultsSnapshot, LatencySpec } from './admin/fault-injector.js';
export type { LoggedRequest } from './admin/request-log.js';

export interface AwsQueryEmulatorOptions {
  /** 0 (the default) picks a free port. */
  readonly port?: number;
  readonly host?: string;
  /** The only access key accepted (generated when absent). */
  readonly accessKeyId?: string;
  readonly secretAccessKey?: string;
  /** Region in ARNs and default availability zones (default us-east-1); any region in a signature is accepted. */
  readonly region?: string;
  /** Key for the x-emulator-admin header of /_emulator (generated when absent). */
  readonly adminKey?: string;
  /** Simulated seconds from launch to InService (default 30). */
  readonly instanceReadySeconds?: number;
  /** Simulated seconds from Terminating to gone (default 10). */
  readonly instanceTerminateSeconds?: number;
  /** How often the groups look at the clock, in real milliseconds (default 200). */
  readonly syncIntervalMs?: number;
  readonly logger?: { error(message: string, error?: unknown): void };
}

export interface AwsQueryEmulatorHandle {
  /** e.g. http://127.0.0.1:PORT — the `endpoint` of both SDK clients. */
  readonly url: string;
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  readonly adminKey: string;
  readonly admin: AwsQueryEmulatorAdmin;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 1024 * 1024;

interface Flavour {
  readonly service: AwsService;
  readonly flavour: 'query' | 'ec2';
  readonly namespace: string;
}

const AUTOSCALING: Flavour = { service: 'autoscaling', flavour: 'query', namespace: AUTOSCALING_NAMESPACE };
const EC2: Flavour = { service: 'ec2', flavour: 'ec2', namespace: EC2_NAMESPACE };

function authError(problem: SignatureProblem, service: AwsService): QueryError {
  switch (problem) {
    case 'missing':
      return new QueryError('MissingAuthenticationToken', 'Request is missing Authentication Token', 403);
    case 'malformed':
      return new QueryError(
        'IncompleteSignature',
        'The Authorization header is not a complete AWS4-HMAC-SHA256 signature with the host header signed.',
        400,
      );
    case 'unknown-key':
      return service === 'ec2'
        ? new QueryError('AuthFailure', 'AWS was not able to validate the provided access credentials', 401)
        : new QueryError('InvalidClientTokenId', 'The security token included in the request is invalid.', 403);
    case 'mismatch':
      return new QueryError(
        'SignatureDoesNotMatch',
        'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.',
        403,
      );
  }
}

export async function startAwsQueryEmulator(options: AwsQueryEmulatorOptions = {}): Promise<AwsQueryEmulatorHandle> {
  const credentials = {
    accessKeyId: options.accessKeyId ?? `AKIAEMU${randomBytes(7).toString('hex').toUpperCase().slice(0, 13)}`,
    secretAccessKey: options.secretAccessKey ?? randomBytes(30).toString('base64'),
  };
  const region = options.region ?? 'us-east-1';
  const adminKey = options.adminKey ?? randomBytes(16).toString('hex');
  const instanceReadySeconds = options.instanceReadySeconds ?? 30;
  const logger = options.logger ?? {
    error: (message, error) => console.error(`[aws-query-emulator] ${message}`, error ?? ''),
  };
  const clock = new SimulatedClock();
  const launchTemplates = new LaunchTemplateStore(() => clock.now());
  const groups = new AutoScalingGroups(
    launchTemplates,
    () => clock.now(),
    { instanceReadySeconds, instanceTerminateSeconds: options.instanceTerminateSeconds ?? 10 },
    region,
  );
  const faults = new FaultInjector();
  const requestLog = new RequestLog();
  const stepSeconds = Math.min(instanceReadySeconds, options.instanceTerminateSeconds ?? 10) || 1;
  const admin = new AwsQueryEmulatorAdmin(clock, groups, faults, stepSeconds, requestLog);

  /** Aborts the injected delays still running when the server closes. */
  const closing = new AbortController();
  const send = (res: ServerResponse, status: number, xml: string, requestId: string) => {
    const body = Buffer.from(xml, 'utf8');
    res.writeHead(status, {
      'Content-Type': 'text/xml;charset=UTF-8',
      'Content-Length': body.length,
      'x-amzn-RequestId': requestId,
    });
    res.end(body);
  };

  const serveAws = async (req: IncomingMessage, res: ServerResponse, url: URL, body: Buffer, requestId: string) => {
    const params = QueryParams.parse(req.method === 'GET' ? url.search.slice(1) : body.toString('utf8'));
    const version = params.string('Version');
    const flavour = version === EC2_VERSION ? EC2 : AUTOSCALING;
    try {
      if (version !== AUTOSCALING_VERSION && version !== EC2_VERSION)
        throw new QueryError(
          'InvalidParameterValue',
          `Version must be ${AUTOSCALING_VERSION} (Auto Scaling) or ${EC2_VERSION} (EC2), not ${version ?? 'missing'}.`,
        );
      const action = params.requiredString('Action');
      const problem = verifySignature(
        { method: req.method ?? 'POST', url: req.url ?? '/', headers: req.headers, body },
        credentials,
      );
      if (problem) throw authError(problem, flavour.service);
      requestLog.record(flavour.service, action, {
        instanceId: action === 'TerminateInstanceInAutoScalingGroup' ? params.string('InstanceId') : undefined,
        launchTemplateVersion:
          action === 'UpdateAutoScalingGroup' ? params.string('LaunchTemplate.Version') : undefined,
      });
      const delay = faults.latencyFor(action);
      if (delay > 0) await sleep(delay, closing.signal);
      if (faults.takeDrop(action)) return void req.socket.destroy();
      const injected = faults.takeApiError(action);
      if (injected) throw new QueryError(injected.code, injected.message, injected.status);
      groups.sync();
      const inner =
        flavour.service === 'ec2'
          ? handleEc2(launchTemplates, action, params)
          : handleAutoScaling(groups, action, params);
      send(res, 200, successXml(flavour.flavour, flavour.namespace, action, inner, requestId), requestId);
    } catch (error) {
      if (!(error instanceof QueryError)) throw error;
      send(
        res,
        error.status,
        errorXml(
          flavour.flavour,
          flavour.namespace,
          { code: error.code, message: error.message, status: error.status },
          requestId,
        ),
        requestId,
      );
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://emulator');
    const body = await readBody(req, MAX_BODY_BYTES);
    if (url.pathname === ADMIN_PREFIX || url.pathname.startsWith(`${ADMIN_PREFIX}/`)) {
      handleAdmin(admin, adminKey, req, res, url.pathname, body);
      return;
    }
    await serveAws(req, res, url, body, randomUUID());
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent || req.socket.destroyed) return void res.destroy();
      const requestId = randomUUID();
      if (error instanceof BodyTooLargeError)
        return send(
          res,
          413,
          errorXml(
            'query',
            AUTOSCALING_NAMESPACE,
            { code: 'RequestEntityTooLarge', message: error.message, status: 413 },
            requestId,
          ),
          requestId,
        );
      logger.error(`${req.method ?? ''} ${req.url ?? ''} failed`, error);
      send(
        res,
        500,
        errorXml(
          'query',
          AUTOSCALING_NAMESPACE,
          { code: 'InternalFailure', message: `Internal error: ${(error as Error).message}`, status: 500 },
          requestId,
        ),
        requestId,
      );
    });
  });
  server.keepAliveTimeout = 120_000;
  const url = `http://${await listen(server, options.port ?? 0, options.host ?? '127.0.0.1')}`;
  const timer = setInterval(() => {
    try {
      groups.sync();
    } catch (error) {
      logger.error('group sync failed', error);
    }
  }, options.syncIntervalMs ?? 200);

  return {
    url,
    region,
    credentials,
    adminKey,
    admin,
    async close() {
      clearInterval(timer);
      closing.abort();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

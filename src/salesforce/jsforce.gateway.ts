import { randomUUID } from 'node:crypto';
import { Connection, OAuth2 } from 'jsforce';
import type { AsyncResult, FileProperties as SoapFileProperties } from 'jsforce/lib/api/metadata.js';
import { SOAP } from 'jsforce/lib/soap.js';
import type { HttpResponse, Schema } from 'jsforce/lib/types/index.js';
import type { MemberRef } from './component.types.js';
import {
  SalesforceApiError,
  SalesforceAuthError,
  SalesforceUnavailableError,
  type DeployOptions,
  type DeployStatus,
  type FileProperties,
  type FlowDefinitionState,
  type MetadataApiGateway,
  type MetadataSession,
  type OrgAuth,
  type OrgTarget,
  type RecentDeploy,
  type RetrieveStatus,
} from './metadata-api.gateway.js';
import {
  asArray,
  normalizeDeployResult,
  normalizeFileProperties,
  normalizeRetrieveResult,
  takeZipFile,
  withoutFileProperties,
} from './metadata-results.js';
import { DEFAULT_RETRY, withRetry, withTimeout, type RetryPolicy } from '../common/retry.js';
import { maskSecrets } from '../common/text.js';
import { spliceBase64 } from './soap-body.js';
import { parseSoapXml } from './soap-xml.js';

/** The parts of an SFDX auth URL: `force://<clientId>:<clientSecret>:<refreshToken>@<instanceUrl>`. */
export interface SfdxAuthUrlParts {
  clientId: string;
  clientSecret?: string;
  refreshToken: string;
  instanceUrl: string;
}

/** Parses an SFDX auth URL, with or without the client secret. Throws SalesforceAuthError (without echoing it). */
export function parseSfdxAuthUrl(url: string): SfdxAuthUrlParts {
  const match = /^force:\/\/([^:@]+):([^@]*)@(.+)$/.exec(url.trim());
  if (!match) {
    throw new SalesforceAuthError(
      'The SFDX auth URL is not of the form force://<clientId>:<clientSecret>:<refreshToken>@<instanceUrl>.',
    );
  }
  const [, clientId, secretAndToken, host] = match as unknown as [string, string, string, string];
  const colon = secretAndToken.lastIndexOf(':');
  const clientSecret = colon >= 0 ? secretAndToken.slice(0, colon) : '';
  const refreshToken = colon >= 0 ? secretAndToken.slice(colon + 1) : secretAndToken;
  if (!refreshToken) throw new SalesforceAuthError('The SFDX auth URL holds no refresh token.');
  const instanceUrl = /^https?:\/\//i.test(host) ? host.replace(/\/+$/, '') : `https://${host.replace(/\/+$/, '')}`;
  return { clientId, ...(clientSecret ? { clientSecret } : {}), refreshToken, instanceUrl };
}

const AUTH_CODES =
  /INVALID_SESSION_ID|INVALID_LOGIN|INVALID_AUTH|invalid_grant|invalid_client|unauthorized_client|inactive_user|inactive_org|LOGIN_MUST_USE_SECURITY_TOKEN|PASSWORD_LOCKOUT|INVALID_OPERATION_WITH_EXPIRED_PASSWORD|API_DISABLED_FOR_ORG/i;
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ERR_STREAM_PREMATURE_CLOSE',
]);

function secretsOf(auth: OrgAuth): string[] {
  switch (auth.type) {
    case 'accessToken':
      return [auth.accessToken];
    case 'refreshToken':
      return [auth.refreshToken, auth.clientSecret ?? ''];
    case 'sfdxAuthUrl':
      return [auth.sfdxAuthUrl, ...auth.sfdxAuthUrl.replace(/^force:\/\//, '').split(/[:@]/)];
    case 'password':
      return [auth.password, auth.clientSecret ?? ''];
  }
}

/** Removes every credential (and anything shaped like a session id) from a message. */
export function redact(message: string, secrets: string[]): string {
  return maskSecrets(message, secrets).replace(/00D[A-Za-z0-9]{12,15}![A-Za-z0-9._-]{20,}/g, '***');
}

/** What jsforce, undici and Node throw: any of these fields may be there (SOAP faults, HTTP errors, socket errors). */
interface RawError {
  name?: string;
  message?: string;
  errorCode?: string;
  code?: string;
  statusCode?: number;
  cause?: { code?: string };
}

/** The fields of a thrown value; none for a thrown string, null or undefined. */
function rawError(err: unknown): RawError {
  return typeof err === 'object' && err !== null ? err : {};
}

function errorCode(err: unknown): string {
  const e = rawError(err);
  return e.errorCode ?? e.cause?.code ?? e.code ?? e.name ?? '';
}

/** Maps any error from jsforce or the network to the gateway's three error types. */
export function mapSalesforceError(err: unknown, secrets: string[], action: string): Error {
  if (
    err instanceof SalesforceAuthError ||
    err instanceof SalesforceApiError ||
    err instanceof SalesforceUnavailableError
  )
    return err;
  const e = rawError(err);
  const message = redact(String(e.message ?? err), secrets);
  const code = errorCode(err);
  const names = [e.name, e.errorCode, e.code].filter(Boolean).join(' ');
  if (AUTH_CODES.test(names) || AUTH_CODES.test(message) || e.statusCode === 401) {
    return new SalesforceAuthError(
      `Salesforce refused the credentials while trying to ${action} (${message}): update the org's credentials.`,
      code,
    );
  }
  if (
    NETWORK_CODES.has(e.code ?? '') ||
    NETWORK_CODES.has(e.cause?.code ?? '') ||
    /fetch failed|socket hang up|network|ECONNREFUSED|ENOTFOUND|timed? ?out/i.test(message) ||
    [502, 503, 504].includes(e.statusCode ?? 0)
  ) {
    return new SalesforceUnavailableError(
      `Salesforce could not be reached while trying to ${action} (${message}).`,
      code,
    );
  }
  const faultCode = (e.errorCode ?? e.name ?? 'UNKNOWN').replace(/^Error$/, 'UNKNOWN');
  return new SalesforceApiError(
    faultCode,
    `Salesforce answered with ${faultCode} while trying to ${action}: ${message}`,
  );
}

function isSessionExpired(err: unknown): boolean {
  const e = rawError(err);
  return (
    /INVALID_SESSION_ID/.test(`${e.name ?? ''} ${e.errorCode ?? ''}`) || /^INVALID_SESSION_ID/.test(e.message ?? '')
  );
}

function orgIdFromIdentityUrl(id: unknown): string | undefined {
  if (typeof id !== 'string') return undefined;
  const match = /\/id\/(00D[A-Za-z0-9]{12,15})\//.exec(id);
  return match?.[1];
}

interface Established {
  conn: Connection;
  organizationId?: string;
  username?: string;
}

async function establish(target: OrgTarget): Promise<Established> {
  const version = target.apiVersion;
  const auth = target.auth;
  switch (auth.type) {
    case 'accessToken':
      return { conn: new Connection({ instanceUrl: target.instanceUrl, accessToken: auth.accessToken, version }) };
    case 'refreshToken':
    case 'sfdxAuthUrl': {
      const parts =
        auth.type === 'sfdxAuthUrl'
          ? parseSfdxAuthUrl(auth.sfdxAuthUrl)
          : {
              clientId: auth.clientId,
              clientSecret: auth.clientSecret,
              refreshToken: auth.refreshToken,
              instanceUrl: auth.loginUrl ?? target.instanceUrl,
            };
      const oauth2 = new OAuth2({
        clientId: parts.clientId,
        ...(parts.clientSecret ? { clientSecret: parts.clientSecret } : {}),
        loginUrl: parts.instanceUrl,
        redirectUri: 'http://localhost:1717/OauthRedirect',
      });
      const token = (await oauth2.refreshToken(parts.refreshToken)) as unknown as Record<string, unknown>;
      const accessToken = token.access_token;
      if (typeof accessToken !== 'string' || !accessToken)
        throw new SalesforceAuthError('The token endpoint answered without an access token.');
      const instanceUrl =
        typeof token.instance_url === 'string' && token.instance_url ? token.instance_url : target.instanceUrl;
      const organizationId = orgIdFromIdentityUrl(token.id);
      return {
        conn: new Connection({ instanceUrl, accessToken, version }),
        ...(organizationId ? { organizationId } : {}),
      };
    }
    case 'password': {
      const loginUrl = auth.loginUrl ?? 'https://login.salesforce.com';
      if (auth.clientId) {
        if (!auth.clientSecret) {
          throw new SalesforceAuthError(
            "The OAuth username-password flow needs the connected app's client secret: add it, or leave out the client id to use the SOAP login.",
          );
        }
        const conn = new Connection({
          version,
          loginUrl,
          oauth2: {
            clientId: auth.clientId,
            ...(auth.clientSecret ? { clientSecret: auth.clientSecret } : {}),
            loginUrl,
            redirectUri: 'http://localhost:1717/OauthRedirect',
          },
        });
        const info = await conn.loginByOAuth2(auth.username, auth.password);
        return { conn, organizationId: info.organizationId, username: auth.username };
      }
      const conn = new Connection({ version, loginUrl });
      const info = await conn.loginBySoap(auth.username, auth.password);
      return { conn, organizationId: info.organizationId, username: auth.username };
    }
  }
}

/** How long one Metadata API call may take, and how idempotent calls are retried. */
export interface GatewayOptions {
  callTimeoutMs: number;
  retry: RetryPolicy;
}

/**
 * What a SOAP or REST call really answers: jsforce types the answers as complete, but Salesforce leaves out empty
 * fields, answers one object where a list has one item and nothing where it has none.
 */
type Answer<T> = Partial<T> | null | undefined;
type ListAnswer<T> = T | T[] | null | undefined;

const DEFAULT_GATEWAY_OPTIONS: GatewayOptions = { callTimeoutMs: 120_000, retry: DEFAULT_RETRY };

/** The MetadataApiGateway over jsforce 3 (SOAP Metadata API). */
export class JsforceMetadataGateway implements MetadataApiGateway {
  private readonly options: GatewayOptions;

  constructor(options: Partial<GatewayOptions> = {}) {
    this.options = { ...DEFAULT_GATEWAY_OPTIONS, ...options };
  }

  async connect(target: OrgTarget): Promise<MetadataSession> {
    const secrets = secretsOf(target.auth);
    try {
      const established = await withRetry(() => this.timed(establish(target)), {
        policy: this.options.retry,
        retryable: (e) => mapSalesforceError(e, secrets, 'log in') instanceof SalesforceUnavailableError,
      });
      return new JsforceMetadataSession(target, established, secrets, this.options);
    } catch (err) {
      throw mapSalesforceError(err, secrets, 'log in');
    }
  }

  private timed<T>(promise: Promise<T>): Promise<T> {
    return withTimeout(promise, this.options.callTimeoutMs, () => timeoutError(this.options.callTimeoutMs, 'log in'));
  }
}

function timeoutError(ms: number, action: string): SalesforceUnavailableError {
  return new SalesforceUnavailableError(
    `Salesforce did not answer within ${Math.round(ms / 1000)} s while trying to ${action} ` +
      '(METADATA_CALL_TIMEOUT_SECONDS).',
    'ETIMEDOUT',
  );
}

/** The access token alone cannot be renewed: said plainly, so an operator knows to update the org's credentials. */
export const ACCESS_TOKEN_EXPIRED =
  "The org's access token has expired or was revoked (INVALID_SESSION_ID); an access token cannot be renewed: " +
  "update the org's credentials (PUT /api/orgs/:id/credentials).";

class JsforceMetadataSession implements MetadataSession {
  constructor(
    private readonly target: OrgTarget,
    private state: Established,
    private readonly secrets: string[],
    private readonly options: GatewayOptions,
  ) {}

  /**
   * Runs a call with the per-call timeout. On an expired session re-authenticates once (when the credentials allow
   * it) and retries. `idempotent` calls are also retried with back-off on network errors, timeouts and 502-504.
   */
  private async call<T>(action: string, fn: (conn: Connection) => Promise<T>, idempotent = true): Promise<T> {
    if (!idempotent) return this.callOnce(action, fn);
    return withRetry(() => this.callOnce(action, fn), {
      policy: this.options.retry,
      retryable: (e) => e instanceof SalesforceUnavailableError,
    });
  }

  private async callOnce<T>(action: string, fn: (conn: Connection) => Promise<T>): Promise<T> {
    const ms = this.options.callTimeoutMs;
    const timed = () => withTimeout(fn(this.state.conn), ms, () => timeoutError(ms, action));
    try {
      return await timed();
    } catch (err) {
      if (isSessionExpired(err) && this.target.auth.type === 'accessToken') {
        throw new SalesforceAuthError(ACCESS_TOKEN_EXPIRED, 'INVALID_SESSION_ID');
      }
      if (!isSessionExpired(err)) throw mapSalesforceError(err, this.secrets, action);
    }
    try {
      this.state = await withTimeout(establish(this.target), this.options.callTimeoutMs, () =>
        timeoutError(this.options.callTimeoutMs, 'renew the session'),
      );
    } catch (err) {
      throw mapSalesforceError(err, this.secrets, 'renew the session');
    }
    try {
      return await timed();
    } catch (err) {
      throw mapSalesforceError(err, this.secrets, action);
    }
  }

  /**
   * Who the session belongs to. Known from the login for password/refresh flows; for an access token it asks the
   * org (`/services/oauth2/userinfo`), so it doubles as a credentials check: errors are the gateway's typed ones.
   */
  async identity(): Promise<{ organizationId?: string; username?: string }> {
    if (this.state.organizationId || this.state.username) {
      return {
        ...(this.state.organizationId ? { organizationId: this.state.organizationId } : {}),
        ...(this.state.username ? { username: this.state.username } : {}),
      };
    }
    const info = await this.call('read the user identity', (conn) =>
      conn.request<Answer<Record<string, unknown>>>({ method: 'GET', url: '/services/oauth2/userinfo' }),
    );
    const organizationId = typeof info?.organization_id === 'string' ? info.organization_id : undefined;
    const username =
      typeof info?.preferred_username === 'string'
        ? info.preferred_username
        : typeof info?.username === 'string'
          ? info.username
          : undefined;
    if (organizationId) this.state.organizationId = organizationId;
    if (username) this.state.username = username;
    return { ...(organizationId ? { organizationId } : {}), ...(username ? { username } : {}) };
  }

  async startDeploy(zip: Buffer, options: DeployOptions): Promise<string> {
    const opts = { rollbackOnError: true, singlePackage: true, ...options };
    // Not idempotent: each call starts a new deploy, so it is never retried here.
    const result = await this.call<Answer<AsyncResult>>('start the deploy', (conn) => deploy(conn, zip, opts), false);
    if (!result?.id) throw new SalesforceApiError('NO_ASYNC_ID', 'Salesforce accepted the deploy but returned no id.');
    return result.id;
  }

  async checkDeploy(asyncId: string, options: { details?: boolean } = {}): Promise<DeployStatus> {
    const raw = await this.call('check the deploy', (conn) =>
      checkDeployStatus(conn, asyncId, options.details ?? true),
    );
    return normalizeDeployResult(raw);
  }

  async cancelDeploy(asyncId: string): Promise<void> {
    await this.call('cancel the deploy', (conn) => conn.metadata.cancelDeploy(asyncId));
  }

  async recentDeploys(since: Date): Promise<RecentDeploy[]> {
    const soql = recentDeploysQuery(since);
    const raw = await this.call('list the recent deploys', (conn) =>
      Promise.resolve(conn.tooling.query<Record<string, unknown>>(soql)),
    );
    return raw.records.map(normalizeRecentDeploy).filter((d): d is RecentDeploy => d !== null);
  }

  async startRetrieve(members: MemberRef[]): Promise<string> {
    const byType = new Map<string, string[]>();
    for (const m of members) {
      // pushed, not copied: a retrieve of 7,000 fields of one type copied its list 7,000 times (hundreds of MB)
      const names = byType.get(m.type);
      if (names) names.push(m.fullName);
      else byType.set(m.type, [m.fullName]);
    }
    const request = {
      apiVersion: this.target.apiVersion,
      singlePackage: true,
      unpackaged: {
        types: [...byType]
          .sort(([a], [b]) => (a < b ? -1 : 1))
          .map(([name, names]) => ({ name, members: [...new Set(names)].sort() })),
        version: this.target.apiVersion,
      },
    };
    const result = await this.call<Answer<AsyncResult>>(
      'start the retrieve',
      async (conn) => await conn.metadata.retrieve(request as never),
    );
    if (!result?.id)
      throw new SalesforceApiError('NO_ASYNC_ID', 'Salesforce accepted the retrieve but returned no id.');
    return result.id;
  }

  async checkRetrieve(id: string): Promise<RetrieveStatus> {
    const raw = await this.call('check the retrieve', (conn) => checkRetrieveStatus(conn, id));
    return normalizeRetrieveResult(raw);
  }

  async listMetadata(queries: { type: string; folder?: string }[]): Promise<FileProperties[]> {
    const out: FileProperties[] = [];
    for (let i = 0; i < queries.length; i += 3) {
      const batch = queries.slice(i, i + 3);
      const raw = await this.call<ListAnswer<SoapFileProperties>>('list metadata', (conn) =>
        conn.metadata.list(batch, this.target.apiVersion),
      );
      out.push(...asArray(raw).map(normalizeFileProperties));
    }
    return out;
  }

  async flowDefinitions(names: string[]): Promise<FlowDefinitionState[]> {
    const out: FlowDefinitionState[] = [];
    for (let i = 0; i < names.length; i += FLOW_NAMES_PER_QUERY) {
      const [definitions, versions] = flowQueries(names.slice(i, i + FLOW_NAMES_PER_QUERY));
      const read = (soql: string) =>
        this.call('read the flow definitions', (conn) =>
          Promise.resolve(conn.tooling.query<Record<string, unknown>>(soql, { autoFetch: true })),
        );
      out.push(...flowDefinitionStates((await read(definitions)).records, (await read(versions)).records));
    }
    return out;
  }

  async setActiveFlowVersion(definitionId: string, versionNumber: number): Promise<void> {
    await this.call(`set the active version of flow definition ${definitionId}`, (conn) =>
      conn.tooling.request({
        method: 'PATCH',
        url: `/tooling/sobjects/FlowDefinition/${definitionId}`,
        body: JSON.stringify({ Metadata: { activeVersionNumber: versionNumber } }),
        headers: { 'content-type': 'application/json' },
      }),
    );
  }

  async deleteFlowVersion(versionId: string): Promise<void> {
    await this.call(
      `delete flow version ${versionId}`,
      (conn) => conn.tooling.request({ method: 'DELETE', url: `/tooling/sobjects/Flow/${versionId}` }),
      false,
    );
  }
}

const FLOW_NAMES_PER_QUERY = 100;

/** The Tooling API queries of these flows' definitions and of their versions. */
export function flowQueries(names: string[]): [string, string] {
  const list = names.map((n) => `'${n.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`).join(', ');
  return [
    'SELECT Id, DeveloperName, ActiveVersion.VersionNumber, LatestVersion.VersionNumber FROM FlowDefinition ' +
      `WHERE DeveloperName IN (${list})`,
    `SELECT Id, VersionNumber, Status, Definition.DeveloperName FROM Flow WHERE Definition.DeveloperName IN (${list})`,
  ];
}

/** FlowDefinition and Flow records as FlowDefinitionStates (records without an id or a name are left out). */
export function flowDefinitionStates(
  definitions: Record<string, unknown>[],
  versions: Record<string, unknown>[],
): FlowDefinitionState[] {
  const related = (record: Record<string, unknown>, field: string): Record<string, unknown> | undefined => {
    const value = record[field];
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  };
  const number = (value: unknown): number | null => (typeof value === 'number' ? value : null);
  return definitions.flatMap((d) => {
    const name = d.DeveloperName;
    if (typeof d.Id !== 'string' || typeof name !== 'string') return [];
    const own = versions
      .filter((v) => {
        const owner = related(v, 'Definition')?.DeveloperName;
        return typeof owner === 'string' && owner.toLowerCase() === name.toLowerCase();
      })
      .flatMap((v) =>
        typeof v.Id === 'string' && typeof v.VersionNumber === 'number'
          ? [{ id: v.Id, versionNumber: v.VersionNumber, status: typeof v.Status === 'string' ? v.Status : 'Unknown' }]
          : [],
      )
      .sort((a, b) => a.versionNumber - b.versionNumber);
    return [
      {
        developerName: name,
        definitionId: d.Id,
        activeVersionNumber: number(related(d, 'ActiveVersion')?.VersionNumber),
        latestVersionNumber: number(related(d, 'LatestVersion')?.VersionNumber),
        versions: own,
      },
    ];
  });
}

/** The Tooling API query of the org's deploys received since `since`, newest first. */
export function recentDeploysQuery(since: Date): string {
  const literal = since.toISOString().replace(/\.\d{3}Z$/, 'Z');
  return (
    'SELECT Id, Status, CreatedDate, CompletedDate, CheckOnly, NumberComponentsTotal FROM DeployRequest ' +
    `WHERE CreatedDate >= ${literal} ORDER BY CreatedDate DESC`
  );
}

/** A DeployRequest record as a RecentDeploy; null when it has no id or no readable CreatedDate. */
export function normalizeRecentDeploy(record: Record<string, unknown>): RecentDeploy | null {
  const date = (value: unknown): Date | undefined => {
    if (typeof value !== 'string') return undefined;
    const parsed = new Date(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
    return Number.isNaN(parsed.getTime()) ? undefined : parsed;
  };
  const id = typeof record.Id === 'string' ? record.Id : undefined;
  const createdDate = date(record.CreatedDate);
  if (!id || !createdDate) return null;
  const completedDate = date(record.CompletedDate);
  return {
    id,
    status: typeof record.Status === 'string' ? record.Status : 'Unknown',
    createdDate,
    ...(completedDate ? { completedDate } : {}),
    checkOnly: record.CheckOnly === true || record.CheckOnly === 'true',
    numberComponentsTotal: Number(record.NumberComponentsTotal ?? 0) || 0,
  };
}

/**
 * jsforce's own SOAP client for the Metadata API (its envelope, session header, session renewal and faults), reading
 * XML answers with `parseSoapXml`: xml2js's shape, in a tenth of the time. What that does not read goes to jsforce's
 * parser as before.
 */
class MetadataSoap extends SOAP<Schema> {
  constructor(conn: Connection) {
    super(conn, {
      xmlns: 'http://soap.sforce.com/2006/04/metadata',
      endpointUrl: `${conn.instanceUrl}/services/Soap/m/${conn.version}`,
    });
  }

  override async parseResponseBody(response: HttpResponse): Promise<unknown> {
    const type = this.getResponseContentType(response) ?? '';
    if (typeof response.body === 'string' && /^(text|application)\/xml(;|$)/.test(type)) {
      try {
        return parseSoapXml(response.body);
      } catch {
        // not a document parseSoapXml reads: jsforce's parser decides
      }
    }
    return super.parseResponseBody(response);
  }
}

/**
 * The SOAP client of one deploy: jsforce's envelope, with the zip's base64 written into the request's bytes where
 * the placeholder stands (`spliceBase64`); jsforce would hold the base64, the envelope and the request as three
 * strings or buffers of 6 MB each for a 4.5 MB zip, the service's highest point in memory during a large deploy. The
 * bytes sent are those jsforce sends. Made again, with the session's token, when jsforce renews the session.
 */
class DeploySoap extends MetadataSoap {
  constructor(
    conn: Connection,
    private readonly zip: Buffer,
    private readonly placeholder: string,
  ) {
    super(conn);
  }

  override beforeSend(request: Parameters<SOAP<Schema>['beforeSend']>[0]): void {
    super.beforeSend(request);
    // jsforce's envelope is a string; anything else would be a jsforce this code does not know
    if (typeof request.body !== 'string')
      throw new Error('jsforce made a SOAP envelope that is not a string: nothing was sent.');
    const body = spliceBase64(request.body, this.placeholder, this.zip);
    request.body = body;
    request.headers = { ...request.headers, 'content-length': String(body.length) };
  }
}

/** `conn.metadata.deploy(zip, options)` through `DeploySoap`: Salesforce's AsyncResult (its id). */
async function deploy(conn: Connection, zip: Buffer, options: DeployOptions): Promise<Answer<AsyncResult>> {
  const placeholder = `BACKTRACK-ZIP-${randomUUID()}`;
  const answer: unknown = await new DeploySoap(conn, zip, placeholder).invoke('deploy', {
    ZipFile: placeholder,
    DeployOptions: options,
  });
  return (answer as { result?: Answer<AsyncResult> } | undefined)?.result;
}

/**
 * `conn.metadata.checkRetrieveStatus`, made through jsforce's SOAP client, with the answer's zip taken out and
 * decoded (`takeZipFile`) and its fileProperties dropped (`withoutFileProperties`) before the rest is parsed. Not
 * cast by jsforce's schema: `normalizeRetrieveResult` reads strings, single objects and nils, and the zip as a Buffer.
 */
async function checkRetrieveStatus(conn: Connection, asyncProcessId: string): Promise<Record<string, unknown>> {
  const soap = new MetadataSoap(conn);
  let zip: Buffer | undefined;
  soap.on('response', (response: { body?: unknown }) => {
    if (typeof response.body !== 'string') return;
    const taken = takeZipFile(response.body);
    zip = taken.zip;
    response.body = withoutFileProperties(taken.xml);
  });
  const answer: unknown = await soap.invoke('checkRetrieveStatus', { asyncProcessId });
  const result = (answer as { result: Record<string, unknown> }).result;
  return zip ? { ...result, zipFile: zip } : result;
}

/**
 * `conn.metadata.checkDeployStatus`, made through jsforce's SOAP client. With details, the answer holds a message per
 * component: 10,000 of them took xml2js most of a second. Not cast by jsforce's schema: `normalizeDeployResult` reads
 * strings, single objects and nils.
 */
async function checkDeployStatus(
  conn: Connection,
  asyncProcessId: string,
  includeDetails: boolean,
): Promise<Record<string, unknown>> {
  const answer: unknown = await new MetadataSoap(conn).invoke('checkDeployStatus', { asyncProcessId, includeDetails });
  return (answer as { result: Record<string, unknown> }).result;
}

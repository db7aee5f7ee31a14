// The one narrow file through which Backtrack talks to Cloud Foundry: a small typed v3 client (there is no official
// JavaScript v3 SDK). It logs in at UAA (password grant with client `cf` and an empty secret, as the cf CLI does, or
// client credentials), sends `Authorization: bearer`, fetches a token again once on a 401, and turns CF's
// `{errors: [...]}` answers into CfApiError. Plain node:http(s), so `skipSslValidation` needs no extra package.
import http from 'node:http';
import https from 'node:https';

export interface CfErrorEntry {
  code: number;
  title: string;
  detail: string;
}

/** A CF answer with an error list (4xx/5xx). `status` ≥ 500 means the call's outcome is unknown for a write. */
export class CfApiError extends Error {
  override readonly name = 'CfApiError';
  constructor(
    readonly status: number,
    readonly errors: CfErrorEntry[],
    readonly headers: Headers,
  ) {
    super(`${status} ${errors.map((e) => `${e.title}: ${e.detail}`).join('; ')}`);
  }

  get first(): CfErrorEntry {
    return this.errors[0] ?? { code: 0, title: 'Unknown', detail: '' };
  }
}

/** The call got no CF answer (connection refused or dropped, timeout, a reply that is not CF's): outcome unknown. */
export class CfUnreachableError extends Error {
  override readonly name = 'CfUnreachableError';
}

/** UAA refused the credentials (never carries them). */
export class CfAuthError extends Error {
  override readonly name = 'CfAuthError';
}

/** What every v3 resource has (the fields Backtrack reads). */
export interface V3Resource {
  guid: string;
  created_at: string;
  updated_at: string;
  links: Record<string, { href: string; method?: string } | undefined>;
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
}
export interface CfApp extends V3Resource {
  name: string;
  state: string;
}
export interface CfPackage extends V3Resource {
  state: string;
}
export interface CfBuild extends V3Resource {
  state: string;
  error: string | null;
  droplet: { guid: string } | null;
}
export interface CfRevision extends V3Resource {
  version: number;
  droplet: { guid: string };
  deployable: boolean;
  description: string;
}
export interface CfDeployment extends V3Resource {
  status: { value: string; reason: string; canary?: { steps?: { current?: number; total?: number } } };
  droplet: { guid: string } | null;
  revision: { guid: string; version: number } | null;
  options?: { web_instances?: number };
}

export interface ListPage<T = V3Resource> {
  pagination: {
    total_results: number;
    total_pages: number;
    first: { href: string };
    last: { href: string };
    next: { href: string } | null;
    previous: { href: string } | null;
  };
  resources: T[];
}

export type Login =
  | { grant: 'password'; username: string; password: string }
  | { grant: 'client_credentials'; clientId: string; clientSecret: string };

export interface CfClientOptions {
  /** The UAA (login) endpoint; discovered from `GET /` (links.login, else links.uaa) when absent. */
  uaaUrl?: string;
  login?: Login;
  skipSslValidation?: boolean;
  /** Stops every call at once (the job's signal). */
  signal?: AbortSignal;
  /** Per call, in milliseconds (default 60 s). */
  timeoutMs?: number;
  /** Called once per request sent (the bench counts calls through it). */
  onRequest?: (method: string, path: string) => void;
}

interface RawAnswer {
  status: number;
  headers: Headers;
  text: string;
}

export class CfClient {
  accessToken: string | undefined;
  private uaaUrl: string | undefined;

  constructor(
    readonly api: string,
    private readonly options: CfClientOptions = {},
  ) {
    this.api = api.replace(/\/+$/, '');
    this.uaaUrl = options.uaaUrl?.replace(/\/+$/, '');
  }

  /** Gets a token for `login` (or the one given in the options) and keeps it for the calls that follow. */
  async login(login: Login | undefined = this.options.login): Promise<Record<string, unknown>> {
    if (!login) throw new CfAuthError('No Cloud Foundry credentials to log in with.');
    const uaa = this.uaaUrl ?? (this.uaaUrl = await this.discoverUaa());
    const form = new URLSearchParams();
    const headers: Record<string, string> = { 'Content-Type': 'application/x-www-form-urlencoded' };
    if (login.grant === 'password') {
      form.set('grant_type', 'password');
      form.set('username', login.username);
      form.set('password', login.password);
      headers.Authorization = `Basic ${Buffer.from('cf:').toString('base64')}`;
    } else {
      form.set('grant_type', 'client_credentials');
      form.set('client_id', login.clientId);
      form.set('client_secret', login.clientSecret);
    }
    const answer = await this.send('POST', `${uaa}/oauth/token`, headers, Buffer.from(form.toString()));
    const body = parseJson(answer.text) as Record<string, unknown> | undefined;
    if (answer.status === 401 || answer.status === 400 || answer.status === 403)
      throw new CfAuthError(
        `UAA at ${uaa} refused the credentials (${answer.status}${typeof body?.error === 'string' ? ` ${body.error}` : ''}).`,
      );
    if (answer.status !== 200 || typeof body?.access_token !== 'string')
      throw new CfUnreachableError(`UAA at ${uaa} answered ${answer.status} to a token request.`);
    this.accessToken = body.access_token;
    return body;
  }

  private async discoverUaa(): Promise<string> {
    const answer = await this.send('GET', `${this.api}/`, {}, undefined);
    const root = parseJson(answer.text) as { links?: Record<string, { href?: string } | null> } | undefined;
    const href = root?.links?.login?.href ?? root?.links?.uaa?.href;
    if (answer.status !== 200 || typeof href !== 'string')
      throw new CfUnreachableError(`${this.api}/ does not link a login (UAA) endpoint; give uaaUrl in the connection.`);
    return href.replace(/\/+$/, '');
  }

  /** One v3 call; a 401 fetches a new token and sends the call once more. */
  async request<T = V3Resource>(method: string, path: string, body?: unknown): Promise<T> {
    if (!this.accessToken && this.options.login) await this.login();
    let answer = await this.authorized(method, path, body);
    if (answer.status === 401 && this.options.login) {
      await this.login();
      answer = await this.authorized(method, path, body);
    }
    const parsed = parseJson(answer.text);
    if (answer.status >= 400) {
      const errors = (parsed as { errors?: CfErrorEntry[] } | undefined)?.errors;
      if (!Array.isArray(errors))
        throw new CfUnreachableError(`${method} ${pathOnly(path)} answered ${answer.status} without a CF error list.`);
      throw new CfApiError(answer.status, errors, answer.headers);
    }
    return parsed as T;
  }

  private async authorized(method: string, path: string, body: unknown): Promise<RawAnswer> {
    const headers: Record<string, string> = {};
    if (this.accessToken) headers.Authorization = `bearer ${this.accessToken}`;
    let payload: Buffer | undefined;
    if (body instanceof FormData) {
      const encoded = new Response(body);
      headers['Content-Type'] = encoded.headers.get('content-type') ?? 'multipart/form-data';
      payload = Buffer.from(await encoded.arrayBuffer());
    } else if (body instanceof Multipart) {
      headers['Content-Type'] = body.contentType;
      payload = body.bytes;
    } else if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      payload = Buffer.from(JSON.stringify(body));
    }
    const url = path.startsWith('http') ? path : `${this.api}${path}`;
    this.options.onRequest?.(method, pathOnly(url));
    return this.send(method, url, headers, payload);
  }

  get<T = V3Resource>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  post<T = V3Resource>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('POST', path, body);
  }

  list<T = V3Resource>(path: string): Promise<ListPage<T>> {
    return this.get<ListPage<T>>(path);
  }

  /** Every resource across pages, following `pagination.next`. */
  async all<T = V3Resource>(path: string): Promise<T[]> {
    const resources: T[] = [];
    let next: string | undefined = path;
    while (next) {
      const page: ListPage<T> = await this.list<T>(next);
      resources.push(...page.resources);
      next = page.pagination.next?.href;
    }
    return resources;
  }

  /** A resource, or null on CF's 404. */
  async find<T = V3Resource>(path: string): Promise<T | null> {
    try {
      return await this.get<T>(path);
    } catch (error) {
      if (error instanceof CfApiError && error.status === 404) return null;
      throw error;
    }
  }

  /** `POST /v3/packages/:guid/upload` with the zip as the `bits` field and no known resources. */
  uploadBits(packageGuid: string, zip: Uint8Array): Promise<CfPackage> {
    return this.post<CfPackage>(
      `/v3/packages/${packageGuid}/upload`,
      new Multipart([
        { name: 'resources', value: Buffer.from('[]') },
        { name: 'bits', value: Buffer.from(zip), filename: 'package.zip', type: 'application/zip' },
      ]),
    );
  }

  private send(method: string, url: string, headers: Record<string, string>, body: Buffer | undefined) {
    const target = new URL(url);
    const transport = target.protocol === 'https:' ? https : http;
    const timeoutMs = this.options.timeoutMs ?? 60_000;
    return new Promise<RawAnswer>((resolve, reject) => {
      const req = transport.request(
        target,
        {
          method,
          headers: { Accept: 'application/json', ...headers, ...(body ? { 'Content-Length': body.length } : {}) },
          signal: this.options.signal,
          timeout: timeoutMs,
          ...(target.protocol === 'https:' ? { rejectUnauthorized: this.options.skipSslValidation !== true } : {}),
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', (error) => reject(unreachable(method, url, error)));
          res.on('end', () => {
            const answerHeaders = new Headers();
            for (const [key, value] of Object.entries(res.headers))
              if (typeof value === 'string') answerHeaders.set(key, value);
            resolve({
              status: res.statusCode ?? 0,
              headers: answerHeaders,
              text: Buffer.concat(chunks).toString('utf8'),
            });
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      req.on('error', (error) => reject(this.options.signal?.aborted ? error : unreachable(method, url, error)));
      req.end(body);
    });
  }
}

/** A multipart/form-data body built by hand (fields and one file). */
class Multipart {
  readonly contentType: string;
  readonly bytes: Buffer;

  constructor(parts: { name: string; value: Buffer; filename?: string; type?: string }[]) {
    const boundary = `backtrack-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
    this.contentType = `multipart/form-data; boundary=${boundary}`;
    const chunks: Buffer[] = [];
    for (const part of parts) {
      const disposition = `form-data; name="${part.name}"${part.filename ? `; filename="${part.filename}"` : ''}`;
      const type = part.type ? `\r\nContent-Type: ${part.type}` : '';
      chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}${type}\r\n\r\n`), part.value);
      chunks.push(Buffer.from('\r\n'));
    }
    chunks.push(Buffer.from(`--${boundary}--\r\n`));
    this.bytes = Buffer.concat(chunks);
  }
}

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

const pathOnly = (url: string) => (url.startsWith('http') ? new URL(url).pathname : url.split('?')[0]!);

function unreachable(method: string, url: string, error: Error): CfUnreachableError {
  return new CfUnreachableError(`${method} ${pathOnly(url)} got no answer (${error.message}).`, { cause: error });
}

/** The CfApiError a call failed with (the call must fail with one): for tests. */
export async function cfFailure(call: Promise<unknown>): Promise<CfApiError> {
  try {
    await call;
  } catch (error) {
    if (error instanceof CfApiError) return error;
    throw error;
  }
  throw new Error('the call succeeded');
}

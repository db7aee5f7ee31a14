// A small typed Cloud Foundry v3 client over fetch, the way a provider talks to CF (there is no official JS v3 SDK):
// it logs in at the root document's `login` link and turns `{errors: [...]}` answers into CfApiError.

export interface CfErrorEntry {
  code: number;
  title: string;
  detail: string;
}

export class CfApiError extends Error {
  constructor(
    readonly status: number,
    readonly errors: CfErrorEntry[],
    readonly headers: Headers,
  ) {
    super(`${status} ${errors.map((e) => `${e.title}: ${e.detail}`).join('; ')}`);
  }

  get first(): CfErrorEntry {
    return this.errors[0]!;
  }
}

export interface Resource {
  guid: string;
  created_at: string;
  updated_at: string;
  links: Record<string, { href: string; method?: string }>;
  [key: string]: any;
}

export interface ListPage<T = Resource> {
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

export class CfClient {
  accessToken: string | undefined;

  constructor(readonly api: string) {}

  async login(login: Login): Promise<Record<string, any>> {
    const root = (await (await fetch(`${this.api}/`)).json()) as { links: { login: { href: string } } };
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
    const response = await fetch(`${root.links.login.href}/oauth/token`, { method: 'POST', headers, body: form });
    const body = (await response.json()) as Record<string, any>;
    if (!response.ok) throw new Error(`token ${response.status}: ${JSON.stringify(body)}`);
    this.accessToken = body.access_token as string;
    return body;
  }

  async request<T = Resource>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = {};
    if (this.accessToken) headers.Authorization = `bearer ${this.accessToken}`;
    let payload: FormData | string | undefined;
    if (body instanceof FormData) payload = body;
    else if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    const url = path.startsWith('http') ? path : `${this.api}${path}`;
    const response = await fetch(url, { method, headers, body: payload });
    const text = await response.text();
    const parsed = text ? (JSON.parse(text) as unknown) : undefined;
    if (!response.ok) {
      const errors = (parsed as { errors?: CfErrorEntry[] } | undefined)?.errors;
      if (!Array.isArray(errors)) throw new Error(`${response.status} without a CF error list: ${text}`);
      throw new CfApiError(response.status, errors, response.headers);
    }
    return parsed as T;
  }

  get = <T = Resource>(path: string) => this.request<T>('GET', path);
  post = <T = Resource>(path: string, body?: unknown) => this.request<T>('POST', path, body);

  list = (path: string) => this.get<ListPage>(path);

  /** Every resource across pages, following `pagination.next`. */
  async all(path: string): Promise<Resource[]> {
    const resources: Resource[] = [];
    let next: string | undefined = path;
    while (next) {
      const page: ListPage = await this.list(next);
      resources.push(...page.resources);
      next = page.pagination.next?.href;
    }
    return resources;
  }

  async uploadBits(packageGuid: string, zip: Uint8Array): Promise<Resource> {
    const form = new FormData();
    form.set('resources', '[]');
    form.set('bits', new Blob([zip], { type: 'application/zip' }), 'app.zip');
    return this.post(`/v3/packages/${packageGuid}/upload`, form);
  }
}

/** The CfApiError a call failed with (the call must fail with one). */
export async function cfFailure(call: Promise<unknown>): Promise<CfApiError> {
  try {
    await call;
  } catch (error) {
    if (error instanceof CfApiError) return error;
    throw error;
  }
  throw new Error('the call succeeded');
}

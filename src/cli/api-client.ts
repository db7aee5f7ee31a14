import { parseEventStream, type ServerSentEvent } from './event-stream.js';

/** What the CLI exits with; pipelines branch on these (documented in --help and the README). */
export const ExitCode = {
  /** The job is Completed (or the command did what it was asked). */
  Ok: 0,
  /** The job ended in Exception. */
  Exception: 1,
  /** Invalid usage, or the server refused the request (4xx other than 401/403). */
  Usage: 2,
  /** Cannot reach the server, cannot authenticate (401/403), or the server failed (5xx). */
  Unreachable: 3,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** A failure that ends the CLI with `exitCode` after printing `message`. */
export class CliError extends Error {
  constructor(
    readonly exitCode: ExitCode,
    message: string,
    /** The server could not be reached at all (worth retrying while waiting for a job). */
    readonly transient = false,
    /** The HTTP status the server refused the request with, when it did. */
    readonly httpStatus: number | null = null,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** The exit code for an HTTP error status. */
export function exitCodeForStatus(status: number): ExitCode {
  if (status === 401 || status === 403 || status >= 500) return ExitCode.Unreachable;
  return ExitCode.Usage;
}

export interface RequestOptions {
  json?: unknown;
  zip?: Buffer;
  headers?: Record<string, string>;
}

/** The Backtrack REST API over fetch, with the bearer token; every failure becomes a CliError with its exit code. */
export class ApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly token: string,
  ) {}

  async request<T>(method: string, route: string, options: RequestOptions = {}): Promise<T> {
    const res = await this.send(method, route, options);
    return (await res.json()) as T;
  }

  /** GET that answers null on 304 Not Modified (the caller passes If-None-Match) and exposes the ETag. */
  async poll<T>(route: string, etag: string | null): Promise<{ body: T | null; etag: string | null }> {
    const res = await this.send('GET', route, { headers: etag ? { 'if-none-match': etag } : {} });
    return { body: res.status === 304 ? null : ((await res.json()) as T), etag: res.headers.get('etag') ?? etag };
  }

  /** The events of a Server-Sent Events route until the server closes it. */
  async *events(route: string, signal?: AbortSignal): AsyncGenerator<ServerSentEvent> {
    const res = await this.send('GET', route, { headers: { accept: 'text/event-stream' } }, signal);
    yield* parseEventStream(res.body!.pipeThrough(new TextDecoderStream()));
  }

  private async send(method: string, route: string, options: RequestOptions, signal?: AbortSignal): Promise<Response> {
    const headers: Record<string, string> = {
      accept: 'application/json',
      authorization: `Bearer ${this.token}`,
      ...options.headers,
    };
    let body: string | Uint8Array | undefined;
    if (options.zip) {
      body = new Uint8Array(options.zip);
      headers['content-type'] = 'application/zip';
    } else if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      headers['content-type'] = 'application/json';
    }
    let res: Response;
    try {
      res = await fetch(new URL(route, this.baseUrl), { method, headers, body, signal });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new CliError(
        ExitCode.Unreachable,
        `Cannot reach Backtrack at ${this.baseUrl}: ${cause?.code ?? cause?.message ?? (error as Error).message}.`,
        true,
      );
    }
    if (res.ok || res.status === 304) return res;
    const text = await res.text();
    let message = `${res.status} ${res.statusText}`;
    try {
      message = (JSON.parse(text) as { message?: string }).message ?? message;
    } catch {
      /* not the API's JSON error: keep the status line */
    }
    throw new CliError(exitCodeForStatus(res.status), `${method} ${route}: ${message}`, false, res.status);
  }
}

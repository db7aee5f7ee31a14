import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { startBacktrack, type Backtrack } from '../../src/app/bootstrap.js';
import { loadConfig } from '../../src/config/config.js';
import { seedEmbeddedDatabase } from './pglite-template.js';

export const ADMIN_TOKEN = 'bt_test_admin_token_0123456789abcdefghij';

export interface Harness {
  backtrack: Backtrack;
  url: string;
  /**
   * A request to the API through supertest on the Nest app's HTTP server, with the admin token (or `token`; null
   * sends none). A Buffer body goes as a zip unless `headers` say otherwise, anything else as JSON; the answer's body
   * is parsed JSON when it is JSON, else its text.
   */
  api(
    method: string,
    route: string,
    options?: { body?: unknown; token?: string | null; headers?: Record<string, string> },
  ): Promise<{ status: number; body: any; headers: Headers }>;
  close(): Promise<void>;
}

/**
 * Starts the whole service in this process on the embedded default (PGlite in a temporary data folder, in-process
 * queue, built-in emulator), or on PostgreSQL/Redis when `env` says so.
 */
export async function startHarness(env: Record<string, string> = {}): Promise<Harness> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'backtrack-test-'));
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    BACKTRACK_ADMIN_TOKEN: ADMIN_TOKEN,
    LOG_LEVEL: 'error',
    DEPLOY_POLL_MAX_SECONDS: '0.2',
    JOB_LEASE_SECONDS: '6',
    ...env,
  });
  if (config.embeddedDatabase) await seedEmbeddedDatabase(config.dataDir);
  const backtrack = await startBacktrack(config);
  const url = backtrack.url!;
  return {
    backtrack,
    url,
    async api(method, route, options = {}) {
      const headers: Record<string, string> = { ...options.headers };
      const token = options.token === undefined ? ADMIN_TOKEN : options.token;
      if (token) headers.authorization = `Bearer ${token}`;
      let req = request(backtrack.app.getHttpServer())[httpVerb(method)](route).set(headers);
      if (Buffer.isBuffer(options.body)) {
        req = req.set('content-type', headers['content-type'] ?? 'application/zip').send(options.body);
      } else if (options.body !== undefined) {
        req = req.set('content-type', 'application/json').send(JSON.stringify(options.body));
      }
      // The body as text whatever its type (supertest buffers only what it can parse), then JSON when it is JSON.
      const res = await req.buffer(true).parse(asText as unknown as Parameters<typeof req.parse>[0]);
      const text = res.body as string;
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        /* not JSON */
      }
      return { status: res.status, body: parsed, headers: toHeaders(res.headers) };
    },
    async close() {
      await backtrack.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Polls a job until it is Completed or Exception. */
export async function waitForJob(h: Harness, jobId: string, timeoutMs = 30_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await h.api('GET', `/api/jobs/${jobId}`);
    if (body.status === 'Completed' || body.status === 'Exception') return body;
    if (Date.now() > deadline) throw new Error(`Job ${jobId} still ${body.status} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

type Verb = 'get' | 'post' | 'put' | 'patch' | 'delete' | 'head' | 'options';

function httpVerb(method: string): Verb {
  const verb = method.toLowerCase();
  if (!['get', 'post', 'put', 'patch', 'delete', 'head', 'options'].includes(verb))
    throw new Error(`Unknown HTTP method ${method}`);
  return verb as Verb;
}

/** A supertest parser that keeps the body as text, so JSON, text and event streams arrive alike. */
function asText(
  res: NodeJS.ReadableStream & { setEncoding(e: string): void },
  done: (err: Error | null, body: string) => void,
): void {
  let text = '';
  res.setEncoding('utf8');
  res.on('data', (chunk: string) => (text += chunk));
  res.on('end', () => done(null, text));
  res.on('error', (err: Error) => done(err, text));
}

/** supertest's plain header object as a fetch `Headers`, so tests read `headers.get('etag')`. */
function toHeaders(raw: Record<string, string | string[]>): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw)) {
    for (const one of Array.isArray(value) ? value : [value]) headers.append(name, one);
  }
  return headers;
}

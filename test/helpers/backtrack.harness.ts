import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startBacktrack, type Backtrack } from '../../src/app/bootstrap.js';
import { loadConfig } from '../../src/config/config.js';

export const ADMIN_TOKEN = 'bt_test_admin_token_0123456789abcdefghij';

export interface Harness {
  backtrack: Backtrack;
  url: string;
  /** fetch against the API with the admin token (or `token`), JSON in and out. */
  api(method: string, route: string, options?: { body?: unknown; token?: string | null; headers?: Record<string, string> }): Promise<{ status: number; body: any; headers: Headers }>;
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
  const backtrack = await startBacktrack(config);
  const url = backtrack.url!;
  return {
    backtrack,
    url,
    async api(method, route, options = {}) {
      const headers: Record<string, string> = { ...options.headers };
      const token = options.token === undefined ? ADMIN_TOKEN : options.token;
      if (token) headers.authorization = `Bearer ${token}`;
      let body: Uint8Array | string | undefined;
      if (Buffer.isBuffer(options.body)) {
        body = new Uint8Array(options.body);
        headers['content-type'] ??= 'application/zip';
      } else if (options.body !== undefined) {
        body = JSON.stringify(options.body);
        headers['content-type'] = 'application/json';
      }
      const res = await fetch(url + route, { method, headers, body });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        /* not JSON */
      }
      return { status: res.status, body: parsed, headers: res.headers };
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

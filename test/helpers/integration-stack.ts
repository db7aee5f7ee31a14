// The integration suite's service as it runs in production: a scratch PostgreSQL database, a queue of its own on the
// shared Redis (keys under a prefix no other stack uses), the API as one process and workers as others (started and
// killed by the test), all with one admin token.
import crypto from 'node:crypto';
import Bull from 'bull';
import pg from 'pg';
import { JOBS_QUEUE_NAME } from '../../src/queue/queue.module.js';
import request from 'supertest';
import { waitFor } from './lifecycle.js';
import { freePort, startService, type ServiceProcess } from './processes.js';
import { createScratchDatabase } from './scratch-database.js';

export interface IntegrationStack {
  /** What every process of the stack runs with (a worker started later gets the same). */
  env: Record<string, string>;
  apiUrl: string;
  token: string;
  /** A client on the stack's database, for what only the rows show. */
  db: pg.Client;
  /** Workers started so far (the last is the newest). */
  workers: ServiceProcess[];
  /** supertest against the API process: a Buffer body goes as `contentType` (a zip by default), anything else as JSON. */
  call(
    method: 'GET' | 'POST',
    route: string,
    body?: unknown,
    contentType?: string,
  ): Promise<{ status: number; body: any }>;
  /** Polls `GET route` until its status is Completed or Exception; returns that body. */
  finished(route: string, timeoutMs?: number): Promise<any>;
  startWorker(): Promise<ServiceProcess>;
  /** Removes every key of the stack's queue from Redis, as a Redis that restarted empty would have lost them. */
  forgetQueue(): Promise<void>;
  /** SIGKILLs every worker, stops the API, drops the database (what started, the last first). */
  close(): Promise<void>;
}

export async function startIntegrationStack(extraEnv: Record<string, string> = {}): Promise<IntegrationStack> {
  const databaseServer = process.env.TEST_DATABASE_URL;
  const redisServer = process.env.TEST_REDIS_URL;
  if (!databaseServer || !redisServer)
    throw new Error(
      'The integration suite needs TEST_DATABASE_URL (a PostgreSQL server) and TEST_REDIS_URL (a Redis server); .ci/run sets both.',
    );
  const token = `bt_it_${crypto.randomBytes(16).toString('hex')}`;
  const stops: (() => Promise<unknown>)[] = [];
  const workers: ServiceProcess[] = [];
  const close = async () => {
    for (const w of workers) await w.kill('SIGKILL');
    for (const stop of stops.reverse()) await stop();
  };
  try {
    const database = await createScratchDatabase(databaseServer, 'backtrack_it');
    stops.push(() => database.close());
    // Two test files run at once (and a local run may share the Redis with CI): a random database number collided
    // now and then, so each stack's queue has a prefix of its own instead, and its keys go when it closes.
    const queue = { REDIS_URL: redisServer, REDIS_PREFIX: `bt-it-${crypto.randomBytes(6).toString('hex')}` };
    stops.push(() => forgetQueue(queue));
    const env = {
      DATABASE_URL: database.url,
      ...queue,
      SECRET_KEY: crypto.randomBytes(32).toString('hex'),
      BACKTRACK_ADMIN_TOKEN: token,
      JOB_LEASE_SECONDS: '5',
      DEPLOY_POLL_MAX_SECONDS: '0.2',
      LOG_LEVEL: 'info',
      HOST: '127.0.0.1',
      ...extraEnv,
    };
    const port = await freePort();
    const api = startService({ ...env, ROLE: 'api', PORT: String(port) });
    stops.push(() => api.kill());
    await api.ready;
    const apiUrl = `http://127.0.0.1:${port}`;
    const db = new pg.Client({ connectionString: database.url });
    await db.connect();
    stops.push(() => db.end());
    const call: IntegrationStack['call'] = async (method, route, body, contentType = 'application/zip') => {
      let req = (method === 'GET' ? request(apiUrl).get(route) : request(apiUrl).post(route)).set(
        'authorization',
        `Bearer ${token}`,
      );
      if (Buffer.isBuffer(body)) req = req.set('content-type', contentType).send(body);
      else if (body !== undefined) req = req.send(body as object);
      const res = await req;
      return { status: res.status, body: res.body };
    };
    return {
      env,
      apiUrl,
      token,
      db,
      workers,
      call,
      finished: (route, timeoutMs = 90_000) =>
        waitFor(
          `${route} to finish`,
          async () => {
            const { body } = await call('GET', route);
            return ['Completed', 'Exception'].includes(body.status) ? body : null;
          },
          { timeoutMs },
        ),
      async startWorker() {
        const worker = startService({ ...env, ROLE: 'worker' });
        workers.push(worker);
        await worker.ready;
        return worker;
      },
      forgetQueue: () => forgetQueue(queue),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

async function forgetQueue({ REDIS_URL, REDIS_PREFIX }: { REDIS_URL: string; REDIS_PREFIX: string }): Promise<void> {
  const queue = new Bull(JOBS_QUEUE_NAME, REDIS_URL, { prefix: REDIS_PREFIX });
  try {
    await queue.obliterate({ force: true });
  } finally {
    await queue.close();
  }
}

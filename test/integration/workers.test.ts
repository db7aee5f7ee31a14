import { describe, it, beforeAll, afterAll, expect } from '@jest/globals';
import crypto from 'node:crypto';
import pg from 'pg';
import request from 'supertest';
import { startEmulator, type EmulatorHandle } from '../../src/emulator/emulator.server.js';
import { readZip, writeZip } from '../../src/common/zip.js';
import { waitFor } from '../helpers/lifecycle.js';
import { changedKeys, orgState } from '../helpers/org-state.js';
import { freePort, startService, type ServiceProcess } from '../helpers/processes.js';
import { SAMPLE_PROJECT, zipFolder } from '../helpers/project-zip.js';
import { createScratchDatabase } from '../helpers/scratch-database.js';

const DATABASE_SERVER = process.env.TEST_DATABASE_URL;
const REDIS_SERVER = process.env.TEST_REDIS_URL;
if (!DATABASE_SERVER || !REDIS_SERVER) {
  throw new Error(
    'The integration suite needs TEST_DATABASE_URL (a PostgreSQL server) and TEST_REDIS_URL (a Redis server); .ci/run sets both.',
  );
}

const TOKEN = `bt_it_${crypto.randomBytes(16).toString('hex')}`;
const SRC = 'force-app/main/default';

describe('PostgreSQL + Redis/Bull with the API and workers as separate processes', () => {
  /** What beforeAll started, to stop in afterAll: only what started, the last first. */
  const stops: (() => Promise<unknown>)[] = [];
  let db: pg.Client;
  let emulator: EmulatorHandle;
  let apiUrl: string;
  const workers: ServiceProcess[] = [];
  let env: Record<string, string>;
  let orgId: string;
  let branchId: string;

  /** supertest against the API process's URL (the app runs in another process here). */
  const call = async (method: 'GET' | 'POST', route: string, body?: unknown) => {
    let req = (method === 'GET' ? request(apiUrl).get(route) : request(apiUrl).post(route)).set(
      'authorization',
      `Bearer ${TOKEN}`,
    );
    if (Buffer.isBuffer(body)) req = req.set('content-type', 'application/zip').send(body);
    else if (body !== undefined) req = req.send(body as object);
    const res = await req;
    return { status: res.status, body: res.body };
  };
  const finished = (jobId: string) =>
    waitFor(`job ${jobId} to finish`, async () => {
      const { body } = await call('GET', `/api/jobs/${jobId}`);
      return ['Completed', 'Exception'].includes(body.status) ? body : null;
    });
  const jobState = async (jobId: string) =>
    (await db.query('SELECT state FROM jobs WHERE id = $1', [jobId])).rows[0]?.state ?? {};
  const startWorker = async () => {
    const worker = startService({ ...env, ROLE: 'worker' });
    workers.push(worker);
    await worker.ready;
    return worker;
  };

  beforeAll(async () => {
    const database = await createScratchDatabase(DATABASE_SERVER, 'backtrack_it');
    stops.push(() => database.close());
    emulator = await startEmulator({ port: 0, latencyMs: 50 });
    stops.push(() => emulator.close());
    const redisDb = 1 + crypto.randomInt(14);
    env = {
      DATABASE_URL: database.url,
      REDIS_URL: `${REDIS_SERVER.replace(/\/\d*$/, '')}/${redisDb}`,
      SECRET_KEY: crypto.randomBytes(32).toString('hex'),
      BACKTRACK_ADMIN_TOKEN: TOKEN,
      JOB_LEASE_SECONDS: '5',
      DEPLOY_POLL_MAX_SECONDS: '0.2',
      LOG_LEVEL: 'info',
      HOST: '127.0.0.1',
    };
    const port = await freePort();
    const api = startService({ ...env, ROLE: 'api', PORT: String(port) });
    stops.push(() => api.kill());
    await api.ready;
    apiUrl = `http://127.0.0.1:${port}`;
    db = new pg.Client({ connectionString: database.url });
    await db.connect();
    stops.push(() => db.end());
    const org = await call('POST', '/api/orgs', {
      name: 'Integration Org',
      environment: 'uat',
      instanceUrl: emulator.url,
      auth: {
        type: 'password',
        username: emulator.defaultOrg.username,
        password: emulator.defaultOrg.password,
        loginUrl: emulator.url,
      },
    });
    expect(org.status).toBe(201);
    orgId = org.body.id;
    branchId = (await call('POST', '/api/branches', { name: 'main' })).body.id;
    expect((await call('POST', `/api/branches/${branchId}/revisions`, await zipFolder(SAMPLE_PROJECT))).status).toBe(
      201,
    );
  });

  afterAll(async () => {
    for (const w of workers) await w.kill('SIGKILL');
    for (const stop of stops.reverse()) await stop();
  });

  it('reports PostgreSQL and Bull in /health', async () => {
    const health = (await request(apiUrl).get('/health')).body;
    expect(health.database.driver).toBe('postgres');
    expect(health.queue.driver).toBe('bull');
    expect(health.queue.ok).toBe(true);
  });

  it('runs a job enqueued by the API process in a separate worker process', async () => {
    const start = await call('POST', `/api/branches/${branchId}/deployments`, { orgId });
    expect(start.status).toBe(202);
    await new Promise((r) => setTimeout(r, 500));
    expect((await call('GET', `/api/jobs/${start.body.id}`)).body.status).toBe('Queued'); // the API process runs no jobs
    const worker = await startWorker();
    const job = await finished(start.body.id);
    expect(job.status).toBe('Completed');
    const logs = (await call('GET', `/api/jobs/${job.id}/logs`)).body.items;
    expect(logs[0].message).toMatch(new RegExp(`^Started by worker [^:]+:${worker.child.pid}:`));
  });

  it('finishes a deploy whose worker was SIGKILLed after Salesforce accepted it, with exactly one deploy in the org', async () => {
    const entries = await readZip(await zipFolder(SAMPLE_PROJECT));
    entries.set(
      `${SRC}/classes/InvoiceService.cls`,
      Buffer.from('public with sharing class InvoiceService {\n    // killed-worker revision\n}\n'),
    );
    await call(
      'POST',
      `/api/branches/${branchId}/revisions`,
      await writeZip([...entries].map(([path, content]) => ({ path, content }))),
    );
    emulator.admin.setLatency(4000);
    const deploysBefore = emulator.admin.deploys(emulator.defaultOrg.id).count;
    const start = await call('POST', `/api/branches/${branchId}/deployments`, { orgId });
    await waitFor('Salesforce to accept the deploy', async () => (await jobState(start.body.id)).asyncId);
    await workers.at(-1)!.kill('SIGKILL');
    emulator.admin.setLatency(50);
    const replacement = await startWorker();
    const job = await finished(start.body.id);
    expect(job.status).toBe('Completed');
    expect(emulator.admin.deploys(emulator.defaultOrg.id).count - deploysBefore).toBe(1); // the emulator saw exactly one deploy
    const logs = (await call('GET', `/api/jobs/${job.id}/logs`)).body.items.map((l: any) => l.message);
    expect(
      logs.some((m: string) => m.startsWith(`Resumed by worker`) && m.includes(`:${replacement.child.pid}:`)),
    ).toBeTruthy();
    expect(logs.some((m: string) => m.startsWith('Polling Salesforce deploy'))).toBeTruthy(); // the new worker polled the same deploy
  });

  it('finishes a rollback whose worker was SIGKILLed mid-rollback, applied once', async () => {
    const activities = (await call('GET', `/api/branches/${branchId}/activities`)).body.items;
    const deployId = activities.find((j: any) => j.kind === 'Deploy' && j.status === 'Completed').id;
    const before = orgState(emulator);
    emulator.admin.setLatency(4000);
    const deploysBefore = emulator.admin.deploys(emulator.defaultOrg.id).count;
    const start = await call('POST', `/api/jobs/${deployId}/rollback`, {
      components: [{ type: 'ApexClass', fullName: 'InvoiceService' }],
    });
    expect(start.status).toBe(202);
    await waitFor('Salesforce to accept the rollback', async () => (await jobState(start.body.id)).asyncId);
    await workers.at(-1)!.kill('SIGKILL');
    emulator.admin.setLatency(50);
    await startWorker();
    const job = await finished(start.body.id);
    expect(job.status).toBe('Completed');
    expect(emulator.admin.deploys(emulator.defaultOrg.id).count - deploysBefore).toBe(1); // the rollback was applied once
    expect(changedKeys(before, orgState(emulator))).toEqual(['ApexClass:InvoiceService']);
  });

  it('loses no job when Redis forgets the queue: the reconciler re-enqueues it from PostgreSQL', async () => {
    await workers.at(-1)!.kill('SIGKILL');
    const start = await call('POST', `/api/branches/${branchId}/deployments`, { orgId, checkOnly: true });
    const redisDb = new URL(env.REDIS_URL!).pathname.slice(1);
    const { execFileSync } = await import('node:child_process');
    execFileSync('redis-cli', ['-u', REDIS_SERVER, '-n', redisDb, 'FLUSHDB']);
    await startWorker();
    const job = await finished(start.body.id);
    expect(job.status).toBe('Completed');
  });

  it('runs jobs against one org one at a time, whatever the number of workers', async () => {
    await startWorker();
    emulator.admin.setLatency(800);
    const ids = await Promise.all(
      [1, 2, 3].map(
        async () =>
          (await call('POST', `/api/branches/${branchId}/deployments`, { orgId, checkOnly: true })).body.id as string,
      ),
    );
    const jobs = await Promise.all(ids.map(finished));
    emulator.admin.setLatency(50);
    expect(jobs.every((j) => j.status === 'Completed')).toBeTruthy();
    const spans = jobs
      .map((j) => [Date.parse(j.startedAt), Date.parse(j.finishedAt)] as const)
      .sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < spans.length; i++) expect(spans[i]![0] >= spans[i - 1]![1]).toBeTruthy();
  });
});

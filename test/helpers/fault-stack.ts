import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import pg from 'pg';
import { startEmulator, type EmulatorHandle } from '../../src/emulator/emulator.server.js';
import type { OrgCredentials } from '../../src/emulator/admin.api.js';
import { waitFor as waitUntil } from './lifecycle.js';
import { freePort, startService, type ServiceProcess } from './processes.js';
import { SAMPLE_PROJECT, zipFolder } from './project-zip.js';
import { createScratchDatabase } from './scratch-database.js';

/**
 * An API process and a worker process on a fresh PostgreSQL database and a Redis server of their own (started on a
 * free port, so it can be stopped and started again without touching anyone else's), with the emulator in this
 * process for fault injection.
 */
export interface FaultStack {
  emulator: EmulatorHandle;
  api: ServiceProcess;
  worker: ServiceProcess;
  apiUrl: string;
  db: pg.Client;
  dbName: string;
  redisPort: number;
  branchId: string;
  call(
    method: string,
    route: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: any }>;
  waitFor<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs?: number): Promise<T>;
  finished(jobId: string, timeoutMs?: number): Promise<any>;
  jobState(jobId: string): Promise<Record<string, any>>;
  logs(jobId: string): Promise<string[]>;
  /** A new emulator org registered in Backtrack, with a password login or with a bare access token. */
  newOrg(auth: 'password' | 'accessToken'): Promise<{ id: string; emulatorOrg: OrgCredentials }>;
  startWorker(): Promise<ServiceProcess>;
  stopRedis(): void;
  startRedis(): Promise<void>;
  close(): Promise<void>;
}

export const ADMIN_TOKEN = `bt_it_${crypto.randomBytes(16).toString('hex')}`;

export async function startFaultStack(extraEnv: Record<string, string> = {}): Promise<FaultStack> {
  const server = process.env.TEST_DATABASE_URL;
  if (!server) throw new Error('The integration suite needs TEST_DATABASE_URL (a PostgreSQL server); .ci/run sets it.');
  const database = await createScratchDatabase(server, 'backtrack_faults');

  const redisPort = await freePort();
  const startRedis = async () => {
    const started = spawnSync('redis-server', [
      '--port',
      String(redisPort),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--daemonize',
      'yes',
    ]);
    if (started.status !== 0) throw new Error(`redis-server did not start: ${started.stderr.toString()}`);
    for (let i = 0; i < 50; i++) {
      if (
        spawnSync('redis-cli', ['-p', String(redisPort), 'ping'])
          .stdout.toString()
          .includes('PONG')
      )
        return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`redis-server on port ${redisPort} does not answer`);
  };
  const stopRedis = () => {
    spawnSync('redis-cli', ['-p', String(redisPort), 'shutdown', 'nosave']);
  };
  await startRedis();

  const emulator = await startEmulator({ port: 0, latencyMs: 50 });
  const env: Record<string, string> = {
    DATABASE_URL: database.url,
    REDIS_URL: `redis://127.0.0.1:${redisPort}`,
    SECRET_KEY: crypto.randomBytes(32).toString('hex'),
    BACKTRACK_ADMIN_TOKEN: ADMIN_TOKEN,
    JOB_LEASE_SECONDS: '6',
    DEPLOY_POLL_MAX_SECONDS: '0.2',
    LOG_LEVEL: 'info',
    HOST: '127.0.0.1',
    ...extraEnv,
  };
  const port = await freePort();
  const api = startService({ ...env, ROLE: 'api', PORT: String(port) });
  await api.ready;
  const apiUrl = `http://127.0.0.1:${port}`;
  const db = new pg.Client({ connectionString: database.url });
  await db.connect();
  // The test's own connection survives pg_terminate_backend storms aimed at the services (it is excluded by pid).
  db.on('error', () => undefined);

  const workers: ServiceProcess[] = [];
  const startWorker = async () => {
    const w = startService({ ...env, ROLE: 'worker' });
    workers.push(w);
    await w.ready;
    return w;
  };

  const call: FaultStack['call'] = async (method, route, body, headers = {}) => {
    const res = await fetch(apiUrl + route, {
      method,
      headers: {
        authorization: `Bearer ${ADMIN_TOKEN}`,
        ...(body ? { 'content-type': Buffer.isBuffer(body) ? 'application/zip' : 'application/json' } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : Buffer.isBuffer(body) ? new Uint8Array(body) : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };
  const waitFor: FaultStack['waitFor'] = (what, probe, timeoutMs = 60_000) =>
    waitUntil(what, probe, { timeoutMs, intervalMs: 150 });
  const finished: FaultStack['finished'] = async (jobId, timeoutMs = 90_000) => {
    let last: unknown = null;
    try {
      return await waitFor(
        `job ${jobId} to finish`,
        async () => {
          const { body } = await call('GET', `/api/jobs/${jobId}`);
          last = body;
          return ['Completed', 'Exception'].includes(body?.status) ? body : null;
        },
        timeoutMs,
      );
    } catch (error) {
      // What the job and the workers said is what a hung fault test needs to be understood.
      const said = workers.map((w, i) => `worker ${i}:\n${w.output().split('\n').slice(-40).join('\n')}`).join('\n');
      throw new Error(`${(error as Error).message}; last seen ${JSON.stringify(last)}\n${said}`, { cause: error });
    }
  };

  const branchId = (await call('POST', '/api/branches', { name: 'faults' })).body.id as string;
  const revision = await call('POST', `/api/branches/${branchId}/revisions`, await zipFolder(SAMPLE_PROJECT));
  if (revision.status !== 201) throw new Error(`revision upload failed: ${JSON.stringify(revision.body)}`);
  const worker = await startWorker();

  let orgs = 0;
  return {
    emulator,
    api,
    worker,
    apiUrl,
    db,
    dbName: database.name,
    redisPort,
    branchId,
    call,
    waitFor,
    finished,
    jobState: async (jobId) => (await db.query('SELECT state FROM jobs WHERE id = $1', [jobId])).rows[0]?.state ?? {},
    logs: async (jobId) =>
      (await call('GET', `/api/jobs/${jobId}/logs`)).body.items.map((l: { message: string }) => l.message),
    async newOrg(auth) {
      const emulatorOrg = emulator.admin.createOrg({ name: `Faults ${++orgs}` });
      const body = {
        name: `Faults org ${orgs} ${crypto.randomBytes(2).toString('hex')}`,
        environment: 'uat',
        instanceUrl: emulator.url,
        auth:
          auth === 'password'
            ? {
                type: 'password',
                username: emulatorOrg.username,
                password: emulatorOrg.password,
                loginUrl: emulator.url,
              }
            : { type: 'accessToken', accessToken: emulatorOrg.accessToken },
      };
      const created = await call('POST', '/api/orgs', body);
      if (created.status !== 201) throw new Error(`org registration failed: ${JSON.stringify(created.body)}`);
      return { id: created.body.id as string, emulatorOrg };
    },
    startWorker,
    stopRedis,
    startRedis,
    async close() {
      for (const w of workers) await w.kill('SIGKILL');
      await api.kill('SIGKILL');
      await db.end().catch(() => undefined);
      await emulator.close();
      stopRedis();
      await database.close();
    },
  };
}

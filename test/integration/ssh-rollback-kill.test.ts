import { describe, it, beforeAll, afterAll, expect } from '@jest/globals';
import crypto from 'node:crypto';
import fs from 'node:fs';
import pg from 'pg';
import request from 'supertest';
import { waitFor } from '../helpers/lifecycle.js';
import { freePort, startService, type ServiceProcess } from '../helpers/processes.js';
import { createScratchDatabase } from '../helpers/scratch-database.js';
import { appPackage, HostView } from '../helpers/ssh-releases.js';
import { HOSTS_MOUNT, startSshd, type TestSshd } from '../helpers/sshd.js';

const DATABASE_SERVER = process.env.TEST_DATABASE_URL;
const REDIS_SERVER = process.env.TEST_REDIS_URL;
if (!DATABASE_SERVER || !REDIS_SERVER) {
  throw new Error(
    'The integration suite needs TEST_DATABASE_URL (a PostgreSQL server) and TEST_REDIS_URL (a Redis server); .ci/run sets both.',
  );
}

const TOKEN = `bt_it_${crypto.randomBytes(16).toString('hex')}`;
const INSTALL = `${HOSTS_MOUNT}/kill`;

describe('a worker SIGKILLed in the middle of an SSH rollback', () => {
  const stops: (() => Promise<unknown>)[] = [];
  const workers: ServiceProcess[] = [];
  let hosts: TestSshd[];
  let views: HostView[];
  let db: pg.Client;
  let apiUrl: string;
  let env: Record<string, string>;

  const call = async (method: 'GET' | 'POST', route: string, body?: unknown, contentType = 'application/json') => {
    const req = (method === 'GET' ? request(apiUrl).get(route) : request(apiUrl).post(route)).set(
      'authorization',
      `Bearer ${TOKEN}`,
    );
    const res =
      body === undefined
        ? await req
        : Buffer.isBuffer(body)
          ? await req.set('content-type', contentType).send(body)
          : await req.send(body as object);
    return { status: res.status, body: res.body };
  };
  const finished = (id: string) =>
    waitFor(
      `execution ${id} to finish`,
      async () => {
        const { body } = await call('GET', `/api/executions/${id}`);
        return ['Completed', 'Exception'].includes(body.status) ? body : null;
      },
      { timeoutMs: 120_000 },
    );
  const startWorker = async () => {
    const worker = startService({ ...env, ROLE: 'worker' });
    workers.push(worker);
    await worker.ready;
    return worker;
  };

  beforeAll(async () => {
    const first = await startSshd();
    hosts = [first, await startSshd({ userKey: first.privateKey })];
    stops.push(() => Promise.all(hosts.map((s) => s.stop())));
    views = hosts.map((s) => new HostView(s.root, HOSTS_MOUNT));
    const database = await createScratchDatabase(DATABASE_SERVER, 'backtrack_it');
    stops.push(() => database.close());
    env = {
      DATABASE_URL: database.url,
      REDIS_URL: `${REDIS_SERVER.replace(/\/\d*$/, '')}/${1 + crypto.randomInt(14)}`,
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
  });

  afterAll(async () => {
    for (const w of workers) await w.kill('SIGKILL');
    for (const stop of stops.reverse()) await stop();
  });

  it('resumes in another worker and switches current once on each host', async () => {
    const infrastructure = await call('POST', '/api/infrastructures', {
      name: 'kill-hosts',
      environment: 'qa',
      kind: 'ssh',
      connection: {
        privateKey: hosts[0]!.privateKey,
        hosts: hosts.map((s) => ({
          host: s.host,
          port: s.port,
          username: s.username,
          hostKeyFingerprint: s.hostKeyFingerprint,
        })),
      },
    });
    expect(infrastructure.status).toBe(201);
    expect((await call('POST', '/api/services', { name: 'kill' })).status).toBe(201);
    const pipeline = await call('POST', '/api/pipelines', {
      name: 'kill-ssh',
      definition: {
        stages: [
          {
            name: 'kill',
            service: 'kill',
            infrastructure: 'kill-hosts',
            spec: {
              package: 'kill',
              installDir: INSTALL,
              steps: [
                // slow enough to kill the worker while it runs
                {
                  name: 'flush',
                  phase: 'postDeploy',
                  run: 'echo "flush $BACKTRACK_RELEASE" >> ../../events.log; sleep 4',
                  rollbackOnly: true,
                },
              ],
              verify: { run: './check.sh' },
            },
          },
        ],
      },
    });
    expect(pipeline.status).toBe(201);
    const executions: string[] = [];
    await startWorker();
    for (const version of ['2.0.0', '2.0.1']) {
      expect([200, 201]).toContain(
        (await call('POST', `/api/packages/kill/versions/${version}`, appPackage(version), 'application/gzip')).status,
      );
      const release = await call('POST', `/api/pipelines/${pipeline.body.id}/releases`, {
        version,
        packages: { kill: version },
      });
      expect(release.status).toBe(201);
      const started = await call('POST', `/api/releases/${release.body.id}/deployments`, { environment: 'qa' });
      expect(started.status).toBe(201);
      const done = await finished(started.body.id);
      expect([done.status, done.error]).toEqual(['Completed', null]);
      executions.push(done.id);
    }

    const start = await call('POST', `/api/executions/${executions[1]}/rollback`, {});
    expect(start.status).toBe(202);
    const rollbackId = start.body.id as string;
    // both hosts switched back and the slow rollbackOnly step runs
    await waitFor(
      'the switch on both hosts',
      async () => {
        const rows = await db.query(`SELECT state FROM execution_stages WHERE job_id = $1`, [rollbackId]);
        const state = rows.rows[0]?.state ?? {};
        return hosts.every((s) => state[`127.0.0.1:${s.port} switched`] === true);
      },
      { intervalMs: 20, timeoutMs: 60_000 },
    );
    const links = views.map((v) => fs.lstatSync(v.file(`${INSTALL}/current`)).ino);
    await workers.at(-1)!.kill('SIGKILL');
    expect(views.map((v) => v.current(INSTALL))).toEqual(['2.0.0', '2.0.0']);

    await startWorker();
    const rollback = await finished(rollbackId);
    expect([rollback.status, rollback.error]).toEqual(['Completed', null]);
    // the same symlink (not made again), one journal entry of this rollback per host, one "switched back" line per host
    expect(views.map((v) => fs.lstatSync(v.file(`${INSTALL}/current`)).ino)).toEqual(links);
    expect(views.map((v) => v.current(INSTALL))).toEqual(['2.0.0', '2.0.0']);
    for (const view of views)
      expect(view.journal(INSTALL).entries.filter((e: any) => e.deploymentId === rollbackId)).toHaveLength(1);
    const logs = (await call('GET', `/api/executions/${rollbackId}/logs`)).body.logs.map(
      (l: { message: string }) => l.message,
    );
    for (const s of hosts)
      expect(logs.filter((m: string) => m.startsWith(`[127.0.0.1:${s.port}] current →`))).toHaveLength(1);
    expect(logs).toContain('Resuming the rollback of stage "kill" where it stopped.');
  });
});

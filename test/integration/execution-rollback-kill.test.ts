import { describe, it, beforeAll, afterAll, expect } from '@jest/globals';
import crypto from 'node:crypto';
import pg from 'pg';
import request from 'supertest';
import {
  startKubernetesEmulator,
  type KubernetesEmulatorHandle,
} from '../../src/kubernetes-emulator/kubernetes-emulator.server.js';
import { deploymentManifest, kubernetesStage } from '../helpers/executions.js';
import { waitFor } from '../helpers/lifecycle.js';
import { freePort, startService, type ServiceProcess } from '../helpers/processes.js';
import { createScratchDatabase } from '../helpers/scratch-database.js';

const DATABASE_SERVER = process.env.TEST_DATABASE_URL;
const REDIS_SERVER = process.env.TEST_REDIS_URL;
if (!DATABASE_SERVER || !REDIS_SERVER) {
  throw new Error(
    'The integration suite needs TEST_DATABASE_URL (a PostgreSQL server) and TEST_REDIS_URL (a Redis server); .ci/run sets both.',
  );
}

const TOKEN = `bt_it_${crypto.randomBytes(16).toString('hex')}`;
const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

describe('a worker SIGKILLed in the middle of an execution rollback', () => {
  const stops: (() => Promise<unknown>)[] = [];
  const workers: ServiceProcess[] = [];
  let cluster: KubernetesEmulatorHandle;
  let db: pg.Client;
  let apiUrl: string;
  let env: Record<string, string>;

  const call = async (method: 'GET' | 'POST', route: string, body?: unknown) => {
    const req = (method === 'GET' ? request(apiUrl).get(route) : request(apiUrl).post(route)).set(
      'authorization',
      `Bearer ${TOKEN}`,
    );
    const res = body === undefined ? await req : await req.send(body as object);
    return { status: res.status, body: res.body };
  };
  const finished = (id: string) =>
    waitFor(
      `execution ${id} to finish`,
      async () => {
        const { body } = await call('GET', `/api/executions/${id}`);
        return ['Completed', 'Exception'].includes(body.status) ? body : null;
      },
      { timeoutMs: 90_000 },
    );
  const startWorker = async () => {
    const worker = startService({ ...env, ROLE: 'worker' });
    workers.push(worker);
    await worker.ready;
    return worker;
  };
  /** The changes sent to Local Cluster's API for one Deployment (its path, or anything under it). */
  const writesTo = (name: string) =>
    cluster.admin
      .requests()
      .filter((r) => WRITES.has(r.method) && r.path.startsWith(`/apis/apps/v1/namespaces/default/deployments/${name}`));

  beforeAll(async () => {
    const database = await createScratchDatabase(DATABASE_SERVER, 'backtrack_it');
    stops.push(() => database.close());
    // a slow rollout: each pod takes 4 simulated (here: real) seconds to become Ready
    cluster = await startKubernetesEmulator({ port: 0, podReadySeconds: 4 });
    stops.push(() => cluster.close());
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

  it('resumes the Rollback job in another worker and never applies a stage twice', async () => {
    const infrastructure = await call('POST', '/api/infrastructures', {
      name: 'Slow Cluster',
      environment: 'dev',
      kind: 'kubernetes',
      connection: { server: cluster.url, token: cluster.token },
    });
    expect(infrastructure.status).toBe(201);
    for (const name of ['api', 'web']) expect((await call('POST', '/api/services', { name })).status).toBe(201);
    const pipeline = await call('POST', '/api/pipelines', {
      name: 'kill',
      definition: {
        stages: [
          kubernetesStage('api', 'api', 'Slow Cluster', [deploymentManifest('kill-api', '<+artifact.image>')]),
          kubernetesStage('web', 'web', 'Slow Cluster', [deploymentManifest('kill-web', '<+artifact.image>')]),
        ],
      },
    });
    expect(pipeline.status).toBe(201);
    await startWorker();
    for (const tag of ['1.26', '1.27']) {
      const started = await call('POST', `/api/pipelines/${pipeline.body.id}/executions`, {
        artifacts: { api: `nginx:${tag}`, web: `nginx:${tag}` },
      });
      expect(started.status).toBe(202);
      expect((await finished(started.body.id)).status).toBe('Completed');
    }
    const executions = (await call('GET', `/api/executions?pipeline=${pipeline.body.id}`)).body.executions;
    const latest = executions[0].id as string;

    cluster.admin.resetRequests();
    const start = await call('POST', `/api/executions/${latest}/rollback`, {});
    expect(start.status).toBe(202);
    const rollbackId = start.body.id as string;
    // the first stage (web: the reverse order) has sent its rollback and waits for the slow rollout
    await waitFor(
      'the first stage to be rolled back and waiting',
      async () => {
        const rows = await db.query(
          `SELECT state FROM execution_stages WHERE job_id = $1 AND name = 'web' AND status = 'In Progress'`,
          [rollbackId],
        );
        return rows.rows[0]?.state?.engine?.applied === true;
      },
      { intervalMs: 20 },
    );
    await workers.at(-1)!.kill('SIGKILL');
    expect(writesTo('kill-web')).toHaveLength(1);

    const replacement = await startWorker();
    const rollback = await finished(rollbackId);
    expect(rollback.status).toBe('Completed');
    expect(rollback.stages.map((s: { name: string; status: string }) => [s.name, s.status])).toEqual([
      ['web', 'Completed'],
      ['api', 'Completed'],
    ]);
    // each stage was applied once: one change to each Deployment, the killed stage not sent again
    expect(writesTo('kill-web')).toHaveLength(1);
    expect(writesTo('kill-api')).toHaveLength(1);
    const logs = (await call('GET', `/api/executions/${rollbackId}/logs`)).body.logs.map(
      (l: { message: string }) => l.message,
    );
    expect(
      logs.some((m: string) => m.startsWith('Resumed by worker') && m.includes(`:${replacement.child.pid}:`)),
    ).toBe(true);
    expect(logs).toContain('Resuming the rollback of stage "web" where it stopped.');
    for (const name of ['kill-api', 'kill-web']) {
      const res = await fetch(`${cluster.url}/apis/apps/v1/namespaces/default/deployments/${name}`, {
        headers: { authorization: `Bearer ${cluster.token}` },
      });
      const deployment = (await res.json()) as { spec: { template: { spec: { containers: { image: string }[] } } } };
      expect([name, deployment.spec.template.spec.containers[0]!.image]).toEqual([name, 'nginx:1.26']);
    }
  });
});

import { describe, it, beforeAll, afterAll, expect } from '@jest/globals';
import pg from 'pg';
import {
  startKubernetesEmulator,
  type KubernetesEmulatorHandle,
} from '../../src/kubernetes-emulator/kubernetes-emulator.server.js';
import { deploymentManifest, kubernetesStage } from '../helpers/executions.js';
import { waitFor } from '../helpers/lifecycle.js';
import { startIntegrationStack, type IntegrationStack } from '../helpers/integration-stack.js';
import type { ServiceProcess } from '../helpers/processes.js';

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

describe('a worker SIGKILLed in the middle of an execution rollback', () => {
  let stack: IntegrationStack;
  let cluster: KubernetesEmulatorHandle;
  let db: pg.Client;
  const workers: ServiceProcess[] = [];
  const call = (method: 'GET' | 'POST', route: string, body?: unknown) => stack.call(method, route, body);
  const finished = (id: string) => stack.finished(`/api/executions/${id}`);
  const startWorker = async () => {
    const worker = await stack.startWorker();
    workers.push(worker);
    return worker;
  };
  /** The changes sent to Local Cluster's API for one Deployment (its path, or anything under it). */
  const writesTo = (name: string) =>
    cluster.admin
      .requests()
      .filter((r) => WRITES.has(r.method) && r.path.startsWith(`/apis/apps/v1/namespaces/default/deployments/${name}`));

  beforeAll(async () => {
    // a slow rollout: each pod takes 4 simulated (here: real) seconds to become Ready
    cluster = await startKubernetesEmulator({ port: 0, podReadySeconds: 4 });
    stack = await startIntegrationStack();
    db = stack.db;
  });

  afterAll(async () => {
    await stack.close();
    await cluster.close();
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

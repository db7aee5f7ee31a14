import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import {
  startKubernetesEmulator,
  type KubernetesEmulatorHandle,
} from '../../src/kubernetes-emulator/kubernetes-emulator.server.js';
import { HelmCli } from '../../src/platform/helm/helm-cli.js';
import { waitFor } from '../helpers/lifecycle.js';
import { startIntegrationStack, type IntegrationStack } from '../helpers/integration-stack.js';
import type { ServiceProcess } from '../helpers/processes.js';
import { layerBinaries } from '../kubernetes-emulator/kubectl.helper.js';
import { chartTgz } from '../platform/helm/fixtures.js';

describe('a worker SIGKILLed while helm rolls a release back', () => {
  let stack: IntegrationStack;
  let cluster: KubernetesEmulatorHandle;
  let db: pg.Client;
  let helm: HelmCli;
  const workers: ServiceProcess[] = [];
  const call = (method: 'GET' | 'POST', route: string, body?: unknown, type?: string) =>
    stack.call(method, route, body, type);
  const finished = (id: string) => stack.finished(`/api/executions/${id}`, 120_000);
  const startWorker = async () => {
    const worker = await stack.startWorker();
    workers.push(worker);
    return worker;
  };
  /** Helm revisions written: each is one Secret `sh.helm.release.v1.<name>.v<N>` created in the namespace. */
  const revisionWrites = () =>
    cluster.admin.requests().filter((r) => r.method === 'POST' && r.path === '/api/v1/namespaces/default/secrets');
  const image = async () => {
    const res = await fetch(`${cluster.url}/apis/apps/v1/namespaces/default/deployments/kill-shop`, {
      headers: { authorization: `Bearer ${cluster.token}` },
    });
    const deployment = (await res.json()) as { spec: { template: { spec: { containers: { image: string }[] } } } };
    return deployment.spec.template.spec.containers[0]!.image;
  };

  beforeAll(async () => {
    // a slow rollout: each pod takes 4 simulated (here: real) seconds to become Ready
    cluster = await startKubernetesEmulator({ port: 0, podReadySeconds: 4 });
    const bin = (await layerBinaries()).helm;
    helm = new HelmCli({ bin, connection: { server: cluster.url, token: cluster.token } });
    stack = await startIntegrationStack({ HELM_BIN: bin });
    db = stack.db;
  });

  afterAll(async () => {
    await stack.close();
    await cluster.close();
  });

  it('another worker resumes the Rollback job; helm history shows exactly one "Rollback to 1"', async () => {
    for (const version of ['0.1.0', '0.2.0'])
      expect(
        (
          await call(
            'POST',
            `/api/packages/shop-chart/versions/${version}`,
            await chartTgz({ version, appVersion: version === '0.1.0' ? '1' : '2' }),
            'application/gzip',
          )
        ).status,
      ).toBe(201);
    const infrastructure = await call('POST', '/api/infrastructures', {
      name: 'Slow Helm Cluster',
      environment: 'dev',
      kind: 'helm',
      connection: { server: cluster.url, token: cluster.token },
    });
    expect(infrastructure.status).toBe(201);
    expect((await call('POST', '/api/services', { name: 'shop' })).status).toBe(201);
    const pipeline = await call('POST', '/api/pipelines', {
      name: 'helm-kill',
      definition: {
        stages: [
          {
            name: 'shop',
            service: 'shop',
            infrastructure: 'Slow Helm Cluster',
            spec: { package: 'shop-chart', version: '<+artifact.image>', release: 'kill-shop', timeoutSeconds: 120 },
          },
        ],
      },
    });
    expect(pipeline.status).toBe(201);
    await startWorker();
    for (const version of ['0.1.0', '0.2.0']) {
      const started = await call('POST', `/api/pipelines/${pipeline.body.id}/executions`, {
        artifacts: { shop: version },
      });
      expect(started.status).toBe(202);
      expect((await finished(started.body.id)).status).toBe('Completed');
    }
    expect(await image()).toBe('shop/web:2');
    const executions = (await call('GET', `/api/executions?pipeline=${pipeline.body.id}`)).body.executions;
    const latest = executions[0].id as string;

    // helm's writes to the Deployment are slowed, so the helm child is still running when its worker dies
    cluster.admin.resetRequests();
    cluster.admin.addLatency({ method: 'PATCH', resource: 'deployments', ms: 3_000 });
    const start = await call('POST', `/api/executions/${latest}/rollback`, {});
    expect(start.status).toBe(202);
    const rollbackId = start.body.id as string;
    await waitFor(
      'the rollback to be recorded and helm to have written its pending-rollback revision',
      async () => {
        const rows = await db.query(`SELECT state FROM execution_stages WHERE job_id = $1 AND status = 'In Progress'`, [
          rollbackId,
        ]);
        return rows.rows[0]?.state?.['rollback to'] === 1 && revisionWrites().length === 1;
      },
      { intervalMs: 20, timeoutMs: 30_000 },
    );
    await workers.at(-1)!.kill('SIGKILL');
    expect((await helm.history('kill-shop', 'default')).at(-1)).toMatchObject({
      revision: 3,
      status: 'pending-rollback',
      description: 'Rollback to 1',
    });

    const replacement = await startWorker();
    const rollback = await finished(rollbackId);
    expect(rollback.status).toBe('Completed');
    expect(rollback.stages[0]).toMatchObject({ name: 'shop', status: 'Completed' });
    expect(rollback.stages[0].outputs).toMatchObject({ revision: 3, chart: 'shop-0.1.0' });
    // the rollback's change was sent exactly once: one new revision, one change to the Deployment
    expect(revisionWrites()).toHaveLength(1);
    expect(
      cluster.admin
        .requests()
        .filter((r) => r.method === 'PATCH' && r.path === '/apis/apps/v1/namespaces/default/deployments/kill-shop'),
    ).toHaveLength(1);
    expect((await helm.history('kill-shop', 'default')).map((r) => [r.revision, r.status, r.description])).toEqual([
      [1, 'superseded', expect.stringMatching(/^Backtrack job /)],
      [2, 'superseded', expect.stringMatching(/^Backtrack job /)],
      [3, 'deployed', 'Rollback to 1'],
    ]);
    expect(await image()).toBe('shop/web:1');
    const logs = (await call('GET', `/api/executions/${rollbackId}/logs`)).body.logs.map(
      (l: { message: string }) => l.message,
    );
    expect(
      logs.some((m: string) => m.startsWith('Resumed by worker') && m.includes(`:${replacement.child.pid}:`)),
    ).toBe(true);
    expect(logs).toContain('Resuming the rollback of stage "shop" where it stopped.');
    expect(logs.some((m: string) => m.includes('the rollback was sent before, not sent again'))).toBe(true);
  });
});

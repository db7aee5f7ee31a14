import { describe, it, beforeAll, afterAll, expect } from '@jest/globals';
import request from 'supertest';
import {
  startKubernetesEmulator,
  type KubernetesEmulatorHandle,
} from '../../src/kubernetes-emulator/kubernetes-emulator.server.js';
import { deploymentManifest, kubernetesStage } from '../helpers/executions.js';
import { startIntegrationStack, type IntegrationStack } from '../helpers/integration-stack.js';
import { alertPayload } from '../helpers/slo.js';

// Concurrent Alertmanager deliveries and manual rollbacks on PostgreSQL, the API and a worker as separate processes
// (issue 16): of every request at once exactly one Rollback job starts.
describe('SLO rollback under concurrency on PostgreSQL', () => {
  let stack: IntegrationStack;
  let cluster: KubernetesEmulatorHandle;

  beforeAll(async () => {
    cluster = await startKubernetesEmulator({ port: 0, podReadySeconds: 0 });
    stack = await startIntegrationStack({ SLO_EVAL_SECONDS: '0' });
    await stack.startWorker();
  }, 120_000);
  afterAll(async () => {
    await stack.close();
    await cluster.close();
  });

  const created = async (route: string, body: unknown) => {
    const res = await stack.call('POST', route, body);
    if (res.status !== 201) throw new Error(`${route}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };

  it('eight identical deliveries and two manual rollbacks at once start one Rollback job', async () => {
    const infrastructure = await created('/api/infrastructures', {
      name: 'Race Cluster',
      environment: 'dev',
      kind: 'kubernetes',
      connection: { server: cluster.url, token: cluster.token },
    });
    const service = await created('/api/services', { name: 'checkout' });
    const pipeline = await created('/api/pipelines', {
      name: 'race',
      definition: {
        stages: [kubernetesStage('web', 'checkout', 'Race Cluster', [deploymentManifest('race', '<+artifact.image>')])],
      },
    });
    let latest: any;
    for (const tag of ['1.26', '1.27']) {
      const started = await stack.call('POST', `/api/pipelines/${pipeline.id}/executions`, {
        artifacts: { checkout: `nginx:${tag}` },
      });
      expect(started.status).toBe(202);
      latest = await stack.finished(`/api/executions/${started.body.id}`);
      expect(latest.status).toBe('Completed');
    }
    const source = await created('/api/health-sources', { name: 'prometheus', url: 'http://127.0.0.1:9' });
    const monitored = await created('/api/monitored-services', {
      serviceId: service.id,
      infrastructureId: infrastructure.id,
    });
    const slo = await created('/api/slos', {
      monitoredServiceId: monitored.id,
      healthSourceId: source.id,
      name: 'availability',
      goodQuery: 'sum(increase(http_requests_total{code!~"5.."}[$window]))',
      validQuery: 'sum(increase(http_requests_total[$window]))',
      targetPercent: 99.5,
      periodDays: 30,
    });
    const policy = await created('/api/rollback-policies', {
      sloId: slo.id,
      name: 'fast burn',
      condition: { type: 'burnRateAbove', rate: 14.4, windowMinutes: 5 },
      windowMinutes: 60,
    });
    const hook = (await created('/api/tokens', { name: 'am', permissions: ['rollback'], environments: ['dev'] })).token;

    const body = alertPayload({
      labels: { service: 'checkout', environment: 'dev', infrastructure: 'Race Cluster' },
      startsAt: new Date(Date.parse(latest.finishedAt) + 1000),
      fingerprint: 'race',
    });
    const deliver = () =>
      request(stack.apiUrl).post('/api/hooks/alertmanager').set('authorization', `Bearer ${hook}`).send(body);
    const manual = () => stack.call('POST', `/api/executions/${latest.id}/rollback`, {});
    const answers = await Promise.all([...Array.from({ length: 8 }, deliver), manual(), manual()]);
    const deliveries = answers.slice(0, 8) as { status: number; body: any }[];
    const manuals = answers.slice(8) as { status: number; body: any }[];
    expect(deliveries.map((d) => d.status)).toEqual(Array(8).fill(200));

    const { rows: jobs } = await stack.db.query(`SELECT id FROM jobs WHERE parent_job_id = $1 AND kind = 'Rollback'`, [
      latest.id,
    ]);
    expect(jobs).toHaveLength(1);
    const outcomes = deliveries.map((d) => d.body.decisions[0].outcome as string);
    expect(outcomes.filter((o) => o === 'repeat')).toHaveLength(7);
    const decided = outcomes.find((o) => o !== 'repeat');
    const manualStarted = manuals.filter((m) => m.status === 202).length;
    expect(manuals.every((m) => m.status === 202 || m.status === 409)).toBe(true);
    // exactly one of the automatic decision and the manual requests started it
    expect((decided === 'rollback' ? 1 : 0) + manualStarted).toBe(1);
    if (decided !== 'rollback') expect(decided).toBe('already-rolled-back');

    const { rows: breaches } = await stack.db.query(`SELECT * FROM slo_breaches WHERE policy_id = $1`, [policy.id]);
    expect(breaches).toHaveLength(1);
    const rollback = await stack.finished(`/api/executions/${jobs[0].id}`);
    expect(rollback.status).toBe('Completed');
  }, 180_000);
});

import { describe, it, beforeAll, afterAll, expect } from '@jest/globals';
import { startHarness, type Harness } from '../helpers/backtrack.harness.js';
import {
  createPipeline,
  createService,
  deploymentManifest,
  finished,
  infrastructureId,
  kubernetesStage,
  liveImage,
  runPipeline,
} from '../helpers/executions.js';
import { closeStarted } from '../helpers/lifecycle.js';
import { createToken } from '../helpers/scoped-access.js';
import { alertPayload, sloPolicy } from '../helpers/slo.js';

// SLO rollback policies and the Alertmanager webhook, with payloads sent by hand (issue 16). The evaluator is off.
describe('SLO rollback policies and POST /api/hooks/alertmanager', () => {
  let h: Harness;
  let pipelineId: string;
  let serviceId: string;
  let clusterId: string;
  let ids: Awaited<ReturnType<typeof sloPolicy>>;
  let hook: string;
  let fingerprints = 0;
  const labels = { service: 'checkout', environment: 'dev', infrastructure: 'Local Cluster' };

  beforeAll(async () => {
    h = await startHarness({ SLO_EVAL_SECONDS: '0' });
    serviceId = await createService(h, 'checkout');
    clusterId = await infrastructureId(h, 'Local Cluster');
    pipelineId = await createPipeline(h, 'checkout-web', {
      stages: [
        kubernetesStage('web', 'checkout', 'Local Cluster', [deploymentManifest('checkout', '<+artifact.image>')]),
      ],
    });
    ids = await sloPolicy(h, { serviceId, infrastructureId: clusterId });
    hook = (await createToken(h, ['rollback'], ['dev'])).token;
  });
  afterAll(() => closeStarted(h));

  const deploy = (image: string) => runPipeline(h, pipelineId, { artifacts: { checkout: image } });
  const deliver = (body: unknown, token: string | null = hook) =>
    h.api('POST', '/api/hooks/alertmanager', { body, token });
  const alert = (startsAt: Date, extra: Partial<Parameters<typeof alertPayload>[0]> = {}) =>
    alertPayload({ labels, startsAt, fingerprint: `fp${++fingerprints}`, annotations: { value: '20.5' }, ...extra });
  const rollbacksOf = async (executionId: string) => {
    const res = await h.api('GET', '/api/executions?kind=Rollback&limit=500');
    return (res.body.executions as { id: string; executionId: string }[]).filter((e) => e.executionId === executionId);
  };
  const decisions = async () =>
    (await h.api('GET', `/api/monitored-services/${ids.monitoredServiceId}/decisions`)).body.items as any[];

  describe('the model', () => {
    it('keeps the health source token sealed: the API shows only that there is one', async () => {
      const res = await h.api('POST', '/api/health-sources', {
        body: { name: 'secured', url: 'https://prometheus.example.com/', token: 'prom-secret-token' },
      });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ name: 'secured', url: 'https://prometheus.example.com', hasToken: true });
      const read = await h.api('GET', `/api/health-sources/${res.body.id}`);
      expect(JSON.stringify(read.body)).not.toContain('prom-secret-token');
      const list = await h.api('GET', '/api/health-sources');
      expect(list.body.items.find((s: { id: string }) => s.id === res.body.id)).toMatchObject({ hasToken: true });
      expect(JSON.stringify(list.body)).not.toContain('prom-secret-token');
      const [row] = await h.backtrack.dataSource.query(
        `SELECT token_ciphertext FROM slo_health_sources WHERE id = $1`,
        [res.body.id],
      );
      expect(row.token_ciphertext).toMatch(/^v1\./);
      expect(row.token_ciphertext).not.toContain('prom-secret-token');
    });

    it('answers 400 naming the field for bad input', async () => {
      const badUrl = await h.api('POST', '/api/health-sources', { body: { name: 'x', url: 'ftp://nope' } });
      expect(badUrl.status).toBe(400);
      expect(badUrl.body.message).toContain('url: must be an http:// or https:// URL');

      const noWindow = await h.api('POST', '/api/slos', {
        body: {
          monitoredServiceId: ids.monitoredServiceId,
          healthSourceId: ids.healthSourceId,
          name: 'bad',
          goodQuery: 'sum(http_requests_total)',
          validQuery: 'sum(increase(http_requests_total[$window]))',
          targetPercent: 100,
          periodDays: 30,
        },
      });
      expect(noWindow.status).toBe(400);
      expect(noWindow.body.message).toContain('goodQuery: must contain $window');
      expect(noWindow.body.message).toContain('targetPercent');

      const badCondition = await h.api('POST', '/api/rollback-policies', {
        body: { sloId: ids.sloId, name: 'p', condition: { type: 'latencyAbove' }, windowMinutes: 60 },
      });
      expect(badCondition.status).toBe(400);
      expect(badCondition.body.message).toContain('condition');

      const noWindowMinutes = await h.api('POST', '/api/rollback-policies', {
        body: { sloId: ids.sloId, name: 'p', condition: { type: 'errorBudgetRemainingBelow', percent: 20 } },
      });
      expect(noWindowMinutes.status).toBe(400);
      expect(noWindowMinutes.body.message).toContain('windowMinutes: is required');

      const missing = await h.api('GET', '/api/rollback-policies/00000000-0000-4000-8000-000000000000');
      expect(missing.status).toBe(404);
    });

    it('refuses a second monitored service for the same service and infrastructure', async () => {
      const res = await h.api('POST', '/api/monitored-services', { body: { serviceId, infrastructureId: clusterId } });
      expect(res.status).toBe(409);
      expect(res.body.message).toContain('is already monitored');
    });

    it('shows the policy with its method and condition in words', async () => {
      const res = await h.api('GET', `/api/rollback-policies/${ids.policyId}`);
      expect(res.body).toMatchObject({
        method: 'Rollback Deployment',
        conditionText: 'burn rate above 14.4 over 5 min',
        windowMinutes: 60,
        enabled: true,
      });
    });
  });

  describe('who may deliver alerts', () => {
    it('401 without a token, 403 without rollback in the environment, 400 for another payload version', async () => {
      const body = alert(new Date());
      expect((await deliver(body, null)).status).toBe(401);
      const reader = await createToken(h, ['read']);
      expect((await deliver(body, reader.token)).status).toBe(403);
      const elsewhere = await createToken(h, ['rollback'], ['prod']);
      const refused = await deliver(body, elsewhere.token);
      expect(refused.status).toBe(403);
      expect(refused.body.message).toContain('"dev"');
      const old = await deliver({ ...body, version: '3' });
      expect(old.status).toBe(400);
      expect(old.body.message).toContain('version');
      expect(await decisions()).toEqual([]);
    });

    it('reports an alert whose labels select no policy, and decides nothing', async () => {
      const res = await deliver(
        alertPayload({ labels: { service: 'nope', environment: 'dev' }, startsAt: new Date(), fingerprint: 'x' }),
      );
      expect(res.status).toBe(200);
      expect(res.body.decisions).toEqual([]);
      expect(res.body.unmatched).toEqual([
        {
          fingerprint: 'x',
          alertname: 'ErrorBudgetBurn',
          reason: 'No monitored service is service "nope" in environment "dev".',
        },
      ]);
    });
  });

  describe('deciding', () => {
    it('no deployment yet: nothing to roll back, and says so', async () => {
      const res = await deliver(alert(new Date()));
      expect(res.body.decisions).toMatchObject([{ outcome: 'no-deployment', executionId: null }]);
    });

    it('rolls back the current deployment once for a firing alert inside the window; a repeat does nothing', async () => {
      await deploy('nginx:1.26');
      const two = await deploy('nginx:1.27');
      const body = alert(new Date(new Date(two.finishedAt).getTime() + 1000));
      const res = await deliver(body);
      expect(res.status).toBe(200);
      const [decision] = res.body.decisions;
      expect(decision).toMatchObject({
        outcome: 'rollback',
        source: 'alertmanager',
        executionId: two.id,
        fingerprint: body.alerts[0]!.fingerprint,
        details: { alertname: 'ErrorBudgetBurn', annotations: { value: '20.5' } },
      });
      expect(decision.reason).toContain('inside the 60-minute rollback window of policy "checkout burn"');

      const rollback = await finished(h, decision.rollbackJobId);
      expect(rollback).toMatchObject({ kind: 'Rollback', status: 'Completed', executionId: two.id });
      expect(rollback.createdBy).toBe('SLO rollback policy "checkout burn"');
      expect(await liveImage(h, 'checkout')).toBe('nginx:1.26');
      const logs = await h.api('GET', `/api/executions/${rollback.id}/logs`);
      const messages = (logs.body.logs as { message: string }[]).map((l) => l.message).join('\n');
      expect(messages).toContain(
        `Started automatically by SLO rollback policy "checkout burn" (decision ${decision.id})`,
      );
      expect(messages).toContain(
        `Alertmanager alert "ErrorBudgetBurn" (firing, fingerprint ${body.alerts[0]!.fingerprint}`,
      );
      expect(messages).toContain('Values: value=20.5');

      const again = await deliver(body);
      expect(again.body.decisions).toMatchObject([{ outcome: 'repeat', rollbackJobId: null }]);
      expect(await rollbacksOf(two.id)).toHaveLength(1);

      // a new breach of an execution already rolled back
      const later = await deliver(alert(new Date()));
      expect(later.body.decisions).toMatchObject([{ outcome: 'already-rolled-back', executionId: two.id }]);
    });

    it('five concurrent identical deliveries start one rollback', async () => {
      const three = await deploy('nginx:1.28');
      const body = alert(new Date(new Date(three.finishedAt).getTime() + 1000));
      const answers = await Promise.all(Array.from({ length: 5 }, () => deliver(body)));
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
      const outcomes = answers.map((a) => a.body.decisions[0].outcome).sort();
      expect(outcomes).toEqual(['repeat', 'repeat', 'repeat', 'repeat', 'rollback']);
      const started = await rollbacksOf(three.id);
      expect(started).toHaveLength(1);
      await finished(h, started[0]!.id);
      expect(await liveImage(h, 'checkout')).toBe('nginx:1.26');
    });

    it('a manual rollback and an automatic one at the same moment start exactly one job', async () => {
      const four = await deploy('nginx:1.29');
      const [manual, automatic] = await Promise.all([
        h.api('POST', `/api/executions/${four.id}/rollback`, { body: {} }),
        deliver(alert(new Date(new Date(four.finishedAt).getTime() + 1000))),
      ]);
      const started = await rollbacksOf(four.id);
      expect(started).toHaveLength(1);
      const outcome = automatic.body.decisions[0].outcome;
      if (manual.status === 202) expect(outcome).toBe('already-rolled-back');
      else {
        expect(manual.status).toBe(409);
        expect(outcome).toBe('rollback');
      }
      await finished(h, started[0]!.id);
    });

    it('a resolved alert does nothing', async () => {
      const five = await deploy('nginx:1.30');
      const res = await deliver(alert(new Date(new Date(five.finishedAt).getTime() + 1000), { status: 'resolved' }));
      expect(res.body.decisions).toMatchObject([
        { outcome: 'resolved', breachStatus: 'resolved', rollbackJobId: null },
      ]);
      expect(await rollbacksOf(five.id)).toHaveLength(0);
    });

    it('a breach that started after the window rolls nothing back and says why', async () => {
      const six = await deploy('nginx:1.31');
      const res = await deliver(alert(new Date(new Date(six.finishedAt).getTime() + 61 * 60_000)));
      const [decision] = res.body.decisions;
      expect(decision).toMatchObject({ outcome: 'outside-window', executionId: six.id, rollbackJobId: null });
      expect(decision.reason).toContain('outside the 60-minute rollback window of policy "checkout burn"');
      expect(await rollbacksOf(six.id)).toHaveLength(0);
    });

    it('a disabled policy rolls nothing back', async () => {
      const seven = await deploy('nginx:1.32');
      const off = await h.api('PATCH', `/api/rollback-policies/${ids.policyId}`, { body: { enabled: false } });
      expect(off.body.enabled).toBe(false);
      const res = await deliver(alert(new Date(new Date(seven.finishedAt).getTime() + 1000)));
      expect(res.body.decisions).toMatchObject([{ outcome: 'policy-disabled', executionId: seven.id }]);
      await h.api('PATCH', `/api/rollback-policies/${ids.policyId}`, { body: { enabled: true } });
      expect(await rollbacksOf(seven.id)).toHaveLength(0);
    });

    it('lists every decision of the monitored service, newest first', async () => {
      const all = await decisions();
      expect(all[0]).toMatchObject({ outcome: 'policy-disabled' });
      expect(all.map((d) => d.outcome)).toEqual(
        expect.arrayContaining([
          'no-deployment',
          'rollback',
          'repeat',
          'already-rolled-back',
          'resolved',
          'outside-window',
        ]),
      );
      const reader = await createToken(h, ['read'], ['prod']);
      const hidden = await h.api('GET', `/api/monitored-services/${ids.monitoredServiceId}/decisions`, {
        token: reader.token,
      });
      expect(hidden.status).toBe(403);
    });
  });
});

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
import { closeStarted, waitFor } from '../helpers/lifecycle.js';
import {
  sloRules,
  startPrometheusStack,
  startTestService,
  type PrometheusStack,
  type TestService,
} from '../helpers/prometheus-stack.js';
import { SloEvaluator } from '../../src/slo/slo-evaluator.service.js';
import { createToken } from '../helpers/scoped-access.js';
import { sloPolicy } from '../helpers/slo.js';

// Issue 16 with the real parts: Debian's Prometheus scrapes a test service, its rule on the burn rate fires,
// Debian's Alertmanager posts it to Backtrack's webhook, and Backtrack rolls the Local Cluster deployment back.
describe('SLO-driven automatic rollback with real Prometheus and Alertmanager', () => {
  let h: Harness;
  let service: TestService;
  let stack: PrometheusStack;
  let pipelineId: string;
  let ids: Awaited<ReturnType<typeof sloPolicy>>;

  beforeAll(async () => {
    // the evaluator stays off: the Alertmanager path is what this test proves
    h = await startHarness({ SLO_EVAL_SECONDS: '0' });
    service = await startTestService('checkout');
    const token = (await createToken(h, ['rollback'], ['dev'])).token;
    stack = await startPrometheusStack({
      scrapeUrl: service.url,
      webhookUrl: `${h.url}/api/hooks/alertmanager`,
      token,
      rules: sloRules({
        service: 'checkout',
        environment: 'dev',
        infrastructure: 'Local Cluster',
        targetPercent: 99.5,
        burnRate: 14.4,
        window: '10s',
      }),
    });
    const serviceId = await createService(h, 'checkout');
    pipelineId = await createPipeline(h, 'checkout-web', {
      stages: [
        kubernetesStage('web', 'checkout', 'Local Cluster', [deploymentManifest('checkout', '<+artifact.image>')]),
      ],
    });
    ids = await sloPolicy(h, {
      serviceId,
      infrastructureId: await infrastructureId(h, 'Local Cluster'),
      prometheusUrl: stack.prometheusUrl,
      windowMinutes: 60,
    });
  }, 120_000);
  afterAll(() => closeStarted(service, stack, h));

  const deploy = (image: string) => runPipeline(h, pipelineId, { artifacts: { checkout: image } });
  const decisions = async () =>
    (await h.api('GET', `/api/monitored-services/${ids.monitoredServiceId}/decisions`)).body.items as any[];
  const decided = (what: string, match: (d: any) => boolean, since: number) =>
    waitFor(what, async () => (await decisions()).find((d) => match(d) && Date.parse(d.createdAt) >= since), {
      timeoutMs: 60_000,
      intervalMs: 200,
    });

  it('Given v1 and v2 deployed, when the service returns errors, the rollback job completes and v1 runs again', async () => {
    await deploy('nginx:1.26');
    const two = await deploy('nginx:1.27');
    expect(await liveImage(h, 'checkout')).toBe('nginx:1.27');

    const since = Date.now();
    service.failing = true;
    const decision = await decided('the rollback decision', (d) => d.outcome === 'rollback', since);
    service.failing = false;
    expect(decision).toMatchObject({
      source: 'alertmanager',
      breachStatus: 'firing',
      executionId: two.id,
      details: { alertname: 'ErrorBudgetBurn', labels: { service: 'checkout', environment: 'dev' } },
    });

    const rollback = await finished(h, decision.rollbackJobId);
    expect(rollback).toMatchObject({ kind: 'Rollback', status: 'Completed', executionId: two.id });
    expect(rollback.createdBy).toBe('SLO rollback policy "checkout burn"');
    expect(await liveImage(h, 'checkout')).toBe('nginx:1.26');
    const logs = await h.api('GET', `/api/executions/${rollback.id}/logs`);
    const messages = (logs.body.logs as { message: string }[]).map((l) => l.message).join('\n');
    expect(messages).toContain('Alertmanager alert "ErrorBudgetBurn" (firing');
    expect(messages).toMatch(/Values: summary=checkout burns its error budget/);

    // Prometheus's rule fired at the alert's startsAt; the Rollback job was created when Backtrack started it
    const firedToRollback = Date.parse(rollback.createdAt) - Date.parse(decision.startsAt);
    process.stdout.write(`slo e2e: Prometheus rule fired → Rollback job created in ${firedToRollback} ms\n`);
    expect(firedToRollback).toBeGreaterThanOrEqual(0);

    // the alert resolves once the errors stop: recorded, nothing rolled back
    const resolved = await decided('the resolved alert', (d) => d.outcome === 'resolved', since);
    expect(resolved).toMatchObject({ fingerprint: decision.fingerprint, rollbackJobId: null });
  }, 180_000);

  it("Backtrack's own evaluator reads the SLO from the same Prometheus", async () => {
    await h.backtrack.app.get(SloEvaluator).evaluateAll();
    const { lastEvaluation } = (await h.api('GET', `/api/slos/${ids.sloId}`)).body;
    expect(lastEvaluation.error).toBeNull();
    // some requests failed a moment ago: below 100 % but far from nothing
    expect(lastEvaluation.measured.sli).toBeGreaterThan(0.5);
    expect(lastEvaluation.measured.sli).toBeLessThan(1);
    expect(lastEvaluation.measured.errorBudgetRemainingPercent).toBeLessThan(100);
    expect(lastEvaluation.measured.burnRate).toBeGreaterThan(0);
    // and the history, from /api/v1/query_range
    const history = await h.api('GET', `/api/slos/${ids.sloId}/history?hours=1&stepMinutes=1`);
    expect(history.status).toBe(200);
    const measured = (history.body.points as { sli: number | null }[]).filter((p) => p.sli !== null);
    expect(measured.length).toBeGreaterThan(0);
    expect(Math.min(...measured.map((p) => p.sli!))).toBeLessThan(1);
  });

  it('the same breach after the rollback window rolls nothing back and says why', async () => {
    const three = await deploy('nginx:1.28');
    const patched = await h.api('PATCH', `/api/rollback-policies/${ids.policyId}`, { body: { windowMinutes: 1 } });
    expect(patched.status).toBe(200);
    // one minute after v3 finished, the window is over
    const windowEnd = Date.parse(three.finishedAt) + 60_000;
    await new Promise((r) => setTimeout(r, Math.max(0, windowEnd - Date.now()) + 1000));

    const since = Date.now();
    service.failing = true;
    const decision = await decided(
      'the outside-window decision',
      (d) => d.source === 'alertmanager' && d.breachStatus === 'firing',
      since,
    );
    service.failing = false;
    expect(decision).toMatchObject({ outcome: 'outside-window', executionId: three.id, rollbackJobId: null });
    expect(decision.reason).toContain('outside the 1-minute rollback window of policy "checkout burn"');
    const rollbacks = await h.api('GET', '/api/executions?kind=Rollback');
    expect((rollbacks.body.executions as any[]).filter((e) => e.executionId === three.id)).toEqual([]);
    expect(await liveImage(h, 'checkout')).toBe('nginx:1.28');
  }, 180_000);
});

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it, beforeAll, afterAll, expect } from '@jest/globals';
import { SloEvaluator } from '../../src/slo/slo-evaluator.service.js';
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
import { sloPolicy } from '../helpers/slo.js';

/**
 * A small server speaking Prometheus's instant-query JSON (docs/platform-apis.md §6.1): 10 000 requests over the
 * compliance period and 100 over the burn window, `errors` per cent of them failing in both.
 */
function fakePrometheus() {
  const state = { errors: 0, down: false, queries: [] as string[] };
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const params = new URLSearchParams(body);
      const query = params.get('query') ?? '';
      state.queries.push(query);
      if (state.down) {
        res.writeHead(503, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ status: 'error', errorType: 'unavailable', error: 'storage not ready' }));
        return;
      }
      if (req.url === '/api/v1/query_range') {
        // three steps: all good, then `errors` per cent failing, then no traffic
        const [start, step] = [Number(params.get('start')), Number(params.get('step'))];
        const good = query.includes('code!~');
        const values = [
          [start, '100'],
          [start + step, String(good ? 100 - state.errors : 100)],
          [start + 2 * step, '0'],
        ];
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({ status: 'success', data: { resultType: 'matrix', result: [{ metric: {}, values }] } }),
        );
        return;
      }
      const period = query.includes('[30d]');
      const valid = period ? 10_000 : 100;
      const value = query.includes('code!~') ? valid - (state.errors * valid) / 100 : valid;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          status: 'success',
          data: { resultType: 'vector', result: [{ metric: {}, value: [Date.now() / 1000, String(value)] }] },
        }),
      );
    });
  });
  return { state, server };
}

describe('the SLO evaluator against a Prometheus-shaped server', () => {
  let h: Harness;
  let prometheus: ReturnType<typeof fakePrometheus>;
  let pipelineId: string;
  let ids: Awaited<ReturnType<typeof sloPolicy>>;
  let evaluator: SloEvaluator;

  beforeAll(async () => {
    prometheus = fakePrometheus();
    await new Promise<void>((r) => prometheus.server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(prometheus.server.address() as AddressInfo).port}`;
    h = await startHarness({ SLO_EVAL_SECONDS: '0' });
    evaluator = h.backtrack.app.get(SloEvaluator);
    const serviceId = await createService(h, 'cart');
    pipelineId = await createPipeline(h, 'cart-web', {
      stages: [kubernetesStage('web', 'cart', 'Local Cluster', [deploymentManifest('cart', '<+artifact.image>')])],
    });
    ids = await sloPolicy(h, {
      serviceId,
      infrastructureId: await infrastructureId(h, 'Local Cluster'),
      prometheusUrl: url,
      name: 'cart',
      condition: { type: 'burnRateAbove', rate: 14.4, windowMinutes: 5 },
    });
  });
  afterAll(async () => {
    await closeStarted(h);
    prometheus.server.closeAllConnections();
    await new Promise<void>((r) => prometheus.server.close(() => r()));
  });

  const deploy = (image: string) => runPipeline(h, pipelineId, { artifacts: { cart: image } });
  const slo = async () => (await h.api('GET', `/api/slos/${ids.sloId}`)).body;

  it('measures SLI, error budget and burn rate, and a healthy SLO decides nothing', async () => {
    prometheus.state.errors = 0;
    expect(await evaluator.evaluateAll()).toEqual([]);
    expect(prometheus.state.queries).toEqual(
      expect.arrayContaining([
        'sum(increase(http_requests_total{service="cart",code!~"5.."}[30d]))',
        'sum(increase(http_requests_total{service="cart"}[5m]))',
      ]),
    );
    expect((await slo()).lastEvaluation).toMatchObject({
      measured: { sli: 1, errorBudgetRemainingPercent: 100, burnRate: 0 },
      error: null,
    });
  });

  it('rolls back the deployment once when the burn rate breaches inside the window, then resolves', async () => {
    await deploy('nginx:1.26');
    const two = await deploy('nginx:1.27');
    prometheus.state.errors = 10; // 10 % errors against a 0.5 % budget: burn rate 20
    const [decision] = await evaluator.evaluateAll();
    expect(decision).toMatchObject({ source: 'evaluation', outcome: 'rollback', executionId: two.id });
    const evaluation = (await slo()).lastEvaluation;
    expect(evaluation.measured.burnRate).toBeCloseTo(20);
    expect(evaluation.measured.errorBudgetRemainingPercent).toBeCloseTo(-1900);

    const rollback = await finished(h, decision!.rollbackJobId!);
    expect(rollback).toMatchObject({ status: 'Completed', createdBy: 'SLO rollback policy "cart burn"' });
    expect(await liveImage(h, 'cart')).toBe('nginx:1.26');
    const logs = await h.api('GET', `/api/executions/${rollback.id}/logs`);
    const messages = (logs.body.logs as { message: string }[]).map((l) => l.message).join('\n');
    expect(messages).toContain('for evaluation of SLO "cart availability"');
    expect(messages).toContain('Values: SLI 90.000 %, error budget remaining -1900.0 %, burn rate 20.00.');

    // the same breach goes on: nothing more is decided
    expect(await evaluator.evaluateAll()).toEqual([]);
    prometheus.state.errors = 0;
    const [resolved] = await evaluator.evaluateAll();
    expect(resolved).toMatchObject({ outcome: 'resolved', breachStatus: 'resolved', startsAt: decision!.startsAt });
  });

  it('the same breach after the window rolls nothing back and says why', async () => {
    const three = await deploy('nginx:1.28');
    prometheus.state.errors = 10;
    const later = new Date(new Date(three.finishedAt).getTime() + 61 * 60_000);
    const [decision] = await evaluator.evaluateAll(later);
    expect(decision).toMatchObject({ outcome: 'outside-window', executionId: three.id, rollbackJobId: null });
    expect(decision!.reason).toContain('outside the 60-minute rollback window');
    expect(await liveImage(h, 'cart')).toBe('nginx:1.28');
    prometheus.state.errors = 0;
    await evaluator.evaluateAll(later);
  });

  it('shows the SLI and burn rate per step from a range query', async () => {
    prometheus.state.errors = 10;
    const res = await h.api('GET', `/api/slos/${ids.sloId}/history?hours=2&stepMinutes=30`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ hours: 2, stepMinutes: 30 });
    expect(res.body.points.map((p: any) => [p.sli, p.burnRate === null ? null : Math.round(p.burnRate)])).toEqual([
      [1, 0],
      [0.9, 20],
      [null, null],
    ]);
    expect(prometheus.state.queries).toContain('sum(increase(http_requests_total{service="cart"}[30m]))');
    prometheus.state.errors = 0;
    const bad = await h.api('GET', `/api/slos/${ids.sloId}/history?stepMinutes=0`);
    expect(bad.status).toBe(400);
  });

  it('Prometheus not answering is no breach: the last evaluation says why', async () => {
    prometheus.state.down = true;
    prometheus.state.errors = 50;
    expect(await evaluator.evaluateAll()).toEqual([]);
    expect((await slo()).lastEvaluation).toMatchObject({
      measured: null,
      error: expect.stringContaining('(503 unavailable): storage not ready'),
    });
    const history = await h.api('GET', `/api/slos/${ids.sloId}/history`);
    expect(history.status).toBe(502);
    expect(history.body.message).toContain('storage not ready');
    prometheus.state.down = false;
    prometheus.state.errors = 0;
  });
});

/**
 * SLO rollback rows of `npm run bench` (issue 16): the time from an Alertmanager webhook reaching Backtrack to the
 * Rollback job being created and to it starting (target < 1 s), over several deployments on Local Cluster; and, when
 * Debian's prometheus and prometheus-alertmanager are installed, the time from Prometheus's rule firing (the alert's
 * startsAt) to the Rollback job, through the real Alertmanager (group_wait 1 s included). Runs alone with
 * `node dist/bench/slo-bench.js`; bench/main.ts wires `benchSloRollback` in.
 */
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { startHarness, waitForJob, type Harness } from '../test/helpers/backtrack.harness.js';
import {
  createPipeline,
  createService,
  deploymentManifest,
  infrastructureId,
  kubernetesStage,
  runPipeline,
} from '../test/helpers/executions.js';
import { waitFor } from '../test/helpers/lifecycle.js';
import { sloRules, startPrometheusStack, startTestService } from '../test/helpers/prometheus-stack.js';
import { alertPayload, sloPolicy } from '../test/helpers/slo.js';
import { type Row, median, scaledRuns } from './bench-client.js';

const RUNS = scaledRuns(7);
const ms = (value: number) => `${value.toFixed(0)} ms`;

export async function benchSloRollback(row: Row): Promise<void> {
  const h = await startHarness({ SLO_EVAL_SECONDS: '0', LOG_LEVEL: 'error' });
  try {
    const serviceId = await createService(h, 'checkout');
    const pipelineId = await createPipeline(h, 'checkout-web', {
      stages: [
        kubernetesStage('web', 'checkout', 'Local Cluster', [deploymentManifest('checkout', '<+artifact.image>')]),
      ],
    });
    const clusterId = await infrastructureId(h, 'Local Cluster');
    // (test/helpers/scoped-access.ts needs Jest's globals: the token is created here)
    const created0 = await h.api('POST', '/api/tokens', {
      body: { name: 'alertmanager', permissions: ['rollback'], environments: ['dev'] },
    });
    const token = created0.body.token as string;
    const labels = { service: 'checkout', environment: 'dev', infrastructure: 'Local Cluster' };
    await sloPolicy(h, { serviceId, infrastructureId: clusterId });
    const deploy = (image: string) => runPipeline(h, pipelineId, { artifacts: { checkout: image } });

    await deploy('nginx:1.0.0');
    const created: number[] = [];
    const started: number[] = [];
    for (let run = 1; run <= RUNS; run++) {
      const execution = await deploy(`nginx:1.0.${run}`);
      const body = alertPayload({
        labels,
        startsAt: new Date(Date.parse(execution.finishedAt) + 1000),
        fingerprint: `bench${run}`,
      });
      // over real HTTP, as Alertmanager sends it
      const sent = Date.now();
      const res = await fetch(`${h.url}/api/hooks/alertmanager`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(body),
      });
      const answer = (await res.json()) as { decisions: { outcome: string; rollbackJobId: string | null }[] };
      const jobId = answer.decisions[0]?.rollbackJobId;
      if (!jobId) throw new Error(`no rollback started: ${JSON.stringify(answer)}`);
      const job = await waitForJob(h, jobId, 60_000);
      created.push(Date.parse(job.createdAt) - sent);
      started.push(Date.parse(job.startedAt) - sent);
    }
    row(
      `SLO rollback: Alertmanager webhook → Rollback job created (median of ${RUNS})`,
      ms(median(created)),
      `max ${ms(Math.max(...created))}`,
      median(created) < 1000 ? 'meets < 1 s' : 'MISSES < 1 s',
    );
    row(
      `SLO rollback: Alertmanager webhook → Rollback job started (median of ${RUNS})`,
      ms(median(started)),
      `max ${ms(Math.max(...started))}`,
      median(started) < 1000 ? 'meets < 1 s' : 'MISSES < 1 s',
    );
    await benchThroughPrometheus(h, row, { serviceId, pipelineId, token });
  } finally {
    await h.close();
  }
}

/** One breach through Debian's Prometheus and Alertmanager: rule fired (startsAt) → Rollback job created. */
async function benchThroughPrometheus(
  h: Harness,
  row: Row,
  o: { serviceId: string; pipelineId: string; token: string },
): Promise<void> {
  const measure = 'SLO rollback: Prometheus rule fired → Rollback job created (real Prometheus + Alertmanager)';
  if (!existsSync('/usr/bin/prometheus') || !existsSync('/usr/bin/prometheus-alertmanager')) {
    row(measure, 'not measured', 'apt-get install prometheus prometheus-alertmanager', 'skipped');
    return;
  }
  const service = await startTestService('cart');
  const stack = await startPrometheusStack({
    scrapeUrl: service.url,
    webhookUrl: `${h.url}/api/hooks/alertmanager`,
    token: o.token,
    rules: sloRules({
      service: 'cart',
      environment: 'dev',
      infrastructure: 'Local Cluster',
      targetPercent: 99.5,
      burnRate: 14.4,
      window: '10s',
    }),
  });
  try {
    const cartId = await createService(h, 'cart');
    const pipelineId = await createPipeline(h, 'cart-web', {
      stages: [kubernetesStage('web', 'cart', 'Local Cluster', [deploymentManifest('cart', '<+artifact.image>')])],
    });
    const { monitoredServiceId } = await sloPolicy(h, {
      serviceId: cartId,
      infrastructureId: await infrastructureId(h, 'Local Cluster'),
      prometheusUrl: stack.prometheusUrl,
      name: 'cart',
    });
    await runPipeline(h, pipelineId, { artifacts: { cart: 'nginx:1.26' } });
    await runPipeline(h, pipelineId, { artifacts: { cart: 'nginx:1.27' } });
    // let Prometheus scrape a few healthy seconds first
    await new Promise((r) => setTimeout(r, 3000));
    service.failing = true;
    const decision = await waitFor(
      'the rollback decision',
      async () => {
        const res = await h.api('GET', `/api/monitored-services/${monitoredServiceId}/decisions`);
        return (res.body.items as { outcome: string; startsAt: string; rollbackJobId: string }[]).find(
          (d) => d.outcome === 'rollback',
        );
      },
      { timeoutMs: 60_000, intervalMs: 100 },
    );
    service.failing = false;
    const job = await waitForJob(h, decision.rollbackJobId, 60_000);
    const firedToCreated = Date.parse(job.createdAt) - Date.parse(decision.startsAt);
    row(measure, ms(firedToCreated), 'scrape and evaluation every 1 s, Alertmanager group_wait 1 s', 'measured');
  } finally {
    await stack.close();
    await service.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await benchSloRollback((measure, value, reference, verdict) =>
    console.log(`${measure}: ${value} (${reference}) ${verdict}`),
  );
}

/**
 * Helm rows of `npm run bench`: a rollback of one release (a chart with a 2-replica Deployment and a ConfigMap)
 * through the helm provider — `helm history`, `helm rollback` without --wait, then `status` polled until the
 * Deployment is rolled out — against a bare script running the helm binary the way a person would (`helm history`,
 * `helm rollback <rev> --wait`), each on its own Kubernetes emulator over HTTP with pods ready after one second.
 * API calls are counted with the emulator's request log. Runs alone with `node dist/bench/helm-bench.js`.
 */
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { startKubernetesEmulator } from '../src/kubernetes-emulator/kubernetes-emulator.server.js';
import { HelmProvider } from '../src/platform/helm/helm.provider.js';
import type { HelmSpec } from '../src/platform/helm/helm-spec.js';
import { layerBinaries } from '../test/kubernetes-emulator/kubectl.helper.js';
import { chartTgz, MemoryCharts } from '../test/platform/helm/fixtures.js';
import { stageContext } from '../test/helpers/stage-context.js';
import { type Row, median, scaledRuns } from './bench-client.js';

const REPEATS = scaledRuns(5);
const ms = (value: number) => `${value.toFixed(0)} ms`;

export async function benchHelmRollback(row: Row): Promise<void> {
  const bin = (await layerBinaries()).helm;
  // One emulator for the provider, one for the bare script: each controller syncs only its own objects.
  const emulator = await startKubernetesEmulator({ port: 0, podReadySeconds: 1, syncIntervalMs: 100 });
  const bareEmulator = await startKubernetesEmulator({ port: 0, podReadySeconds: 1, syncIntervalMs: 100 });
  const charts = new MemoryCharts();
  charts.add('shop-chart', '0.1.0', await chartTgz({ version: '0.1.0', appVersion: '1' }));
  charts.add('shop-chart', '0.2.0', await chartTgz({ version: '0.2.0', appVersion: '2' }));
  const provider = new HelmProvider({ bin, packages: charts, waitRetryMs: 100 });
  const contextOn = (cluster: typeof emulator) => () =>
    stageContext({
      target: { kind: 'helm', connection: { server: cluster.url, token: cluster.token } },
      jobId: crypto.randomUUID(),
    });
  const context = contextOn(emulator);
  const bareContext = contextOn(bareEmulator);
  const spec = (version: string, run: number): HelmSpec => ({
    package: 'shop-chart',
    version,
    release: 'bench',
    namespace: 'default',
    values: { greeting: `run ${run}` },
    timeoutSeconds: 120,
  });
  /** Deploys through the provider and waits until the rollout is steady. */
  const deploy = async (s: HelmSpec, ctx: ReturnType<typeof context>) => {
    const data = await provider.capture(ctx, s);
    const outputs = await provider.deploy(ctx, s, data);
    while (!(await provider.status(ctx, s, outputs)).steady) await new Promise((r) => setTimeout(r, 100));
    return { spec: s, data, outputs };
  };

  // The bare script: helm with a kubeconfig file, `helm history` to find the previous revision, `helm rollback --wait`.
  const home = await fs.mkdtemp(path.join(os.tmpdir(), 'backtrack-helm-bench-'));
  await fs.writeFile(path.join(home, 'kubeconfig'), JSON.stringify(bareEmulator.kubeconfig()), { mode: 0o600 });
  const helm = (args: string[]) =>
    new Promise<string>((resolve, reject) =>
      execFile(
        bin,
        args,
        {
          env: {
            HOME: home,
            KUBECONFIG: path.join(home, 'kubeconfig'),
            HELM_CACHE_HOME: path.join(home, 'cache'),
            HELM_CONFIG_HOME: path.join(home, 'config'),
            HELM_DATA_HOME: path.join(home, 'data'),
          },
        },
        (error, stdout, stderr) => (error ? reject(new Error(stderr || error.message)) : resolve(stdout)),
      ),
    );
  const bareRollback = async () => {
    const history = JSON.parse(await helm(['history', 'bench', '-n', 'default', '-o', 'json'])) as {
      revision: number;
    }[];
    const previous = history.at(-2)!.revision;
    await helm(['rollback', 'bench', String(previous), '-n', 'default', '--wait', '--timeout', '120s']);
  };

  try {
    const providerCall: number[] = [];
    const providerTotal: number[] = [];
    const bareTimes: number[] = [];
    let providerCalls = 0;
    let providerWaitCalls = 0;
    let bareCalls = 0;
    for (let run = 0; run < REPEATS; run++) {
      await deploy(spec('0.1.0', run), context());
      const recorded = await deploy(spec('0.2.0', run), context());
      await deploy(spec('0.1.0', run), bareContext());
      await deploy(spec('0.2.0', run), bareContext());

      const viaProvider = async () => {
        emulator.admin.resetRequests();
        const started = performance.now();
        const ctx = context();
        const outputs = await provider.rollback(ctx, recorded);
        providerCall.push(performance.now() - started);
        providerCalls = emulator.admin.requests().length;
        while (!(await provider.status(ctx, recorded.spec, outputs)).steady)
          await new Promise((r) => setTimeout(r, 100));
        providerTotal.push(performance.now() - started);
        providerWaitCalls = emulator.admin.requests().length;
      };
      const viaBare = async () => {
        bareEmulator.admin.resetRequests();
        const started = performance.now();
        await bareRollback();
        bareTimes.push(performance.now() - started);
        bareCalls = bareEmulator.admin.requests().length;
      };
      for (const side of run % 2 ? [viaBare, viaProvider] : [viaProvider, viaBare]) await side();
    }
    const total = median(providerTotal);
    const bare = median(bareTimes);
    row(
      `Helm rollback of one release (2-replica Deployment): provider rollback call (median of ${REPEATS})`,
      `${ms(median(providerCall))}, ${providerCalls} API calls`,
      'helm history, helm rollback (no --wait), helm history, helm get manifest',
      '—',
    );
    row(
      `  until rolled out (status polled every 100 ms, pods ready after 1 s)`,
      `${ms(total)}, ${providerWaitCalls} API calls`,
      `bare helm history + helm rollback --wait ${ms(bare)}, ${bareCalls} API calls; ${(total / bare).toFixed(2)}×`,
      total <= 1.2 * bare ? 'meets ≤ 1.2×' : 'misses ≤ 1.2×',
    );
  } finally {
    await fs.rm(home, { recursive: true, force: true });
    await emulator.close();
    await bareEmulator.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const rows: string[][] = [];
  await benchHelmRollback((...cells) => {
    rows.push(cells);
    console.log(`  ${cells[0]}: ${cells[1]} (${cells[2]}) ${cells[3]}`);
  });
  console.log('\n| measure | value | reference | target |\n| --- | --- | --- | --- |');
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
}

/**
 * Kubernetes rows of `npm run bench`: a rollback of 1 and of 50 Deployments in one stage through the provider, against
 * a bare @kubernetes/client-node script doing what `kubectl rollout undo` does for each (GET the Deployment, LIST its
 * ReplicaSets, one JSON patch), both with 8 Deployments at a time, against the Kubernetes emulator over HTTP. API
 * calls are counted with the emulator's request log; the rollout wait (polling `status` until steady, pods ready
 * after one second) is shown apart. Runs alone with `node dist/bench/kubernetes-bench.js`.
 */
import { pathToFileURL } from 'node:url';
import { AppsV1Api, KubeConfig, PatchStrategy, setHeaderOptions, type V1ReplicaSet } from '@kubernetes/client-node';
import { mapWithConcurrency } from '../src/common/concurrency.js';
import { startKubernetesEmulator } from '../src/kubernetes-emulator/kubernetes-emulator.server.js';
import { KubernetesProvider } from '../src/platform/kubernetes/kubernetes.provider.js';
import type { KubernetesManifest, KubernetesSpec } from '../src/platform/kubernetes/kubernetes-spec.js';
import { stageContext } from '../test/helpers/stage-context.js';
import { type Row, median, SCALE, scaledRuns } from './bench-client.js';

const CONCURRENCY = 8;
/** The larger stage: 50 Deployments at scale 1 (BENCH_SCALE), at least 2. */
const MANY = Math.max(2, Math.round(50 * SCALE));
/** Runs per size (the median is shown); the 50-Deployment runs cost the emulator's controller most. */
const REPEATS: Record<number, number> = { 1: scaledRuns(7), [MANY]: 1 };
const REVISION = 'deployment.kubernetes.io/revision';

function deployment(name: string, image: string): KubernetesManifest {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image }] } },
    },
  };
}

const ms = (value: number) => `${value.toFixed(0)} ms`;

export async function benchKubernetesRollback(row: Row): Promise<void> {
  // One emulator for the provider, one for the bare script: each controller syncs only its own objects.
  const emulator = await startKubernetesEmulator({ port: 0, podReadySeconds: 1, syncIntervalMs: 500 });
  const bareEmulator = await startKubernetesEmulator({ port: 0, podReadySeconds: 1, syncIntervalMs: 500 });
  const provider = new KubernetesProvider({ concurrency: CONCURRENCY });
  const contextOn = (cluster: typeof emulator) => () =>
    stageContext({ target: { kind: 'kubernetes', connection: { server: cluster.url, token: cluster.token } } });
  const context = contextOn(emulator);
  const bareContext = contextOn(bareEmulator);
  const kc = new KubeConfig();
  kc.loadFromString(JSON.stringify(bareEmulator.kubeconfig()));
  const apps = kc.makeApiClient(AppsV1Api);

  /** Deploys `image` on every Deployment of the spec through the provider and lets the rollout finish. */
  const deployAll = async (spec: KubernetesSpec, on: 'provider' | 'bare' = 'provider') => {
    const ctx = on === 'provider' ? context() : bareContext();
    const data = await provider.capture(ctx, spec);
    const outputs = await provider.deploy(ctx, spec, data);
    (on === 'provider' ? emulator : bareEmulator).admin.settle();
    return { spec, data, outputs };
  };
  const specFor = (prefix: string, count: number, image: string): KubernetesSpec => ({
    namespace: 'default',
    manifests: Array.from({ length: count }, (_, i) => deployment(`${prefix}-${i}`, image)),
  });

  /** kubectl rollout undo, by hand: the ReplicaSet with the second-highest revision, its template patched back. */
  const bareUndo = async (name: string) => {
    const live = await apps.readNamespacedDeployment({ name, namespace: 'default' });
    const selector = Object.entries(live.spec!.selector.matchLabels ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
    const owned = (await apps.listNamespacedReplicaSet({ namespace: 'default', labelSelector: selector })).items.filter(
      (rs: V1ReplicaSet) => rs.metadata?.ownerReferences?.some((r) => r.controller && r.uid === live.metadata!.uid),
    );
    const byRevision = owned.sort(
      (a, b) => Number(b.metadata!.annotations![REVISION]) - Number(a.metadata!.annotations![REVISION]),
    );
    const previous = byRevision[1]!;
    const template = structuredClone(previous.spec!.template!);
    delete template.metadata!.labels!['pod-template-hash'];
    await apps.patchNamespacedDeployment(
      { name, namespace: 'default', body: [{ op: 'replace', path: '/spec/template', value: template }] },
      setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
    );
  };

  try {
    for (const count of [1, MANY]) {
      const providerTimes: number[] = [];
      const bareTimes: number[] = [];
      const waits: number[] = [];
      let providerCalls = 0;
      let bareCalls = 0;
      const ours = specFor(`bt${count}`, count, 'nginx:1.26');
      const theirs = specFor(`bare${count}`, count, 'nginx:1.26');
      await deployAll(ours);
      await deployAll(theirs, 'bare');
      for (let run = 0; run < REPEATS[count]!; run++) {
        const image = `nginx:1.${27 + run}`;
        const recorded = await deployAll(specFor(`bt${count}`, count, image));
        await deployAll(specFor(`bare${count}`, count, image), 'bare');

        // The two sides take turns going first, so neither always runs right after the other's work.
        const viaProvider = async () => {
          emulator.admin.resetRequests();
          let started = performance.now();
          const ctx = context();
          const outputs = await provider.rollback(ctx, recorded);
          providerTimes.push(performance.now() - started);
          providerCalls = emulator.admin.requests().length;
          started = performance.now();
          while (!(await provider.status(ctx, recorded.spec, outputs)).steady)
            await new Promise((resolve) => setTimeout(resolve, 100));
          waits.push(performance.now() - started);
        };
        const viaBare = async () => {
          bareEmulator.admin.resetRequests();
          const started = performance.now();
          await mapWithConcurrency(
            theirs.manifests.map((m) => m.metadata.name),
            CONCURRENCY,
            bareUndo,
          );
          bareTimes.push(performance.now() - started);
          bareCalls = bareEmulator.admin.requests().length;
          bareEmulator.admin.settle();
        };
        for (const side of run % 2 ? [viaBare, viaProvider] : [viaProvider, viaBare]) await side();
      }
      const ours50 = median(providerTimes);
      const bare = median(bareTimes);
      row(
        `Kubernetes rollback, ${count} Deployment${count > 1 ? 's' : ''} in one stage: provider wall time (median of ${REPEATS[count]})`,
        `${ms(ours50)}, ${providerCalls} API calls`,
        `bare client-node undo ${ms(bare)}, ${bareCalls} API calls; ${(ours50 / bare).toFixed(2)}×`,
        ours50 <= 1.2 * bare ? 'meets ≤ 1.2×' : 'misses ≤ 1.2×',
      );
      row(
        `  then the rollout wait (status polled every 100 ms, one replica each, pods ready after 1 s)`,
        ms(median(waits)),
        'not part of the rollback call; the engine polls status',
        '—',
      );
    }
  } finally {
    await emulator.close();
    await bareEmulator.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const rows: string[][] = [];
  await benchKubernetesRollback((...cells) => {
    rows.push(cells);
    console.log(`  ${cells[0]}: ${cells[1]} (${cells[2]}) ${cells[3]}`);
  });
  console.log('\n| measure | value | reference | target |\n| --- | --- | --- | --- |');
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
}

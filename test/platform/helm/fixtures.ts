// A packaged chart, a started Kubernetes emulator and a HelmProvider with the kubectl layer's helm, for the helm
// provider's contract tests (and the bench).
import crypto from 'node:crypto';
import { AppsV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import {
  startKubernetesEmulator,
  type KubernetesEmulatorHandle,
} from '../../../src/kubernetes-emulator/kubernetes-emulator.server.js';
import { HelmCli } from '../../../src/platform/helm/helm-cli.js';
import { HelmProvider } from '../../../src/platform/helm/helm.provider.js';
import type { PackageBytes, PackageSource } from '../../../src/platform/packages/package-source.js';
import type { HelmSpec } from '../../../src/platform/helm/helm-spec.js';
import { stageContext, type StageContextOptions, type TestStageContext } from '../../helpers/stage-context.js';
import { tarGz } from '../../helpers/package-archives.js';
import { layerBinaries } from '../../kubernetes-emulator/kubectl.helper.js';

/** A packaged chart (`<name>/Chart.yaml`, values, a Deployment and a ConfigMap) as `helm package` lays it out. */
export function chartTgz(options: { name?: string; version: string; appVersion: string; replicas?: number }) {
  const name = options.name ?? 'shop';
  return tarGz([
    {
      name: `${name}/Chart.yaml`,
      content: `apiVersion: v2\nname: ${name}\nversion: ${options.version}\nappVersion: "${options.appVersion}"\n`,
    },
    { name: `${name}/values.yaml`, content: `image: shop/web:${options.appVersion}\ngreeting: hello\n` },
    {
      name: `${name}/templates/deployment.yaml`,
      content: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
spec:
  replicas: ${options.replicas ?? 2}
  selector:
    matchLabels: {app: {{ .Release.Name }}}
  template:
    metadata:
      labels: {app: {{ .Release.Name }}}
    spec:
      containers:
        - name: app
          image: {{ .Values.image }}
`,
    },
    {
      name: `${name}/templates/configmap.yaml`,
      content: `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-settings
data:
  image: {{ .Values.image | quote }}
  greeting: {{ .Values.greeting | quote }}
`,
    },
  ]);
}

/** Package bytes kept in memory, as the package store would hand them over. */
export class MemoryCharts implements PackageSource {
  private readonly packages = new Map<string, Buffer>();

  add(name: string, version: string, content: Buffer): void {
    this.packages.set(`${name}@${version}`, content);
  }

  async bytes(name: string, version: string): Promise<PackageBytes> {
    const content = this.packages.get(`${name}@${version}`);
    if (!content) throw new Error(`no package ${name}@${version}`);
    return { content, sha256: crypto.createHash('sha256').update(content).digest('hex'), format: 'tar.gz' };
  }
}

export function helmSpec(release: string, over: Partial<HelmSpec> = {}): HelmSpec {
  return {
    package: 'shop-chart',
    version: '0.1.0',
    release,
    namespace: 'default',
    values: {},
    timeoutSeconds: 60,
    ...over,
  };
}

export interface HelmCluster {
  emulator: KubernetesEmulatorHandle;
  provider: HelmProvider;
  charts: MemoryCharts;
  helmBin: string;
  connection: { server: string; token: string };
  apps: AppsV1Api;
  core: CoreV1Api;
  /** helm itself against the emulator (history, a hand-run upgrade), outside the provider. */
  cli: HelmCli;
  /** A stage context with its own job and stage ids (so each deploy is a new stage). */
  context(options?: Omit<StageContextOptions, 'target'>): TestStageContext;
  /** The API requests since the last reset that changed something (POST, PUT, PATCH, DELETE). */
  writes(): { method: string; path: string }[];
  close(): Promise<void>;
}

/** An emulator whose simulated time moves only when a test says so, charts 0.1.0 (app 1) and 0.2.0 (app 2). */
export async function startHelmCluster(options: { waitRetryMs?: number } = {}): Promise<HelmCluster> {
  const emulator = await startKubernetesEmulator({ port: 0, podReadySeconds: 30, syncIntervalMs: 60_000 });
  const helmBin = (await layerBinaries()).helm;
  const charts = new MemoryCharts();
  charts.add('shop-chart', '0.1.0', await chartTgz({ version: '0.1.0', appVersion: '1' }));
  charts.add('shop-chart', '0.2.0', await chartTgz({ version: '0.2.0', appVersion: '2' }));
  const provider = new HelmProvider({ bin: helmBin, packages: charts, waitRetryMs: options.waitRetryMs });
  const kc = new KubeConfig();
  kc.loadFromString(JSON.stringify(emulator.kubeconfig()));
  const connection = { server: emulator.url, token: emulator.token };
  return {
    emulator,
    provider,
    charts,
    helmBin,
    connection,
    apps: kc.makeApiClient(AppsV1Api),
    core: kc.makeApiClient(CoreV1Api),
    cli: new HelmCli({ bin: helmBin, connection }),
    context: (options = {}) =>
      stageContext({ target: { kind: 'helm', connection }, jobId: crypto.randomUUID(), ...options }),
    writes: () => emulator.admin.requests().filter((r) => r.method !== 'GET'),
    close: () => emulator.close(),
  };
}

// Manifests and a started emulator for the Kubernetes provider's contract tests.
import { AppsV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import {
  startKubernetesEmulator,
  type KubernetesEmulatorHandle,
} from '../../../src/kubernetes-emulator/kubernetes-emulator.server.js';
import type { KubernetesManifest, KubernetesSpec } from '../../../src/platform/kubernetes/kubernetes-spec.js';
import { stageContext, type StageContextOptions, type TestStageContext } from '../../helpers/stage-context.js';

export function deployment(
  name: string,
  image: string,
  options: { replicas?: number; revisionHistoryLimit?: number; progressDeadlineSeconds?: number } = {},
): KubernetesManifest {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, annotations: { 'kubernetes.io/change-cause': image } },
    spec: {
      replicas: options.replicas ?? 2,
      ...(options.revisionHistoryLimit !== undefined ? { revisionHistoryLimit: options.revisionHistoryLimit } : {}),
      ...(options.progressDeadlineSeconds ? { progressDeadlineSeconds: options.progressDeadlineSeconds } : {}),
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'app', image, ports: [{ containerPort: 8080 }] }] },
      },
    },
  };
}

export function configMap(name: string, data: Record<string, string>, binaryData?: Record<string, string>) {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap' as const,
    metadata: { name },
    data,
    ...(binaryData ? { binaryData } : {}),
  };
}

export function service(name: string, port = 80): KubernetesManifest {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name },
    spec: { selector: { app: name }, ports: [{ port, targetPort: 8080 }] },
  };
}

export function specOf(...manifests: KubernetesManifest[]): KubernetesSpec {
  return { namespace: 'default', manifests };
}

export interface Cluster {
  emulator: KubernetesEmulatorHandle;
  apps: AppsV1Api;
  core: CoreV1Api;
  context(options?: Omit<StageContextOptions, 'target'>): TestStageContext;
  /** The API requests since the last reset that changed something (POST, PUT, PATCH, DELETE). */
  writes(): { method: string; path: string }[];
}

/** An emulator whose simulated time moves only when a test says so (admin.settle / tick). */
export async function startCluster(): Promise<Cluster> {
  const emulator = await startKubernetesEmulator({ port: 0, podReadySeconds: 1, syncIntervalMs: 60_000 });
  const kc = new KubeConfig();
  kc.loadFromString(JSON.stringify(emulator.kubeconfig()));
  const connection = { server: emulator.url, token: emulator.token };
  return {
    emulator,
    apps: kc.makeApiClient(AppsV1Api),
    core: kc.makeApiClient(CoreV1Api),
    context: (options = {}) => stageContext({ target: { kind: 'kubernetes', connection }, ...options }),
    writes: () => emulator.admin.requests().filter((r) => r.method !== 'GET'),
  };
}

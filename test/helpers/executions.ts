// Pipelines, executions and rollbacks against Local Cluster (the embedded default's Kubernetes emulator).
import { AppsV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { waitForJob, type Harness } from './backtrack.harness.js';

/** A Deployment of `name` whose container runs `image` (an expression such as `<+artifact.image>` works too). */
export function deploymentManifest(name: string, image: string, replicas = 1) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'app', image }] },
      },
    },
  };
}

export function configMapManifest(name: string, data: Record<string, string>) {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data };
}

/** A kubernetes stage deploying `service` to `infrastructure` with these manifests. */
export function kubernetesStage(
  name: string,
  service: string,
  infrastructure: string,
  manifests: unknown[],
  extra: Record<string, unknown> = {},
) {
  return { name, service, infrastructure, spec: { namespace: 'default', manifests }, ...extra };
}

/** The id of an infrastructure by name (Local Cluster is registered on the embedded default). */
export async function infrastructureId(h: Harness, name: string): Promise<string> {
  const res = await h.api('GET', '/api/infrastructures');
  const found = (res.body.items as { id: string; name: string }[]).find((i) => i.name === name);
  if (!found) throw new Error(`no infrastructure named ${name}: ${JSON.stringify(res.body)}`);
  return found.id;
}

/** Registers another infrastructure on the same emulator, in `environment` (stages in more than one environment). */
export async function registerCluster(h: Harness, name: string, environment: string): Promise<string> {
  const cluster = h.backtrack.kubernetes!;
  const res = await h.api('POST', '/api/infrastructures', {
    body: { name, environment, kind: 'kubernetes', connection: { server: cluster.url, token: cluster.token } },
  });
  if (res.status !== 201) throw new Error(`infrastructure not created: ${JSON.stringify(res.body)}`);
  return res.body.id as string;
}

export async function createService(h: Harness, name: string): Promise<string> {
  const res = await h.api('POST', '/api/services', { body: { name } });
  if (res.status !== 201) throw new Error(`service not created: ${JSON.stringify(res.body)}`);
  return res.body.id as string;
}

export async function createPipeline(h: Harness, name: string, definition: unknown): Promise<string> {
  const res = await h.api('POST', '/api/pipelines', { body: { name, definition } });
  if (res.status !== 201) throw new Error(`pipeline not created: ${JSON.stringify(res.body)}`);
  return res.body.id as string;
}

/** Starts an execution (202 expected) and waits until it finished; returns the finished Execution. */
export async function runPipeline(
  h: Harness,
  pipelineId: string,
  body: { artifacts?: Record<string, string>; variables?: Record<string, string> } = {},
): Promise<any> {
  const res = await h.api('POST', `/api/pipelines/${pipelineId}/executions`, { body });
  if (res.status !== 202) throw new Error(`execution refused: ${res.status} ${JSON.stringify(res.body)}`);
  return finished(h, res.body.id as string);
}

/** Waits until the execution (or rollback) finished, then reads it through the executions API. */
export async function finished(h: Harness, executionId: string, timeoutMs = 60_000): Promise<any> {
  await waitForJob(h, executionId, timeoutMs);
  const res = await h.api('GET', `/api/executions/${executionId}`);
  if (res.status !== 200) throw new Error(`execution not readable: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Starts the rollback of an execution (202 expected) and waits until it finished. */
export async function rollBack(h: Harness, executionId: string, body: { force?: boolean } = {}): Promise<any> {
  const res = await h.api('POST', `/api/executions/${executionId}/rollback`, { body });
  if (res.status !== 202) throw new Error(`rollback refused: ${res.status} ${JSON.stringify(res.body)}`);
  return finished(h, res.body.id as string);
}

/** client-node clients on Local Cluster, to read and change it the way a person with kubectl would. */
export function clusterClients(h: Harness): { apps: AppsV1Api; core: CoreV1Api } {
  const kc = new KubeConfig();
  kc.loadFromString(JSON.stringify(h.backtrack.kubernetes!.kubeconfig()));
  return { apps: kc.makeApiClient(AppsV1Api), core: kc.makeApiClient(CoreV1Api) };
}

/** The image of the Deployment's first container now, or null when there is no such Deployment. */
export async function liveImage(h: Harness, name: string): Promise<string | null> {
  try {
    const found = await clusterClients(h).apps.readNamespacedDeployment({ name, namespace: 'default' });
    return found.spec!.template.spec!.containers[0]!.image ?? null;
  } catch (error) {
    if ((error as { code?: number }).code === 404) return null;
    throw error;
  }
}

// Pipelines for the end-to-end tests of the platform core: a service deployed to the built-in Local Cluster.
import { expect } from '@jest/globals';
import { waitForJob, type Harness } from './backtrack.harness.js';

/** The built-in Kubernetes infrastructure of the embedded default (the Kubernetes API emulator). */
export const LOCAL_CLUSTER = 'Local Cluster';

/** A Deployment of `name` whose image is the run's artifact. */
function deployment(name: string) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels: { app: name } },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name, image: '<+artifact.image>' }] },
      },
    },
  };
}

/** Registers the service and a one-stage pipeline deploying it to Local Cluster; answers both ids. */
export async function kubernetesPipeline(
  h: Harness,
  service: string,
  pipeline: string,
): Promise<{ serviceId: string; pipelineId: string }> {
  const created = await h.api('POST', '/api/services', { body: { name: service } });
  expect(created.status).toBe(201);
  const definition = {
    stages: [
      {
        name: service,
        service,
        infrastructure: LOCAL_CLUSTER,
        spec: { namespace: 'default', manifests: [deployment(service)] },
      },
    ],
  };
  const made = await h.api('POST', '/api/pipelines', { body: { name: pipeline, definition } });
  expect(made.status).toBe(201);
  return { serviceId: created.body.id, pipelineId: made.body.id };
}

/** Runs the pipeline with `artifacts` through the API and waits for the execution to finish; answers it. */
export async function runPipeline(h: Harness, pipelineId: string, artifacts: Record<string, string>): Promise<any> {
  const started = await h.api('POST', `/api/pipelines/${pipelineId}/executions`, { body: { artifacts } });
  expect(started.status).toBe(202);
  await waitForJob(h, started.body.id, 60_000);
  return (await h.api('GET', `/api/executions/${started.body.id}`)).body;
}

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startHarness, type Harness } from '../helpers/backtrack.harness.js';
import {
  createPipeline,
  createService,
  deploymentManifest,
  kubernetesStage,
  rollBack,
  runPipeline,
} from '../helpers/executions.js';
import { closeStarted } from '../helpers/lifecycle.js';
import { kubectlFor, rolloutHistory, type Kubectl } from '../kubernetes-emulator/kubectl.helper.js';

function withChangeCause<T extends { metadata: Record<string, unknown> }>(manifest: T, cause: string): T {
  return { ...manifest, metadata: { ...manifest.metadata, annotations: { 'kubernetes.io/change-cause': cause } } };
}

describe('Backtrack and kubectl on one cluster (Local Cluster, through the API)', () => {
  let h: Harness;
  let kubectl: Kubectl;

  beforeAll(async () => {
    h = await startHarness();
    kubectl = await kubectlFor(h.backtrack.kubernetes!);
  });
  afterAll(async () => {
    kubectl.cleanup();
    await closeStarted(h);
  });

  const image = async () =>
    (
      await kubectl.ok(['get', 'deployment/storefront', '-o', 'jsonpath={.spec.template.spec.containers[0].image}'])
    ).trim();

  it('two executions show as two revisions; the rollback leaves the previous image; kubectl undo then works as usual', async () => {
    await createService(h, 'storefront');
    const pipelineId = await createPipeline(h, 'storefront', {
      stages: [
        kubernetesStage('web', 'storefront', 'Local Cluster', [
          // The change-cause annotation is what `kubectl rollout history` prints beside each revision.
          withChangeCause(deploymentManifest('storefront', '<+artifact.image>', 2), '<+artifact.image>'),
        ]),
      ],
    });
    expect((await runPipeline(h, pipelineId, { artifacts: { storefront: 'nginx:1.26' } })).status).toBe('Completed');
    const second = await runPipeline(h, pipelineId, { artifacts: { storefront: 'nginx:1.27' } });
    expect(second.status).toBe('Completed');
    expect(await rolloutHistory(kubectl, 'storefront')).toEqual([
      ['1', 'nginx:1.26'],
      ['2', 'nginx:1.27'],
    ]);

    const rollback = await rollBack(h, second.id);
    expect(rollback.status).toBe('Completed');
    expect(await image()).toBe('nginx:1.26');
    // As `kubectl rollout undo` would have left it: the earlier ReplicaSet adopted again as the newest revision.
    expect(await rolloutHistory(kubectl, 'storefront')).toEqual([
      ['2', 'nginx:1.27'],
      ['3', 'nginx:1.26'],
    ]);
    expect(await kubectl.ok(['rollout', 'status', 'deployment/storefront', '--timeout=30s'])).toContain(
      'successfully rolled out',
    );

    // A person's own undo afterwards goes to the revision before, as on any cluster.
    expect(await kubectl.ok(['rollout', 'undo', 'deployment/storefront'])).toContain('rolled back');
    h.backtrack.kubernetes!.admin.settle();
    expect(await image()).toBe('nginx:1.27');
    expect(await rolloutHistory(kubectl, 'storefront')).toEqual([
      ['3', 'nginx:1.26'],
      ['4', 'nginx:1.27'],
    ]);
  });
});

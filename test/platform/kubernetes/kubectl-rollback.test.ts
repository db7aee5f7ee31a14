import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { KubernetesProvider } from '../../../src/platform/kubernetes/kubernetes.provider.js';
import { kubectlFor, rolloutHistory, type Kubectl } from '../../kubernetes-emulator/kubectl.helper.js';
import { deployment, specOf, startCluster, type Cluster } from './fixtures.js';

describe('the provider’s rollback as kubectl sees it', () => {
  const provider = new KubernetesProvider();
  let cluster: Cluster;
  let kubectl: Kubectl;

  beforeAll(async () => {
    cluster = await startCluster();
    kubectl = await kubectlFor(cluster.emulator);
  });
  afterAll(async () => {
    kubectl.cleanup();
    await cluster.emulator.close();
  });

  const image = async () =>
    (await kubectl.ok(['get', 'deployment/web', '-o', 'jsonpath={.spec.template.spec.containers[0].image}'])).trim();

  test('two versions deployed through the provider, rolled back by it, then undone by hand as on a real cluster', async () => {
    const stage = async (version: string) => {
      const spec = specOf(deployment('web', version, { replicas: 3 }));
      const ctx = cluster.context();
      const data = await provider.capture(ctx, spec);
      const outputs = await provider.deploy(ctx, spec, data);
      cluster.emulator.admin.settle();
      expect(await provider.status(ctx, spec, outputs)).toEqual({ steady: true });
      return { spec, data, outputs };
    };
    await stage('nginx:1.26');
    const second = await stage('nginx:1.27');
    expect(await rolloutHistory(kubectl, 'web')).toEqual([
      ['1', 'nginx:1.26'],
      ['2', 'nginx:1.27'],
    ]);

    const ctx = cluster.context();
    const after = await provider.rollback(ctx, second);
    cluster.emulator.admin.settle();
    expect(await provider.status(ctx, second.spec, after)).toEqual({ steady: true });
    expect(await image()).toBe('nginx:1.26');
    // The previous ReplicaSet was re-adopted as the newest revision, change-cause and all.
    expect(await rolloutHistory(kubectl, 'web')).toEqual([
      ['2', 'nginx:1.27'],
      ['3', 'nginx:1.26'],
    ]);
    expect(await kubectl.ok(['rollout', 'status', 'deployment/web', '--timeout=30s'])).toContain(
      'successfully rolled out',
    );

    // kubectl's own undo goes to the second-highest revision: back to 1.27, which becomes revision 4.
    expect(await kubectl.ok(['rollout', 'undo', 'deployment/web'])).toContain('rolled back');
    cluster.emulator.admin.settle();
    expect(await image()).toBe('nginx:1.27');
    expect(await rolloutHistory(kubectl, 'web')).toEqual([
      ['3', 'nginx:1.26'],
      ['4', 'nginx:1.27'],
    ]);
  });
});

import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { KubernetesProvider } from '../../../src/platform/kubernetes/kubernetes.provider.js';
import { SimulatedCrash } from '../../helpers/stage-context.js';
import { configMap, deployment, service, specOf, startCluster, type Cluster } from './fixtures.js';

const provider = new KubernetesProvider();
let cluster: Cluster;

beforeAll(async () => {
  cluster = await startCluster();
});
afterAll(() => cluster.emulator.close());
beforeEach(() => {
  cluster.emulator.admin.clearFaults();
  cluster.emulator.admin.resetRequests();
});

/** Runs a spec through capture and deploy and lets the rollout finish: the state "before" of the next stage. */
async function deployed(spec: ReturnType<typeof specOf>) {
  const ctx = cluster.context();
  const data = await provider.capture(ctx, spec);
  const outputs = await provider.deploy(ctx, spec, data);
  cluster.emulator.admin.settle();
  return { data, outputs, ctx };
}

const liveImage = async (name: string) =>
  (await cluster.apps.readNamespacedDeployment({ name, namespace: 'default' })).spec!.template.spec!.containers[0]!
    .image;

const countBy = (requests: { method: string; path: string }[]) => {
  const counts: Record<string, number> = {};
  for (const r of requests) counts[`${r.method} ${r.path}`] = (counts[`${r.method} ${r.path}`] ?? 0) + 1;
  return counts;
};

describe('KubernetesProvider against the Kubernetes emulator over HTTP', () => {
  test('artifactOf is the first Deployment’s first image', () => {
    expect(provider.artifactOf(specOf(configMap('x', {}), deployment('a', 'nginx:1.27')))).toBe('nginx:1.27');
    expect(provider.artifactOf(specOf(configMap('x', {})))).toBeNull();
  });

  test('capture is read-only: twice gives equal data and sends no write', async () => {
    await deployed(specOf(configMap('cap-cfg', { a: '1' }), deployment('cap', 'nginx:1.26')));
    const spec = specOf(configMap('cap-cfg', { a: '2' }), deployment('cap', 'nginx:1.27'), service('cap'));
    cluster.emulator.admin.resetRequests();
    const first = await provider.capture(cluster.context(), spec);
    const second = await provider.capture(cluster.context(), spec);
    expect(second).toEqual(first);
    expect(cluster.writes()).toEqual([]);
    expect(first.objects.map((o) => [o.kind, o.existed])).toEqual([
      ['ConfigMap', true],
      ['Deployment', true],
      ['Service', false],
    ]);
    const captured = first.objects[1]!;
    expect(captured.revision).toBe('1');
    expect(captured.revisionTemplate).toMatchObject({ spec: { containers: [{ image: 'nginx:1.26' }] } });
    expect(JSON.stringify(captured.revisionTemplate)).not.toContain('pod-template-hash');
    expect(captured.object!.metadata).not.toHaveProperty('resourceVersion');
    expect(captured.object).not.toHaveProperty('status');
    expect(provider.isFirstDeployment(first)).toBe(false);
  });

  test('deploy twice converges: the second sends no change', async () => {
    const spec = specOf(configMap('twice-cfg', { mode: 'x' }), deployment('twice', 'nginx:1.27'), service('twice'));
    const { outputs } = await deployed(spec);
    expect(outputs.deployments).toEqual([
      expect.objectContaining({ name: 'twice', image: 'nginx:1.27', revision: '1', generation: 1 }),
    ]);
    cluster.emulator.admin.resetRequests();
    const again = await provider.deploy(cluster.context(), spec, await provider.capture(cluster.context(), spec));
    expect(cluster.writes()).toEqual([]);
    expect(again.deployments[0]!.templateHash).toBe(outputs.deployments[0]!.templateHash);
  });

  test('a deploy stopped after recording a step, resumed, sends each object once in all', async () => {
    const spec = specOf(configMap('resume-cfg', { a: '1' }), service('resume'), deployment('resume', 'nginx:1.27'));
    const ctx = cluster.context({ crashAfterSaves: 2 });
    const data = await provider.capture(ctx, spec);
    await expect(provider.deploy(ctx, spec, data)).rejects.toThrow(SimulatedCrash);
    expect(Object.keys(ctx.state).length).toBeGreaterThanOrEqual(2);
    const resumed = ctx.resume();
    const outputs = await provider.deploy(resumed, spec, data);
    expect(outputs.deployments[0]!.image).toBe('nginx:1.27');
    const writes = countBy(cluster.writes());
    expect(Object.values(writes).every((n) => n === 1)).toBe(true);
    expect(Object.keys(writes).sort()).toEqual([
      'POST /api/v1/namespaces/default/configmaps',
      'POST /api/v1/namespaces/default/services',
      'POST /apis/apps/v1/namespaces/default/deployments',
    ]);
    // Resumed once more after everything was sent: nothing is sent again.
    cluster.emulator.admin.resetRequests();
    await provider.deploy(resumed.resume(), spec, data);
    expect(cluster.writes()).toEqual([]);
  });

  test('status is not steady until the simulated rollout finishes, steady after', async () => {
    await deployed(specOf(deployment('roll', 'nginx:1.26', { replicas: 3 })));
    const spec = specOf(deployment('roll', 'nginx:1.27', { replicas: 3 }));
    const ctx = cluster.context();
    const outputs = await provider.deploy(ctx, spec, await provider.capture(ctx, spec));
    const before = await provider.status(ctx, spec, outputs);
    expect(before).toMatchObject({ steady: false, reason: expect.stringContaining('deployment "roll"') });
    expect(before).not.toHaveProperty('failed');
    cluster.emulator.admin.settle();
    expect(await provider.status(ctx, spec, outputs)).toEqual({ steady: true });
  });

  test('status fails when the rollout never becomes available within its progress deadline', async () => {
    cluster.emulator.admin.neverAvailable({ image: 'broken:1' });
    const spec = specOf(deployment('stuck', 'broken:1', { progressDeadlineSeconds: 30 }));
    const ctx = cluster.context();
    const outputs = await provider.deploy(ctx, spec, await provider.capture(ctx, spec));
    expect(await provider.status(ctx, spec, outputs)).toMatchObject({ steady: false });
    cluster.emulator.admin.settle(120);
    expect(await provider.status(ctx, spec, outputs)).toEqual({
      steady: false,
      failed: true,
      reason: 'deployment "stuck" exceeded its progress deadline',
    });
  });

  test('injected 503s are retried; latency only slows; a refusal fails the stage with the server’s sentence', async () => {
    cluster.emulator.admin.failRequests({ method: 'POST', resource: 'deployments', code: 503, times: 2 });
    cluster.emulator.admin.addLatency({ method: 'GET', ms: 50 });
    const spec = specOf(deployment('flaky', 'nginx:1.27'));
    const ctx = cluster.context();
    const outputs = await provider.deploy(ctx, spec, await provider.capture(ctx, spec));
    expect(outputs.deployments[0]!.image).toBe('nginx:1.27');
    expect(countBy(cluster.writes())['POST /apis/apps/v1/namespaces/default/deployments']).toBe(3);

    cluster.emulator.admin.clearFaults();
    cluster.emulator.admin.failRequests({
      method: 'PUT',
      resource: 'deployments',
      code: 403,
      message: 'no way',
      times: 1,
    });
    const next = specOf(deployment('flaky', 'nginx:1.28'));
    await expect(provider.deploy(ctx, next, await provider.capture(ctx, next))).rejects.toThrow(
      /Kubernetes refused .*Deployment default\/flaky.*no way.*HTTP 403/,
    );
  });

  test('drift: none as deployed; a changed pod template, a changed ConfigMap and a deleted created object are named', async () => {
    const spec = specOf(configMap('drift-cfg', { a: '1' }), deployment('drift', 'nginx:1.27'), service('drift'));
    const { data, outputs } = await deployed(spec);
    const recorded = { spec, data, outputs };
    expect(await provider.drift(cluster.context(), recorded)).toEqual([]);

    cluster.emulator.admin.resetRequests();
    const live = await cluster.apps.readNamespacedDeployment({ name: 'drift', namespace: 'default' });
    live.spec!.template.spec!.containers[0]!.image = 'nginx:hotfix';
    await cluster.apps.replaceNamespacedDeployment({ name: 'drift', namespace: 'default', body: live });
    await cluster.core.patchNamespacedConfigMap(
      { name: 'drift-cfg', namespace: 'default', body: [{ op: 'replace', path: '/data/a', value: '2' }] },
      (await import('@kubernetes/client-node')).setHeaderOptions('Content-Type', 'application/json-patch+json'),
    );
    await cluster.core.deleteNamespacedService({ name: 'drift', namespace: 'default' });
    expect(await provider.drift(cluster.context(), recorded)).toEqual([
      'ConfigMap default/drift-cfg no longer holds what the execution applied.',
      'Deployment default/drift: its pod template changed since the execution (image now nginx:hotfix, the execution left nginx:1.27).',
      'Service default/drift, created by the execution, is gone.',
    ]);
  });

  test('the first deployment’s rollback removes everything it created', async () => {
    const spec = specOf(configMap('first-cfg', { a: '1' }), deployment('first', 'nginx:1.27'), service('first'));
    const { data, outputs } = await deployed(spec);
    expect(provider.isFirstDeployment(data)).toBe(true);
    const ctx = cluster.context();
    const after = await provider.rollback(ctx, { spec, data, outputs });
    expect(after.deployments).toEqual([]);
    expect(await provider.status(ctx, spec, after)).toEqual({ steady: true });
    for (const read of [
      () => cluster.core.readNamespacedConfigMap({ name: 'first-cfg', namespace: 'default' }),
      () => cluster.apps.readNamespacedDeployment({ name: 'first', namespace: 'default' }),
      () => cluster.core.readNamespacedService({ name: 'first', namespace: 'default' }),
    ])
      await expect(read()).rejects.toMatchObject({ code: 404 });
  });

  test('rollback restores a changed ConfigMap byte-exact and the Deployment’s previous template', async () => {
    const original = { 'app.properties': 'a=1\r\nb = "två"\n\n  trailing  ', empty: '' };
    const binary = { 'logo.bin': Buffer.from([0, 1, 2, 254, 255]).toString('base64') };
    await deployed(specOf(configMap('exact-cfg', original, binary), deployment('exact', 'nginx:1.26')));
    const spec = specOf(configMap('exact-cfg', { 'app.properties': 'a=2' }), deployment('exact', 'nginx:1.27'));
    const { data, outputs } = await deployed(spec);
    expect(await liveImage('exact')).toBe('nginx:1.27');

    const ctx = cluster.context();
    const after = await provider.rollback(ctx, { spec, data, outputs });
    const cfg = await cluster.core.readNamespacedConfigMap({ name: 'exact-cfg', namespace: 'default' });
    expect(cfg.data).toEqual(original);
    expect(cfg.binaryData).toEqual(binary);
    expect(await liveImage('exact')).toBe('nginx:1.26');
    expect(await provider.status(ctx, spec, after)).toMatchObject({ steady: false });
    cluster.emulator.admin.settle();
    expect(await provider.status(ctx, spec, after)).toEqual({ steady: true });
    expect(await provider.describe(ctx, { spec, data, outputs })).toEqual({
      artifact: 'nginx:1.26',
      revision: '3',
      ready: 2,
      desired: 2,
    });
  });

  test('a rollback stopped mid-way and resumed never sends a step twice', async () => {
    const names = ['mid-a', 'mid-b', 'mid-c'];
    await deployed(specOf(...names.map((n) => deployment(n, 'nginx:1.26'))));
    const spec = specOf(...names.map((n) => deployment(n, 'nginx:1.27')));
    const { data, outputs } = await deployed(spec);
    cluster.emulator.admin.resetRequests();

    const ctx = cluster.context({ crashAfterSaves: 2 });
    await expect(provider.rollback(ctx, { spec, data, outputs })).rejects.toThrow(SimulatedCrash);
    await provider.rollback(ctx.resume(), { spec, data, outputs });
    // Resumed once more when all is done: nothing is sent.
    await provider.rollback(ctx.resume().resume(), { spec, data, outputs });

    const writes = countBy(cluster.writes());
    expect(writes).toEqual(
      Object.fromEntries(names.map((n) => [`PATCH /apis/apps/v1/namespaces/default/deployments/${n}`, 1])),
    );
    for (const name of names) expect(await liveImage(name)).toBe('nginx:1.26');
  });

  test('a pruned ReplicaSet (revisionHistoryLimit 0): the captured template is restored, and the log says so', async () => {
    await deployed(specOf(deployment('pruned', 'nginx:1.26', { revisionHistoryLimit: 0 })));
    const spec = specOf(deployment('pruned', 'nginx:1.27', { revisionHistoryLimit: 0 }));
    const { data, outputs } = await deployed(spec);
    const owned = await cluster.apps.listNamespacedReplicaSet({ namespace: 'default', labelSelector: 'app=pruned' });
    expect(owned.items.map((rs) => rs.spec!.template!.spec!.containers[0]!.image)).toEqual(['nginx:1.27']);

    const ctx = cluster.context();
    await provider.rollback(ctx, { spec, data, outputs });
    expect(await liveImage('pruned')).toBe('nginx:1.26');
    expect(ctx.logText()).toMatch(/warn: Deployment default\/pruned: the ReplicaSet of revision 1 is gone/);
  });

  test('rollback steps: apply converges, delete counts 404 as done', async () => {
    const spec = specOf(deployment('steps', 'nginx:1.27'));
    const { data, outputs } = await deployed(spec);
    const recorded = { spec, data, outputs };
    const apply = provider.parseRollbackStep({ name: 'flag', apply: [configMap('steps-flag', { off: 'true' })] });
    await provider.runRollbackStep(cluster.context(), apply, recorded);
    cluster.emulator.admin.resetRequests();
    await provider.runRollbackStep(cluster.context(), apply, recorded);
    expect(cluster.writes()).toEqual([]);
    const remove = provider.parseRollbackStep({ name: 'drop', delete: { kind: 'ConfigMap', name: 'steps-flag' } });
    await provider.runRollbackStep(cluster.context(), remove, recorded);
    await provider.runRollbackStep(cluster.context(), remove, recorded);
    await expect(
      cluster.core.readNamespacedConfigMap({ name: 'steps-flag', namespace: 'default' }),
    ).rejects.toMatchObject({
      code: 404,
    });
  });
});

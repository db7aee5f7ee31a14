import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { StageFailed, StageWait } from '../../../src/platform/provider.js';
import type { HelmSpec } from '../../../src/platform/helm/helm-spec.js';
import { SimulatedCrash } from '../../helpers/stage-context.js';
import { helmSpec, startHelmCluster, type HelmCluster } from './fixtures.js';

let cluster: HelmCluster;

beforeAll(async () => {
  cluster = await startHelmCluster({ waitRetryMs: 10 });
});
afterAll(() => cluster.close());
beforeEach(() => {
  cluster.emulator.admin.clearFaults();
  cluster.emulator.admin.resetRequests();
});

const provider = () => cluster.provider;

/** Capture, deploy, and the rollout run to its end: the execution's record. */
async function deployed(spec: HelmSpec) {
  const ctx = cluster.context();
  const data = await provider().capture(ctx, spec);
  const outputs = await provider().deploy(ctx, spec, data);
  cluster.emulator.admin.settle();
  return { spec, data, outputs, ctx };
}

const history = async (release: string) =>
  (await cluster.cli.history(release, 'default')).map((r) => [r.revision, r.status, r.description]);
const liveImage = async (name: string) =>
  (await cluster.apps.readNamespacedDeployment({ name, namespace: 'default' })).spec!.template.spec!.containers[0]!
    .image;
const settings = async (release: string) =>
  (await cluster.core.readNamespacedConfigMap({ name: `${release}-settings`, namespace: 'default' })).data;
/** Helm revisions written since the last reset: each is one Secret created (`sh.helm.release.v1.<name>.v<N>`). */
const revisionsWritten = () =>
  cluster.writes().filter((w) => w.method === 'POST' && w.path === '/api/v1/namespaces/default/secrets').length;

describe('HelmProvider against the Kubernetes emulator with the real helm binary', () => {
  test('artifactOf names the package and version', () => {
    expect(provider().artifactOf(helmSpec('a'))).toBe('shop-chart 0.1.0');
    expect(provider().artifactOf(helmSpec('a', { version: null }))).toBe('shop-chart');
  });

  test('capture is read-only: twice gives equal data and sends no write', async () => {
    const first = await provider().capture(cluster.context(), helmSpec('cap'));
    expect(first).toEqual({
      release: 'cap',
      namespace: 'default',
      existed: false,
      latest: 0,
      revision: null,
      chart: null,
      appVersion: null,
    });
    expect(provider().isFirstDeployment(first)).toBe(true);
    await deployed(helmSpec('cap'));
    cluster.emulator.admin.resetRequests();
    const spec = helmSpec('cap', { version: '0.2.0' });
    const a = await provider().capture(cluster.context(), spec);
    const b = await provider().capture(cluster.context(), spec);
    expect(b).toEqual(a);
    expect(cluster.writes()).toEqual([]);
    expect(a).toEqual({
      release: 'cap',
      namespace: 'default',
      existed: true,
      latest: 1,
      revision: 1,
      chart: 'shop-0.1.0',
      appVersion: '1',
    });
    expect(provider().isFirstDeployment(a)).toBe(false);
    expect(provider().describeRollbackTarget(a)).toBe('revision 1 (shop-0.1.0)');
  });

  test('deploy twice converges: the second sends no change', async () => {
    const spec = helmSpec('twice', { values: { greeting: 'hi' } });
    const { outputs } = await deployed(spec);
    expect(outputs).toEqual({
      release: 'twice',
      namespace: 'default',
      revision: 1,
      chart: 'shop-0.1.0',
      appVersion: '1',
      deployments: [{ namespace: 'default', name: 'twice' }],
      uninstalled: false,
    });
    expect(await settings('twice')).toEqual({ image: 'shop/web:1', greeting: 'hi' });
    cluster.emulator.admin.resetRequests();
    const ctx = cluster.context();
    const again = await provider().deploy(ctx, spec, await provider().capture(ctx, spec));
    expect(cluster.writes()).toEqual([]);
    expect(again).toEqual(outputs);
    expect(ctx.logText()).toContain('already runs the same chart and values, nothing sent');
    // Other values are another upgrade.
    const changed = await provider().deploy(
      cluster.context(),
      { ...spec, values: { greeting: 'hey' } },
      outputs as never,
    );
    expect(changed.revision).toBe(2);
    expect(await settings('twice')).toEqual({ image: 'shop/web:1', greeting: 'hey' });
  });

  test('a deploy stopped after its save and resumed sends the upgrade once; resumed again, nothing', async () => {
    await deployed(helmSpec('resume'));
    cluster.emulator.admin.resetRequests();
    const spec = helmSpec('resume', { version: '0.2.0' });
    const ctx = cluster.context({ crashAfterSaves: 1 });
    const data = await provider().capture(ctx, spec);
    await expect(provider().deploy(ctx, spec, data)).rejects.toThrow(SimulatedCrash);
    expect(ctx.state).toEqual({ 'deploy upgrade': expect.any(String), 'deploy after revision': 1 });
    expect(cluster.writes()).toEqual([]);
    const resumed = ctx.resume();
    const outputs = await provider().deploy(resumed, spec, data);
    expect(outputs.revision).toBe(2);
    expect(revisionsWritten()).toBe(1);
    expect(cluster.writes().filter((w) => w.path.includes('/deployments/')).length).toBe(1);
    // Stopped after helm answered (the outcome unseen): the resumed call finds its own revision.
    cluster.emulator.admin.resetRequests();
    const again = await provider().deploy(resumed.resume(), spec, data);
    expect(cluster.writes()).toEqual([]);
    expect(again).toEqual(outputs);
    expect(await history('resume')).toEqual([
      [1, 'superseded', expect.stringMatching(/^Backtrack job /)],
      [2, 'deployed', expect.stringContaining(`job ${ctx.jobId} stage ${ctx.stageId}`)],
    ]);
  });

  test('status is not steady until the simulated rollout finishes, steady after', async () => {
    const spec = helmSpec('roll');
    const ctx = cluster.context();
    const outputs = await provider().deploy(ctx, spec, await provider().capture(ctx, spec));
    const before = await provider().status(ctx, spec, outputs);
    expect(before).toMatchObject({ steady: false, reason: expect.stringContaining('deployment "roll"') });
    expect(before).not.toHaveProperty('failed');
    cluster.emulator.admin.settle();
    expect(await provider().status(ctx, spec, outputs)).toEqual({ steady: true });
    expect(await provider().describe(ctx, { spec, data: outputs as never, outputs })).toEqual({
      artifact: 'shop-0.1.0 (app 1)',
      revision: '1',
      ready: 2,
      desired: 2,
    });
  });

  test('status fails when the rollout never becomes available within its progress deadline', async () => {
    cluster.emulator.admin.neverAvailable({ deployment: 'stuck' });
    const spec = helmSpec('stuck');
    const ctx = cluster.context();
    const outputs = await provider().deploy(ctx, spec, await provider().capture(ctx, spec));
    cluster.emulator.admin.settle(900);
    expect(await provider().status(ctx, spec, outputs)).toEqual({
      steady: false,
      failed: true,
      reason: 'deployment "stuck" exceeded its progress deadline',
    });
  });

  test('drift: none as deployed; a helm upgrade run by hand since is named with both revisions', async () => {
    const recorded = await deployed(helmSpec('drift'));
    expect(await provider().drift(cluster.context(), recorded)).toEqual([]);
    cluster.emulator.admin.resetRequests();
    await cluster.cli.upgradeInstall({
      release: 'drift',
      namespace: 'default',
      chart: (await cluster.charts.bytes('shop-chart', '0.2.0')).content,
      values: {},
      description: 'Upgrade by hand',
      timeoutSeconds: 60,
    });
    expect(await provider().drift(cluster.context(), recorded)).toEqual([
      'Helm release default/drift is at revision 2 (deployed, "Upgrade by hand"), not revision 1 that the execution left: someone ran helm since.',
    ]);
  });

  test('rollback puts back exactly what capture recorded; helm history says so', async () => {
    await deployed(helmSpec('back', { values: { greeting: 'one' } }));
    const recorded = await deployed(helmSpec('back', { version: '0.2.0', values: { greeting: 'two' } }));
    expect(await liveImage('back')).toBe('shop/web:2');
    expect(recorded.data.revision).toBe(1);
    const ctx = cluster.context();
    cluster.emulator.admin.resetRequests();
    const after = await provider().rollback(ctx, recorded);
    expect(revisionsWritten()).toBe(1);
    expect(after).toMatchObject({ revision: 3, chart: 'shop-0.1.0', uninstalled: false });
    expect(await liveImage('back')).toBe('shop/web:1');
    expect(await settings('back')).toEqual({ image: 'shop/web:1', greeting: 'one' });
    expect(await history('back')).toEqual([
      [1, 'superseded', expect.stringMatching(/^Backtrack job /)],
      [2, 'superseded', expect.stringMatching(/^Backtrack job /)],
      [3, 'deployed', 'Rollback to 1'],
    ]);
    expect(await provider().status(ctx, recorded.spec, after)).toMatchObject({ steady: false });
    cluster.emulator.admin.settle();
    expect(await provider().status(ctx, recorded.spec, after)).toEqual({ steady: true });
    // A rollback called again (resumed after helm answered) finds its revision and sends nothing.
    cluster.emulator.admin.resetRequests();
    expect(await provider().rollback(ctx.resume(), recorded)).toEqual(after);
    expect(cluster.writes()).toEqual([]);
  });

  test('a rollback stopped after its save and resumed sends helm rollback once', async () => {
    await deployed(helmSpec('rbres'));
    const recorded = await deployed(helmSpec('rbres', { version: '0.2.0' }));
    cluster.emulator.admin.resetRequests();
    const ctx = cluster.context({ crashAfterSaves: 1 });
    await expect(provider().rollback(ctx, recorded)).rejects.toThrow(SimulatedCrash);
    expect(ctx.state).toEqual({ 'rollback to': 1 });
    expect(cluster.writes()).toEqual([]);
    const resumed = ctx.resume();
    const after = await provider().rollback(resumed, recorded);
    expect(after.revision).toBe(3);
    await provider().rollback(resumed.resume(), recorded);
    expect(revisionsWritten()).toBe(1);
    expect((await history('rbres')).slice(-2)).toEqual([
      [2, 'superseded', expect.any(String)],
      [3, 'deployed', 'Rollback to 1'],
    ]);
  });

  test('the first deployment’s rollback uninstalls the release; resumed, it sends nothing more', async () => {
    const recorded = await deployed(helmSpec('first'));
    expect(provider().isFirstDeployment(recorded.data)).toBe(true);
    expect(provider().describeRollbackTarget(recorded.data)).toMatch(/first deployment/);
    const ctx = cluster.context({ crashAfterSaves: 1 });
    await expect(provider().rollback(ctx, recorded)).rejects.toThrow(SimulatedCrash);
    const resumed = ctx.resume();
    const after = await provider().rollback(resumed, recorded);
    expect(after).toMatchObject({ revision: null, deployments: [], uninstalled: true });
    expect(await provider().status(resumed, recorded.spec, after)).toEqual({ steady: true });
    expect(await history('first')).toEqual([]);
    await expect(cluster.apps.readNamespacedDeployment({ name: 'first', namespace: 'default' })).rejects.toMatchObject({
      code: 404,
    });
    await expect(
      cluster.core.readNamespacedConfigMap({ name: 'first-settings', namespace: 'default' }),
    ).rejects.toMatchObject({ code: 404 });
    cluster.emulator.admin.resetRequests();
    expect(await provider().rollback(resumed.resume(), recorded)).toEqual(after);
    expect(cluster.writes()).toEqual([]);
    expect(await provider().describe(cluster.context(), { ...recorded, outputs: after })).toEqual({
      artifact: null,
      revision: null,
      ready: null,
      desired: null,
    });
  });

  test('a rollback when the execution changed nothing sends nothing', async () => {
    const v1 = helmSpec('same');
    await deployed(v1);
    const recorded = await deployed(v1); // the same chart and values again: no new revision
    cluster.emulator.admin.resetRequests();
    const after = await provider().rollback(cluster.context(), recorded);
    expect(after.revision).toBe(1);
    expect(cluster.writes()).toEqual([]);
  });

  test('a 500 on the revision write: the deploy says nothing was applied, and nothing was', async () => {
    cluster.emulator.admin.failRequests({ method: 'POST', resource: 'secrets', code: 500, times: 1 });
    const spec = helmSpec('refused');
    const ctx = cluster.context();
    const failure = provider().deploy(ctx, spec, await provider().capture(ctx, spec));
    await expect(failure).rejects.toThrow(StageFailed);
    await expect(failure).rejects.toThrow(/refused before it wrote a revision, so nothing was applied/);
    expect(await history('refused')).toEqual([]);
    await expect(
      cluster.apps.readNamespacedDeployment({ name: 'refused', namespace: 'default' }),
    ).rejects.toMatchObject({
      code: 404,
    });
  });

  test('a 500 while helm applies: the revision it wrote is failed, and the stage says so (never "nothing applied")', async () => {
    await deployed(helmSpec('halfway'));
    cluster.emulator.admin.failRequests({ method: 'PATCH', resource: 'deployments', code: 500, times: 5 });
    const spec = helmSpec('halfway', { version: '0.2.0' });
    const ctx = cluster.context();
    const failure = provider().deploy(ctx, spec, await provider().capture(ctx, spec));
    await expect(failure).rejects.toThrow(/Helm revision 2 of release halfway failed/);
    await expect(failure).rejects.not.toThrow(/nothing was applied/);
    expect((await history('halfway')).at(-1)).toEqual([2, 'failed', expect.stringContaining('failed')]);
    // Resumed, the failed revision is recognised as the stage's own: nothing is sent again.
    cluster.emulator.admin.resetRequests();
    await expect(provider().deploy(ctx.resume(), spec, await provider().capture(ctx, spec))).rejects.toThrow(
      /Helm revision 2 of release halfway failed/,
    );
    expect(cluster.writes()).toEqual([]);
  });

  test('a 500 on the rollback’s revision write fails honestly; the retry sends it once', async () => {
    await deployed(helmSpec('rb500'));
    const recorded = await deployed(helmSpec('rb500', { version: '0.2.0' }));
    cluster.emulator.admin.resetRequests();
    cluster.emulator.admin.failRequests({ method: 'POST', resource: 'secrets', code: 500, times: 1 });
    const ctx = cluster.context();
    await expect(provider().rollback(ctx, recorded)).rejects.toThrow(
      /rollback of release default\/rb500 to revision 1 was refused before it wrote a revision, so nothing was applied/,
    );
    expect(await liveImage('rb500')).toBe('shop/web:2');
    const after = await provider().rollback(ctx.resume(), recorded);
    expect(after.revision).toBe(3);
    expect(await liveImage('rb500')).toBe('shop/web:1');
    expect(cluster.writes().filter((w) => w.method === 'POST' && w.path.endsWith('/secrets')).length).toBe(2); // the refused one and the sent one
  });

  test('a slow API only slows helm down', async () => {
    cluster.emulator.admin.addLatency({ method: 'GET', ms: 150 });
    const { outputs } = await deployed(helmSpec('slow'));
    expect(outputs.revision).toBe(1);
  });

  test('a release pending under another helm call is waited for (StageWait), then rolled back once', async () => {
    await deployed(helmSpec('busy'));
    const recorded = await deployed(helmSpec('busy', { version: '0.2.0' }));
    cluster.emulator.admin.addLatency({ method: 'PATCH', resource: 'deployments', ms: 3_000 });
    const running = cluster.cli.upgradeInstall({
      release: 'busy',
      namespace: 'default',
      chart: (await cluster.charts.bytes('shop-chart', '0.2.0')).content,
      values: { greeting: 'by hand' },
      description: 'Upgrade by hand',
      timeoutSeconds: 60,
    });
    for (let i = 0; i < 100 && !(await history('busy')).some((r) => r[1] === 'pending-upgrade'); i++)
      await new Promise((r) => setTimeout(r, 50));
    const ctx = cluster.context();
    await expect(provider().rollback(ctx, recorded)).rejects.toThrow(StageWait);
    expect(ctx.state).toEqual({ 'rollback waiting since': expect.any(String) });
    await running;
    cluster.emulator.admin.clearFaults();
    const after = await provider().rollback(ctx.resume(), recorded);
    expect(after.revision).toBe(4);
    expect((await history('busy')).at(-1)).toEqual([4, 'deployed', 'Rollback to 1']);
  });

  test('a release stuck pending past the stage’s timeout fails the stage, saying what is there', async () => {
    const recorded = await deployed(helmSpec('stuckp'));
    cluster.emulator.admin.addLatency({ method: 'PATCH', resource: 'deployments', ms: 2_000 });
    const running = cluster.cli.upgradeInstall({
      release: 'stuckp',
      namespace: 'default',
      chart: (await cluster.charts.bytes('shop-chart', '0.2.0')).content,
      values: {},
      description: 'Upgrade by hand',
      timeoutSeconds: 60,
    });
    for (let i = 0; i < 100 && !(await history('stuckp')).some((r) => r[1] === 'pending-upgrade'); i++)
      await new Promise((r) => setTimeout(r, 50));
    const ctx = cluster.context({ state: { 'rollback waiting since': new Date(Date.now() - 120_000).toISOString() } });
    await expect(provider().rollback(ctx, recorded)).rejects.toThrow(
      /revision 2 is pending-upgrade, still so after 60s: Backtrack sends nothing/,
    );
    await running;
  });

  test('a release version comes from the release’s pin; without a release, spec.version is required', async () => {
    const spec = helmSpec('pinned', { version: null });
    const ctx = cluster.context();
    await expect(provider().deploy(ctx, spec, await provider().capture(ctx, spec))).rejects.toThrow(
      /needs spec.version/,
    );
    const sha = (await cluster.charts.bytes('shop-chart', '0.2.0')).sha256;
    const release = {
      id: 'r1',
      version: '2.0.0',
      mode: 'deploy' as const,
      packages: { 'Shop-Chart': { version: '0.2.0', sha256: sha, packageVersionId: 'p1' } },
      environment: { currentRelease: null, previousRelease: null, previousSuccessfulDeploymentId: null },
    };
    const pinned = cluster.context({ release });
    const outputs = await provider().deploy(pinned, spec, await provider().capture(pinned, spec));
    expect(outputs.chart).toBe('shop-0.2.0');
  });
});

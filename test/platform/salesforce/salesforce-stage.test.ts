import crypto from 'node:crypto';
import { describe, it, beforeAll, afterAll, expect } from '@jest/globals';
import { startHarness, waitForJob, type Harness } from '../../helpers/backtrack.harness.js';
import {
  demoOrgId,
  deployCompleted,
  differingFiles,
  newBranch,
  orgFiles,
  upload,
  classesZip,
  classSource,
  CLASS_META,
} from '../../helpers/deploy-flow.js';
import { closeStarted } from '../../helpers/lifecycle.js';
import { rejectionOf } from '../../helpers/thrown.js';
import { StageFailed, StageWait, type StageTarget } from '../../../src/platform/provider.js';
import {
  stageContext as sharedStageContext,
  type StageContextOptions,
  type TestStageContext,
} from '../../helpers/stage-context.js';
import {
  SalesforceStageProvider,
  type SalesforceStageOutputs,
} from '../../../src/platform/salesforce/salesforce-stage.provider.js';

/** A hand-made StageContext against Local Sandbox (test/helpers/stage-context.ts). */
function stageContext(target: StageTarget, options: Omit<StageContextOptions, 'target'> = {}): TestStageContext {
  return sharedStageContext({ startedBy: { tokenId: null, name: 'pipeline checkout' }, ...options, target });
}

/** Calls a provider method again while it says StageWait (as the engine does), and gives its answer or its error. */
async function untilSettled<T>(call: () => Promise<T>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof StageWait)) throw error;
      if (Date.now() > deadline) throw new Error(`still waiting after ${timeoutMs} ms: ${error.reason}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

describe('the salesforce stage provider against Local Sandbox', () => {
  let h: Harness;
  let provider: SalesforceStageProvider;
  let target: StageTarget;
  let orgId: string;
  let branchId: string;
  let before: Map<string, Buffer>;
  let deployed: SalesforceStageOutputs;
  const emulator = () => h.backtrack.emulator!;

  /** The jobs of `kind` a stage started (their options carry its id). */
  const jobsOfStage = async (kind: string, stageId: string): Promise<string[]> =>
    (
      await h.backtrack.dataSource.query(`SELECT id FROM jobs WHERE kind = $1 AND options->>'stageId' = $2`, [
        kind,
        stageId,
      ])
    ).map((r: { id: string }) => r.id);

  beforeAll(async () => {
    h = await startHarness();
    provider = h.backtrack.app.get(SalesforceStageProvider);
    orgId = await demoOrgId(h);
    const [infrastructure] = await h.backtrack.dataSource.query(
      `SELECT id, name, environment FROM infrastructures WHERE org_id = $1`,
      [orgId],
    );
    target = { ...infrastructure, kind: 'salesforce', connection: { orgId } };
    await emulator().admin.seed(emulator().defaultOrg.id, {
      components: [
        {
          files: { 'classes/Checkout.cls': classSource('Checkout', 'v0'), 'classes/Checkout.cls-meta.xml': CLASS_META },
        },
      ],
    });
    branchId = await newBranch(h, 'stage-release');
    await upload(h, branchId, await classesZip({ Checkout: 'v1', Basket: 'v1' }));
    before = orgFiles(emulator());
  });
  afterAll(() => closeStarted(h));

  it('parses a spec or answers 400 naming the field; captures nothing to read, the same twice', async () => {
    expect(provider.parseSpec({ branch: 'stage-release', revision: 1 })).toEqual({
      branch: 'stage-release',
      revision: 1,
    });
    const refused = (() => {
      try {
        provider.parseSpec({ branch: 'stage-release', testLevel: 'RunSpecifiedTests' });
      } catch (error) {
        return error as { status: number; message: string };
      }
      return null;
    })();
    expect(refused?.status).toBe(400);
    expect(refused?.message).toMatch(/runTests: testLevel RunSpecifiedTests needs runTests/);
    const ctx = stageContext(target);
    const spec = provider.parseSpec({ branch: 'stage-release' });
    expect(await provider.capture(ctx, spec)).toEqual(await provider.capture(ctx, spec));
    expect(await provider.capture(ctx, spec)).toEqual({ orgId });
    expect(provider.isFirstDeployment()).toBe(false);
    expect(provider.artifactOf({ branch: 'stage-release', revision: 1 })).toBe('stage-release@r1');
  });

  it('starts one Deploy job per stage however often it is called, and waits (StageWait) while it runs', async () => {
    const stageId = crypto.randomUUID();
    const spec = provider.parseSpec({ branch: 'stage-release' });
    emulator().admin.pauseDeploys(emulator().defaultOrg.id);
    try {
      const first = stageContext(target, { stageId });
      const second = stageContext(target, { stageId });
      const answers = await Promise.all([
        rejectionOf(provider.deploy(first, spec, { orgId })),
        rejectionOf(provider.deploy(second, spec, { orgId })),
      ]);
      expect(answers.map((a) => a instanceof StageWait)).toEqual([true, true]);
      const started = await jobsOfStage('Deploy', stageId);
      expect(started).toHaveLength(1);
      expect([first.state.childJobId, second.state.childJobId]).toEqual([started[0], started[0]]);

      // resumed after the id was saved, and resumed with the id lost (the worker died right after creating the job)
      const saved = stageContext(target, { stageId, state: { childJobId: started[0] }, resumed: true });
      const lost = stageContext(target, { stageId, resumed: true });
      expect(await rejectionOf(provider.deploy(saved, spec, { orgId }))).toBeInstanceOf(StageWait);
      expect(await rejectionOf(provider.deploy(lost, spec, { orgId }))).toBeInstanceOf(StageWait);
      expect(lost.state.childJobId).toBe(started[0]);
      expect(await jobsOfStage('Deploy', stageId)).toEqual(started);
      const running = await provider.status(saved, spec, { deployJobId: started[0] });
      expect(running.steady).toBe(false);
    } finally {
      emulator().admin.releaseDeploys(emulator().defaultOrg.id);
    }

    const ctx = stageContext(target, { stageId, resumed: true });
    deployed = await untilSettled(() => provider.deploy(ctx, spec, { orgId }));
    const [jobId] = await jobsOfStage('Deploy', stageId);
    const job = (await h.api('GET', `/api/jobs/${jobId}`)).body;
    expect(job).toMatchObject({ status: 'Completed', createdBy: 'pipeline checkout', branchId, orgId });
    expect(deployed).toEqual({ deployJobId: jobId, revision: 1, branchId, orgId, components: 2 });
    expect(await provider.status(ctx, spec, deployed)).toEqual({ steady: true });
    const snapshot = await h.api('GET', `/api/jobs/${jobId}/snapshot`);
    expect(snapshot.status).toBe(200);
    expect(differingFiles(before, orgFiles(emulator())).length).toBeGreaterThan(0);
    expect(await provider.describe(ctx, { spec, data: { orgId }, outputs: deployed })).toEqual({
      artifact: 'stage-release@r1',
      revision: '1',
      ready: null,
      desired: null,
    });
  });

  it('rolls back all components of its Deploy job once, waiting while it runs: the org is back byte for byte', async () => {
    const spec = provider.parseSpec({ branch: 'stage-release' });
    const recorded = { spec, data: { orgId }, outputs: deployed };
    const stageId = crypto.randomUUID();
    expect(await provider.drift(stageContext(target), recorded)).toEqual([]);
    emulator().admin.pauseDeploys(emulator().defaultOrg.id);
    let first: TestStageContext;
    try {
      first = stageContext(target, { stageId });
      expect(await rejectionOf(provider.rollback(first, recorded))).toBeInstanceOf(StageWait);
      const lost = stageContext(target, { stageId, resumed: true });
      expect(await rejectionOf(provider.rollback(lost, recorded))).toBeInstanceOf(StageWait);
      expect(lost.state.childJobId).toBe(first.state.childJobId);
    } finally {
      emulator().admin.releaseDeploys(emulator().defaultOrg.id);
    }
    const outputs = await untilSettled(() => provider.rollback(first, recorded));
    const started = await jobsOfStage('Rollback', stageId);
    expect(outputs).toEqual({ rollbackJobId: started[0] });
    expect(started).toHaveLength(1);
    const job = (await h.api('GET', `/api/jobs/${started[0]}`)).body;
    expect(job).toMatchObject({ kind: 'Rollback', status: 'Completed', deployJobId: deployed.deployJobId });
    expect(job.options.all).toBe(true);
    expect(differingFiles(before, orgFiles(emulator()))).toEqual([]);
    expect(await provider.status(first, spec, outputs)).toEqual({ steady: true });
    // a retried execution rollback (a new stage) finds the rollback that already took everything back
    const retried = stageContext(target);
    expect(await provider.rollback(retried, recorded)).toEqual({ rollbackJobId: started[0] });
    expect(await jobsOfStage('Rollback', retried.stageId)).toEqual([]);
    // the org no longer holds the branch's deploy: describe says so from the recorded jobs
    expect((await provider.describe(first, recorded)).revision).toBeNull();
  });

  it('fails the stage with the sentence of a Deploy job that ended in Exception', async () => {
    const broken = await newBranch(h, 'stage-broken');
    await upload(h, broken, await classesZip({ Broken: 'v1' }));
    emulator().admin.failComponent({ type: 'ApexClass', fullName: 'Broken', problem: 'Variable does not exist: x' });
    const spec = provider.parseSpec({ branch: 'stage-broken' });
    const ctx = stageContext(target);
    const error = await rejectionOf(untilSettled(() => provider.deploy(ctx, spec, { orgId })));
    expect(error).toBeInstanceOf(StageFailed);
    const job = await waitForJob(h, ctx.state.childJobId as string);
    expect(job.status).toBe('Exception');
    expect(error.message).toBe(`Deploy job ${job.id} ended in Exception: ${job.error}`);
    expect(error.message).toMatch(/Variable does not exist: x/);
    expect((await provider.status(ctx, spec, { deployJobId: job.id })).steady).toBe(false);
  });

  it('fails the stage with the refusal sentence when a later deploy changed its components, unless force', async () => {
    const spec = provider.parseSpec({ branch: 'stage-release' });
    const deployCtx = stageContext(target);
    const outputs = await untilSettled(() => provider.deploy(deployCtx, spec, { orgId }));
    const other = await newBranch(h, 'stage-hotfix');
    await upload(h, other, await classesZip({ Checkout: 'hotfix' }));
    const later = await deployCompleted(h, other, orgId);
    const recorded = { spec, data: { orgId }, outputs };

    const drift = await provider.drift(stageContext(target), recorded);
    expect(drift).toHaveLength(1);
    expect(drift[0]).toMatch(new RegExp(`ApexClass:Checkout was changed by the later Deploy ${later}`));
    const refusedCtx = stageContext(target);
    const refused = await rejectionOf(provider.rollback(refusedCtx, recorded));
    expect(refused).toBeInstanceOf(StageFailed);
    expect(refused.message).toBe(drift[0]);
    expect(await jobsOfStage('Rollback', refusedCtx.stageId)).toEqual([]);

    const forced = stageContext(target, { rollbackOptions: { force: true } });
    const done = await untilSettled(() => provider.rollback(forced, recorded));
    const job = (await h.api('GET', `/api/jobs/${done.rollbackJobId}`)).body;
    expect(job).toMatchObject({ status: 'Completed', options: { all: true, force: true } });
    const checkout = emulator().admin.getComponent(emulator().defaultOrg.id, 'ApexClass', 'Checkout')!;
    expect(checkout.files['classes/Checkout.cls']!.toString()).toBe(classSource('Checkout', 'v0'));
    expect(emulator().admin.getComponent(emulator().defaultOrg.id, 'ApexClass', 'Basket')).toBeUndefined();
  });
});

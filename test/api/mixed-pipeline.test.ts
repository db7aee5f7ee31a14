import { describe, it, beforeAll, afterAll, expect } from '@jest/globals';
import { startHarness, type Harness } from '../helpers/backtrack.harness.js';
import {
  differingFiles,
  newBranch,
  orgFiles,
  upload,
  classesZip,
  classSource,
  CLASS_META,
} from '../helpers/deploy-flow.js';
import {
  createPipeline,
  createService,
  deploymentManifest,
  kubernetesStage,
  liveImage,
  rollBack,
  runPipeline,
} from '../helpers/executions.js';
import { closeStarted } from '../helpers/lifecycle.js';

/**
 * Issue 13, "Salesforce as a stage kind": a pipeline deploys Salesforce metadata (Local Sandbox), then a Kubernetes
 * service (Local Cluster); rolling the execution back rolls back the service first, then the org.
 */
describe('a mixed Salesforce + Kubernetes pipeline, rolled back in reverse order', () => {
  let h: Harness;
  let branchId: string;
  let pipelineId: string;
  beforeAll(async () => {
    h = await startHarness();
    await createService(h, 'metadata');
    await createService(h, 'checkout');
    const emulator = h.backtrack.emulator!;
    await emulator.admin.seed(emulator.defaultOrg.id, {
      components: [
        {
          files: { 'classes/Checkout.cls': classSource('Checkout', 'v0'), 'classes/Checkout.cls-meta.xml': CLASS_META },
        },
      ],
    });
    branchId = await newBranch(h, 'mixed');
    pipelineId = await createPipeline(h, 'mixed', {
      stages: [
        { name: 'org', service: 'metadata', infrastructure: 'Local Sandbox', spec: { branch: 'mixed' } },
        kubernetesStage('web', 'checkout', 'Local Cluster', [deploymentManifest('mixed-web', '<+artifact.image>')]),
      ],
    });
  });
  afterAll(() => closeStarted(h));

  it('deploys the org then the service; its rollback puts the service back first, then the org, both exactly', async () => {
    const emulator = h.backtrack.emulator!;
    await upload(h, branchId, await classesZip({ Checkout: 'v1', Basket: 'v1' }));
    const one = await runPipeline(h, pipelineId, { artifacts: { checkout: 'nginx:1.26' } });
    expect(one.status).toBe('Completed');
    const orgAfterOne = orgFiles(emulator);

    await upload(h, branchId, await classesZip({ Checkout: 'v2', Basket: 'v2', Extra: 'v2' }));
    const two = await runPipeline(h, pipelineId, { artifacts: { checkout: 'nginx:1.27' } });
    expect(two).toMatchObject({ status: 'Completed', error: null });
    expect(two.stages.map((s: any) => [s.name, s.kind, s.status])).toEqual([
      ['org', 'salesforce', 'Completed'],
      ['web', 'kubernetes', 'Completed'],
    ]);
    const orgStage = two.stages[0];
    expect(orgStage.outputs).toMatchObject({ revision: 2, branchId, deployJobId: orgStage.childJobId, components: 3 });
    const deployJob = (await h.api('GET', `/api/jobs/${orgStage.childJobId}`)).body;
    expect(deployJob).toMatchObject({ kind: 'Deploy', status: 'Completed', revision: 2 });
    expect(await liveImage(h, 'mixed-web')).toBe('nginx:1.27');
    expect(differingFiles(orgAfterOne, orgFiles(emulator))).not.toEqual([]);

    const offer = await h.api('GET', `/api/executions/${two.id}/rollback`);
    expect(offer.body.available).toBe(true);
    expect(offer.body.stages.map((s: any) => s.name)).toEqual(['web', 'org']);
    expect(offer.body.stages[1].action).toContain(`Deploy job ${orgStage.childJobId}`);

    const rollback = await rollBack(h, two.id);
    expect(rollback).toMatchObject({ kind: 'Rollback', status: 'Completed', executionId: two.id, error: null });
    // the rollback's stages, in the order they ran: the service, then the org
    expect(rollback.stages.map((s: any) => [s.name, s.status])).toEqual([
      ['web', 'Completed'],
      ['org', 'Completed'],
    ]);
    const [web, org] = rollback.stages;
    expect(Date.parse(web.finishedAt)).toBeLessThanOrEqual(Date.parse(org.startedAt));
    const logs = (await h.api('GET', `/api/executions/${rollback.id}/logs`)).body.logs as { stage: string | null }[];
    const firstLine = (stage: string) => logs.findIndex((l) => l.stage === stage);
    const lastLine = (stage: string) => logs.map((l) => l.stage).lastIndexOf(stage);
    expect(firstLine('web')).toBeGreaterThanOrEqual(0);
    expect(lastLine('web')).toBeLessThan(firstLine('org'));

    // both ends: the Deployment's image is back, the org holds byte for byte what execution one left
    expect(await liveImage(h, 'mixed-web')).toBe('nginx:1.26');
    expect(differingFiles(orgAfterOne, orgFiles(emulator))).toEqual([]);
    const orgRollback = (await h.api('GET', `/api/jobs/${org.childJobId}`)).body;
    expect(orgRollback).toMatchObject({ kind: 'Rollback', status: 'Completed', deployJobId: orgStage.childJobId });
    expect(orgRollback.options.all).toBe(true);
    expect(org.outputs).toEqual({ rollbackJobId: org.childJobId });
  });
});

import { describe, it, beforeAll, afterAll, expect } from '@jest/globals';
import { startHarness, type Harness } from '../helpers/backtrack.harness.js';
import {
  CLASS_META,
  classesZip,
  classSource,
  differingFiles,
  newBranch,
  orgFiles,
  upload,
} from '../helpers/deploy-flow.js';
import { createPipeline, createService, finished, infrastructureId, runPipeline } from '../helpers/executions.js';
import { closeStarted } from '../helpers/lifecycle.js';
import { createToken } from '../helpers/scoped-access.js';
import { alertPayload, sloPolicy } from '../helpers/slo.js';

// Issue 16 on a Salesforce org: a salesforce stage's deployment is an execution too, so a breach inside the window
// rolls the org back to what the previous execution left, through the stage's Rollback job.
describe('an SLO rollback of a Salesforce org (Local Sandbox, as a pipeline stage)', () => {
  let h: Harness;
  let branchId: string;
  let pipelineId: string;
  let ids: Awaited<ReturnType<typeof sloPolicy>>;

  beforeAll(async () => {
    h = await startHarness({ SLO_EVAL_SECONDS: '0' });
    const serviceId = await createService(h, 'metadata');
    const emulator = h.backtrack.emulator!;
    await emulator.admin.seed(emulator.defaultOrg.id, {
      components: [
        {
          files: { 'classes/Checkout.cls': classSource('Checkout', 'v0'), 'classes/Checkout.cls-meta.xml': CLASS_META },
        },
      ],
    });
    branchId = await newBranch(h, 'slo');
    pipelineId = await createPipeline(h, 'org', {
      stages: [{ name: 'org', service: 'metadata', infrastructure: 'Local Sandbox', spec: { branch: 'slo' } }],
    });
    ids = await sloPolicy(h, {
      serviceId,
      infrastructureId: await infrastructureId(h, 'Local Sandbox'),
      name: 'metadata',
    });
  });
  afterAll(() => closeStarted(h));

  it('rolls the org back to what execution one left when the alert fires inside the window', async () => {
    const emulator = h.backtrack.emulator!;
    await upload(h, branchId, await classesZip({ Checkout: 'v1' }));
    expect((await runPipeline(h, pipelineId)).status).toBe('Completed');
    const afterOne = orgFiles(emulator);
    await upload(h, branchId, await classesZip({ Checkout: 'v2', Extra: 'v2' }));
    const two = await runPipeline(h, pipelineId);
    expect(two.status).toBe('Completed');
    expect(differingFiles(afterOne, orgFiles(emulator))).not.toEqual([]);

    const token = (await createToken(h, ['rollback'], ['sandbox'])).token;
    const res = await h.api('POST', '/api/hooks/alertmanager', {
      token,
      body: alertPayload({
        labels: { service: 'metadata', environment: 'sandbox' },
        startsAt: new Date(Date.parse(two.finishedAt) + 1000),
        fingerprint: 'sf',
      }),
    });
    expect(res.status).toBe(200);
    const [decision] = res.body.decisions;
    expect(decision).toMatchObject({
      outcome: 'rollback',
      executionId: two.id,
      monitoredServiceId: ids.monitoredServiceId,
    });

    const rollback = await finished(h, decision.rollbackJobId);
    expect(rollback).toMatchObject({ status: 'Completed', createdBy: 'SLO rollback policy "metadata burn"' });
    expect(differingFiles(afterOne, orgFiles(emulator))).toEqual([]);
    // the org's own Rollback job is recorded as started by the policy too
    const orgRollback = (await h.api('GET', `/api/jobs/${rollback.stages[0].childJobId}`)).body;
    expect(orgRollback).toMatchObject({
      kind: 'Rollback',
      status: 'Completed',
      createdBy: 'SLO rollback policy "metadata burn"',
    });
  });
});

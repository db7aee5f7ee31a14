import { describe, it, beforeAll, afterAll, expect } from '@jest/globals';
import { startHarness, type Harness } from '../helpers/backtrack.harness.js';
import {
  demoOrgId,
  deployCompleted,
  jobStory,
  newBranch,
  projectZip,
  rollbackAndWait,
  upload,
} from '../helpers/deploy-flow.js';
import { closeStarted } from '../helpers/lifecycle.js';
import { flowXml } from '../helpers/flow-fixtures.js';

const SRC = 'force-app/main/default';

const flowProject = (name: string, label: string) =>
  projectZip({ [`${SRC}/flows/${name}.flow-meta.xml`]: flowXml(label) });

describe('Rolling back flows through their versions', () => {
  let h: Harness;
  let orgId: string;
  const emulator = () => h.backtrack.emulator!;
  const versionsOf = (name: string) => {
    const flow = emulator().admin.flow(emulator().defaultOrg.id, name);
    return flow ? flow.versions.map((v) => `${v.versionNumber}:${v.status}`) : [];
  };
  const flowLog = async (jobId: string, name: string) =>
    ((await h.api('GET', `/api/jobs/${jobId}/logs?component=Flow:${name}`)).body.items as { message: string }[]).map(
      (l) => l.message,
    );
  const flowRow = async (jobId: string, name: string) =>
    ((await h.api('GET', `/api/jobs/${jobId}/components`)).body.items as Record<string, unknown>[]).find(
      (c) => c.type === 'Flow' && c.fullName === name,
    );

  beforeAll(async () => {
    h = await startHarness();
    orgId = await demoOrgId(h);
  });
  afterAll(() => closeStarted(h));

  /** Version 1 of the flow deployed and active, then a deploy that adds version 2 (active): returns that deploy. */
  async function flowChangedByDeploy(name: string): Promise<string> {
    const branchId = await newBranch(h, `flow-${name}`);
    await upload(h, branchId, await flowProject(name, 'Route Case'));
    await deployCompleted(h, branchId, orgId);
    await upload(h, branchId, await flowProject(name, 'Route Case, escalating'));
    const deployId = await deployCompleted(h, branchId, orgId);
    expect(versionsOf(name)).toEqual(['1:Obsolete', '2:Active']);
    return deployId;
  }

  it('re-activates the version active before the deploy instead of deploying the old XML as a third version', async () => {
    const deployId = await flowChangedByDeploy('Route_Case_Reactivate');

    const rollback = await rollbackAndWait(h, deployId, { all: true });
    expect(await jobStory(h, rollback.id)).toMatch(/^Completed/);
    expect(versionsOf('Route_Case_Reactivate')).toEqual(['1:Active', '2:Obsolete']);
    const log = await flowLog(rollback.id, 'Route_Case_Reactivate');
    expect(log).toContain('Rolled back: Re-activated version 1 (version 2, created by the deploy, is now inactive).');
    expect(log).toContain('Verified: version 1 is active, as before the deploy');
    expect(await flowRow(rollback.id, 'Route_Case_Reactivate')).toMatchObject({
      status: 'Succeeded',
      action: 'restore',
    });
  });

  it('deletes the version the deploy created with deleteFlowVersions, and the org then matches the snapshot', async () => {
    const deployId = await flowChangedByDeploy('Route_Case_Delete');

    const rollback = await rollbackAndWait(h, deployId, { all: true, deleteFlowVersions: true });
    expect(await jobStory(h, rollback.id)).toMatch(/^Completed/);
    expect(versionsOf('Route_Case_Delete')).toEqual(['1:Active']);
    const log = await flowLog(rollback.id, 'Route_Case_Delete');
    expect(log).toContain('Rolled back: Re-activated version 1 (deleted version 2, created by the deploy).');
    // with version 2 gone the retrieve returns version 1 again, byte for byte the backup
    expect(log).toContain('Verified: the org matches the snapshot');
  });

  it('deactivates a flow the deploy created, and deletes it with deleteFlowVersions', async () => {
    const branchId = await newBranch(h, 'flow-created');
    await upload(h, branchId, await flowProject('Route_Case_New', 'Route Case'));
    const kept = await deployCompleted(h, branchId, orgId);
    const rollback = await rollbackAndWait(h, kept, { all: true });
    expect(await jobStory(h, rollback.id)).toMatch(/^Completed/);
    expect(versionsOf('Route_Case_New')).toEqual(['1:Obsolete']);
    expect(await flowLog(rollback.id, 'Route_Case_New')).toContain(
      'Rolled back: Deactivated the flow the deploy created (version 1, created by the deploy, is now inactive).',
    );

    await upload(h, branchId, await flowProject('Route_Case_Gone', 'Route Case'));
    const created = await deployCompleted(h, branchId, orgId);
    const deleting = await rollbackAndWait(h, created, { all: true, deleteFlowVersions: true });
    expect(await jobStory(h, deleting.id)).toMatch(/^Completed/);
    expect(emulator().admin.flow(emulator().defaultOrg.id, 'Route_Case_Gone')).toBeUndefined();
    expect(await flowLog(deleting.id, 'Route_Case_Gone')).toContain(
      'Verified: the flow is no longer in the org, as before the deploy',
    );
  });

  it('reports a version Salesforce refuses to delete because of paused interviews, and does not claim it deleted', async () => {
    const deployId = await flowChangedByDeploy('Route_Case_Paused');
    emulator().admin.setPausedInterviews(emulator().defaultOrg.id, 'Route_Case_Paused', 2, 3);

    const rollback = await rollbackAndWait(h, deployId, { all: true, deleteFlowVersions: true });
    expect(await jobStory(h, rollback.id)).toMatch(/^Completed/);
    expect(versionsOf('Route_Case_Paused')).toEqual(['1:Active', '2:Obsolete']);
    const row = await flowRow(rollback.id, 'Route_Case_Paused');
    expect(row).toMatchObject({ status: 'Succeeded', problemType: 'Warning' });
    expect(row?.problem).toMatch(/Version 2 was not deleted: .*paused interview/);
    const log = (await flowLog(rollback.id, 'Route_Case_Paused')).join('\n');
    expect(log).toContain('Re-activated version 1 (version 2, created by the deploy, is now inactive)');
    expect(log).not.toMatch(/deleted version 2/);
  });
});

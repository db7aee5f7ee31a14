import { describe, it, beforeAll, afterAll, expect } from '@jest/globals';
import { startHarness, waitForJob, type Harness } from '../helpers/backtrack.harness.js';
import { deployAndWait, demoOrgId, newBranch, zipOf } from '../helpers/deploy-flow.js';
import { closeStarted } from '../helpers/lifecycle.js';
import { createToken } from '../helpers/scoped-access.js';

const SRC = 'force-app/main/default';
const META =
  '<?xml version="1.0" encoding="UTF-8"?>\n<ApexClass xmlns="http://soap.sforce.com/2006/04/metadata">\n    <apiVersion>60.0</apiVersion>\n    <status>Active</status>\n</ApexClass>\n';
const cls = (name: string, version: string) =>
  `public with sharing class ${name} {\n    public static String version() { return '${version}'; }\n}\n`;

function projectZip(version: string): Promise<Buffer> {
  const files: Record<string, string> = {
    'sfdx-project.json': '{"packageDirectories":[{"path":"force-app","default":true}],"sourceApiVersion":"60.0"}',
  };
  for (const name of ['LastA', 'LastB']) {
    files[`${SRC}/classes/${name}.cls`] = cls(name, version);
    files[`${SRC}/classes/${name}.cls-meta.xml`] = META;
  }
  return zipOf(files);
}

/** Issue 10, 6b: "roll back the last deploy" targets the latest deploy of the branch to the org, never an older one. */
describe('POST /api/branches/:id/rollback {orgId, all: true}', () => {
  let h: Harness;
  let orgId: string;
  let branchId: string;
  const live = (name: string) => {
    const emulator = h.backtrack.emulator!;
    const files = emulator.admin.getComponent(emulator.defaultOrg.id, 'ApexClass', name)?.files ?? {};
    return (
      Object.entries(files)
        .find(([path]) => path.endsWith('.cls'))?.[1]
        .toString() ?? null
    );
  };
  const deploy = (options: Record<string, unknown> = {}) => deployAndWait(h, branchId, orgId, options);
  const rollbackLast = () => h.api('POST', `/api/branches/${branchId}/rollback`, { body: { orgId, all: true } });

  beforeAll(async () => {
    h = await startHarness();
    orgId = await demoOrgId(h);
    branchId = await newBranch(h, 'last-deploy');
  });
  afterAll(() => closeStarted(h));

  it('answers 404 with a sentence when the branch was never deployed to the org', async () => {
    const res = await rollbackLast();
    expect(res.status).toBe(404);
    expect(res.body.message).toMatch(/Deploy .*last-deploy/);
  });

  it('rolls back a partly applied last deploy (SucceededPartial), not the Completed one before it', async () => {
    expect((await h.api('POST', `/api/branches/${branchId}/revisions`, { body: await projectZip('v1') })).status).toBe(
      201,
    );
    const first = await deploy();
    expect(first.status).toBe('Completed');
    expect(live('LastA')).toContain("'v1'");

    expect((await h.api('POST', `/api/branches/${branchId}/revisions`, { body: await projectZip('v2') })).status).toBe(
      201,
    );
    h.backtrack.emulator!.admin.failComponent({ type: 'ApexClass', fullName: 'LastB', times: 1 });
    const partial = await deploy({ rollbackOnError: false });
    expect(partial.status).toBe('Exception');
    expect(live('LastA')).toContain("'v2'");
    expect(live('LastB')).toContain("'v1'");

    const res = await rollbackLast();
    expect(res.status).toBe(202);
    expect(res.body.deployJobId).toBe(partial.id);
    const job = await waitForJob(h, res.body.id);
    expect(job.error).toBeNull();
    expect(job.status).toBe('Completed');
    expect(live('LastA')).toContain("'v1'");
    expect(live('LastB')).toContain("'v1'");
  });

  it('refuses with the reason, naming the job, when the last deploy cannot be rolled back — never an older deploy', async () => {
    h.backtrack.emulator!.admin.failComponent({ type: 'ApexClass', fullName: 'LastA', times: 1 });
    const failed = await deploy();
    expect(failed.status).toBe('Exception');
    const jobsBefore = (await h.api('GET', `/api/branches/${branchId}/activities`)).body.items.length;

    const res = await rollbackLast();
    expect(res.status).toBe(409);
    expect(res.body.message).toContain(`job ${failed.id}`);
    expect(res.body.message).toMatch(/applied none of it/);
    expect((await h.api('GET', `/api/branches/${branchId}/activities`)).body.items.length).toBe(jobsBefore);
  });

  it("needs both deploy and rollback in the org's environment (403 naming what is missing), before telling anything of the branch's deploys", async () => {
    const neverDeployed = await newBranch(h, 'never-deployed');
    const rollbackOnly = await createToken(h, ['rollback']);
    const deployOnly = await createToken(h, ['deploy']);
    const elsewhere = await createToken(h, ['deploy', 'rollback'], ['production']);
    const jobsBefore = (await h.api('GET', `/api/branches/${branchId}/activities`)).body.items.length;
    for (const branch of [branchId, neverDeployed]) {
      const ask = (token: string) =>
        h.api('POST', `/api/branches/${branch}/rollback`, { token, body: { orgId, all: true } });
      const noDeploy = await ask(rollbackOnly.token);
      expect([noDeploy.status, noDeploy.body.message]).toEqual([
        403,
        'This token lacks the "deploy" permission; ask an admin for a token that has it.',
      ]);
      const noRollback = await ask(deployOnly.token);
      expect([noRollback.status, noRollback.body.message]).toEqual([
        403,
        'This token lacks the "rollback" permission; ask an admin for a token that has it.',
      ]);
      const otherEnvironment = await ask(elsewhere.token);
      expect(otherEnvironment.status).toBe(403);
      expect(otherEnvironment.body.message).toMatch(/only for production, not for the "sandbox" environment/);
    }
    expect((await h.api('GET', `/api/branches/${branchId}/activities`)).body.items.length).toBe(jobsBefore);
  });
});

import { describe, it, beforeAll, afterAll, expect } from '@jest/globals';
import { startHarness, waitForJob, type Harness } from '../helpers/backtrack.harness.js';
import { SAMPLE_PROJECT, zipFolder } from '../helpers/project-zip.js';
import { buildDeployZip } from '../../src/salesforce/deploy-package.js';
import { JsforceMetadataGateway } from '../../src/salesforce/jsforce.gateway.js';

/**
 * Issue 10, point 2: when the answer to a deploy's or a rollback's submission is lost, Backtrack asks the org's
 * recent deploys (Tooling API DeployRequest) which deploy is its own and follows it; when it cannot tell, it says so.
 * On the embedded default, with the built-in emulator's fault injection dropping the answer to `deploy`.
 */
describe('a lost submit answer (embedded default, emulator fault injection)', () => {
  let h: Harness;
  let orgId: string;
  let branchId: string;
  const emulator = () => h.backtrack.emulator!;
  const dropNextDeployAnswer = () =>
    emulator().admin.dropConnections({ orgId: emulator().defaultOrg.id, operation: 'deploy', afterProcessing: true });
  const deploysNow = () => emulator().admin.deploys(emulator().defaultOrg.id).deploys;
  const logsOf = async (jobId: string) =>
    ((await h.api('GET', `/api/jobs/${jobId}/logs`)).body.items as { message: string }[]).map((l) => l.message);
  const deploy = async () => {
    const start = await h.api('POST', `/api/branches/${branchId}/deployments`, { body: { orgId } });
    expect(start.status).toBe(202);
    return waitForJob(h, start.body.id, 60_000);
  };
  const rollbackAll = async (deployJobId: string) => {
    const start = await h.api('POST', `/api/jobs/${deployJobId}/rollback`, {
      body: { all: true, acceptDataLoss: true },
    });
    expect(start.status).toBe(202);
    return waitForJob(h, start.body.id, 60_000);
  };

  beforeAll(async () => {
    h = await startHarness();
    orgId = (await h.api('GET', '/api/orgs')).body.items.find((o: { name: string }) => o.name === 'Local Sandbox').id;
    branchId = (await h.api('POST', '/api/branches', { body: { name: 'lost-submit' } })).body.id;
    expect(
      (await h.api('POST', `/api/branches/${branchId}/revisions`, { body: await zipFolder(SAMPLE_PROJECT) })).status,
    ).toBe(201);
  });
  afterAll(async () => {
    await h.close();
  });

  it("follows the deploy Salesforce started: id from the recent deploys, components' results from Salesforce", async () => {
    const before = deploysNow().length;
    dropNextDeployAnswer();
    const job = await deploy();
    const started = deploysNow().slice(before);
    expect(started).toHaveLength(1); // submitted once, never again
    expect(job.status).toBe('Completed');
    const logs = await logsOf(job.id);
    expect(logs.join('\n')).toMatch(/The answer to the deploy submission was lost/);
    const found = new RegExp(`^Salesforce's recent deploys show deploy ${started[0]!.id} started at .*; following it$`);
    expect(logs).toContainEqual(expect.stringMatching(found));
    expect(logs).toContain('Salesforce: Succeeded');
    const rows = (await h.api('GET', `/api/jobs/${job.id}/components`)).body.items as { status: string }[];
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.status === 'Succeeded')).toBe(true);
    expect((await h.api('GET', `/api/jobs/${job.id}/rollback`)).body.rollbackable).toBe(true);
  });

  it('follows a rollback whose submit answer was lost, and it completes', async () => {
    const deployed = (await h.api('GET', `/api/branches/${branchId}/activities`)).body.items[0];
    expect(deployed.kind).toBe('Deploy');
    const before = deploysNow().length;
    dropNextDeployAnswer();
    const job = await rollbackAll(deployed.id);
    const started = deploysNow().slice(before);
    expect(started).toHaveLength(1);
    const logs = (await logsOf(job.id)).join('\n');
    expect([job.status, job.error, logs]).toEqual(['Completed', null, expect.any(String)]);
    expect(logs).toMatch(/The answer to the rollback submission was lost/);
    expect(logs).toContain(`Salesforce's recent deploys show deploy ${started[0]!.id} started at`);
  });

  it('says a rollback is unknown when two deploys started then, and keeps its components claimed', async () => {
    const deployed = await deploy();
    expect([deployed.status, deployed.error]).toEqual(['Completed', null]);
    // Someone else's deploy to the same org a moment before the rollback's: Backtrack cannot tell which is its own.
    const other = await new JsforceMetadataGateway().connect({
      instanceUrl: emulator().url,
      apiVersion: '62.0',
      auth: { type: 'accessToken', accessToken: emulator().defaultOrg.accessToken },
    });
    const meta =
      '<?xml version="1.0" encoding="UTF-8"?>\n<ApexClass xmlns="http://soap.sforce.com/2006/04/metadata">' +
      '<apiVersion>62.0</apiVersion><status>Active</status></ApexClass>\n';
    const dir = 'force-app/main/default/classes';
    const { zip } = await buildDeployZip({
      apiVersion: '62.0',
      components: [
        {
          type: 'ApexClass',
          fullName: 'SomeoneElses',
          files: [
            { path: `${dir}/SomeoneElses.cls`, content: Buffer.from('public class SomeoneElses {}') },
            { path: `${dir}/SomeoneElses.cls-meta.xml`, content: Buffer.from(meta) },
          ],
        },
      ],
    });
    const otherId = await other.startDeploy(zip, { testLevel: 'NoTestRun' });
    dropNextDeployAnswer();
    const job = await rollbackAll(deployed.id);
    expect(job.status).toBe('Exception');
    expect(job.error).toMatch(/^Outcome unknown: .*check the org's Deployment Status page.*stay claimed/);
    expect((await logsOf(job.id)).join('\n')).toContain(otherId);
    const rows = (await h.api('GET', `/api/jobs/${job.id}/components`)).body.items as { problem: string | null }[];
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.problem?.startsWith('Unknown:'))).toBe(true);
    // Claims held: the same components cannot be rolled back again while the outcome is unknown.
    expect(
      (await h.api('POST', `/api/jobs/${deployed.id}/rollback`, { body: { all: true, acceptDataLoss: true } })).status,
    ).toBe(409);
  });
});

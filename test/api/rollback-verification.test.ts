import { describe, it, beforeAll, afterAll, expect } from '@jest/globals';
import { startHarness, waitForJob, type Harness } from '../helpers/backtrack.harness.js';
import { deployCompleted, demoOrgId, newBranch, upload, zipOf } from '../helpers/deploy-flow.js';
import { closeStarted } from '../helpers/lifecycle.js';

const SRC = 'force-app/main/default';
const META =
  '<?xml version="1.0" encoding="UTF-8"?>\n<ApexClass xmlns="http://soap.sforce.com/2006/04/metadata">\n    <apiVersion>60.0</apiVersion>\n    <status>Active</status>\n</ApexClass>\n';
const cls = (name: string, version: string) =>
  `public with sharing class ${name} {\n    public static String version() { return '${version}'; }\n}\n`;
const account = (label: string) => `<?xml version="1.0" encoding="UTF-8"?>
<CustomObject xmlns="http://soap.sforce.com/2006/04/metadata">
    <fields>
        <fullName>Region__c</fullName>
        <label>${label}</label>
        <length>80</length>
        <type>Text</type>
    </fields>
</CustomObject>
`;
const field = (label: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<CustomField xmlns="http://soap.sforce.com/2006/04/metadata">\n    <fullName>Region__c</fullName>\n    <label>${label}</label>\n    <length>80</length>\n    <type>Text</type>\n</CustomField>\n`;

/**
 * The verification compares what the org holds after the restore with the snapshot. It can fail: whatever changes a
 * restored component between the restore deploy and the verification's read is reported, component by component,
 * while the untouched ones verify (their bytes are the backup's, compared without parsing).
 */
describe('Rollback verification', () => {
  let h: Harness;
  let orgId: string;
  let deployId: string;

  const seed = (files: Record<string, string>) =>
    h.backtrack.emulator!.admin.seed(h.backtrack.emulator!.defaultOrg.id, { components: [{ files }] });

  beforeAll(async () => {
    h = await startHarness();
    for (const name of ['Alpha', 'Beta'])
      await seed({ [`classes/${name}.cls`]: cls(name, 'v0'), [`classes/${name}.cls-meta.xml`]: META });
    await seed({ 'objects/Account.object': account('Region (old)') });
    orgId = await demoOrgId(h);
    const branchId = await newBranch(h, 'verification');
    const files: Record<string, string> = {
      'sfdx-project.json': '{"packageDirectories":[{"path":"force-app","default":true}],"sourceApiVersion":"60.0"}',
      [`${SRC}/objects/Account/fields/Region__c.field-meta.xml`]: field('Region (new)'),
    };
    for (const name of ['Alpha', 'Beta']) {
      files[`${SRC}/classes/${name}.cls`] = cls(name, 'v1');
      files[`${SRC}/classes/${name}.cls-meta.xml`] = META;
    }
    await upload(h, branchId, await zipOf(files));
    deployId = await deployCompleted(h, branchId, orgId);
  });
  afterAll(() => closeStarted(h));

  it('reports the components the org changed after the restore, and verifies the others', async () => {
    // every retrieve waits 3 s before the org answers: time to change the org once the restore deploy succeeded
    h.backtrack.emulator!.admin.addLatency({ operation: 'retrieve', ms: 3_000 });
    const started = await h.api('POST', `/api/jobs/${deployId}/rollback`, { body: { all: true } });
    expect(started.status).toBe(202);
    const jobId = started.body.id;
    for (const deadline = Date.now() + 60_000; ;) {
      const lines = (await h.api('GET', `/api/jobs/${jobId}/logs`)).body.items.map((l: any) => l.message);
      if (lines.includes('Salesforce: Succeeded')) break;
      if (Date.now() > deadline) throw new Error(`the restore deploy did not succeed: ${lines.join(' | ')}`);
      await new Promise((r) => setTimeout(r, 25));
    }
    await seed({ 'classes/Alpha.cls': cls('Alpha', 'someone else'), 'classes/Alpha.cls-meta.xml': META });
    await seed({ 'objects/Account.object': account('Region (someone else)') });

    const job = await waitForJob(h, jobId, 60_000);
    h.backtrack.emulator!.admin.clearFaults();
    expect(job.status).toBe('Exception');
    const last = async (component: string) =>
      (await h.api('GET', `/api/jobs/${jobId}/logs?component=${component}`)).body.items.at(-1).message;
    expect(await last('ApexClass:Alpha')).toBe('Verification failed: the org differs from the snapshot');
    expect(await last('CustomField:Account.Region__c')).toBe('Verification failed: the org differs from the snapshot');
    expect(await last('ApexClass:Beta')).toBe('Verified: the org matches the snapshot');
  });

  it('reads the org back as soon as Salesforce says the restore succeeded, beside the fetch of its results', async () => {
    for (const name of ['Gamma', 'Delta'])
      await seed({ [`classes/${name}.cls`]: cls(name, 'v0'), [`classes/${name}.cls-meta.xml`]: META });
    const branchId = await newBranch(h, 'verification-early');
    const files: Record<string, string> = {
      'sfdx-project.json': '{"packageDirectories":[{"path":"force-app","default":true}],"sourceApiVersion":"60.0"}',
    };
    for (const name of ['Gamma', 'Delta']) {
      files[`${SRC}/classes/${name}.cls`] = cls(name, 'v1');
      files[`${SRC}/classes/${name}.cls-meta.xml`] = META;
    }
    await upload(h, branchId, await zipOf(files));
    const deployed = await deployCompleted(h, branchId, orgId);
    // the per-component results of the restore deploy do not come for one whole attempt (the gateway asks 4 times)
    // and once more in the next
    const admin = h.backtrack.emulator!.admin;
    admin.dropConnections({
      orgId: h.backtrack.emulator!.defaultOrg.id,
      operation: 'checkDeployStatus',
      details: true,
      times: 5,
    });
    const started = await h.api('POST', `/api/jobs/${deployed}/rollback`, { body: { all: true } });
    expect(started.status).toBe(202);
    const job = await waitForJob(h, started.body.id, 90_000);
    expect(admin.faults().connectionDrops).toEqual([]);
    expect(job.status).toBe('Completed');
    const lines: string[] = (await h.api('GET', `/api/jobs/${job.id}/logs`)).body.items.map((l: any) => l.message);
    // the first attempt verified while its fetch of the results failed; the next one fetched them and verified again
    const verified = lines.flatMap((l, i) => (l.startsWith('Verification: 2 of 2 component(s) match') ? [i] : []));
    const resumed = lines.findIndex((l) => l.startsWith('Resumed by worker'));
    expect(resumed).toBeGreaterThan(0);
    expect(verified).toHaveLength(2);
    expect(verified[0]).toBeLessThan(resumed);
    expect(verified[1]).toBeGreaterThan(resumed);
    for (const name of ['Gamma', 'Delta']) {
      expect(
        admin
          .getComponent(h.backtrack.emulator!.defaultOrg.id, 'ApexClass', name)!
          .files[`classes/${name}.cls`]!.toString('utf8'),
      ).toBe(cls(name, 'v0'));
    }
    const rows = (await h.api('GET', `/api/jobs/${job.id}/components`)).body.items;
    expect(rows.map((r: any) => [r.fullName, r.status])).toEqual([
      ['Delta', 'Succeeded'],
      ['Gamma', 'Succeeded'],
    ]);
  });
});

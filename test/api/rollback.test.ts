import { describe, it, beforeAll, afterAll, expect } from '@jest/globals';
import { startHarness, waitForJob, type Harness } from '../helpers/backtrack.harness.js';
import { changedKeys, orgState } from '../helpers/org-state.js';
import { zipFolder } from '../helpers/project-zip.js';
import { readZip, writeZip } from '../../src/common/zip.js';
import { deployCompleted, demoOrgId, newBranch, rollbackAndWait, upload, zipOf } from '../helpers/deploy-flow.js';
import { closeStarted } from '../helpers/lifecycle.js';
import { SnapshotsService } from '../../src/snapshots/snapshots.service.js';

const SRC = 'force-app/main/default';
const META =
  '<?xml version="1.0" encoding="UTF-8"?>\n<ApexClass xmlns="http://soap.sforce.com/2006/04/metadata">\n    <apiVersion>60.0</apiVersion>\n    <status>Active</status>\n</ApexClass>\n';
const cls = (name: string, version: string) =>
  `public with sharing class ${name} {\n    public static String version() { return '${version}'; }\n}\n`;
const field = (name: string, label: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<CustomField xmlns="http://soap.sforce.com/2006/04/metadata">\n    <fullName>${name}</fullName>\n    <label>${label}</label>\n    <length>80</length>\n    <type>Text</type>\n</CustomField>\n`;
const ACCOUNT_S0 = `<?xml version="1.0" encoding="UTF-8"?>
<CustomObject xmlns="http://soap.sforce.com/2006/04/metadata">
    <fields>
        <fullName>Region__c</fullName>
        <label>Region (old)</label>
        <length>80</length>
        <type>Text</type>
    </fields>
</CustomObject>
`;
const UPDATED = ['Alpha', 'Beta', 'Gamma', 'Delta'];
const SAME = ['Same1', 'Same2'];

/** D1: updates 4 classes and one field, creates 2 classes and a field on the existing Account object, leaves 2 alone. */
async function d1Zip(): Promise<Buffer> {
  const files: Record<string, string> = {
    'sfdx-project.json': '{"packageDirectories":[{"path":"force-app","default":true}],"sourceApiVersion":"60.0"}',
  };
  for (const name of [...UPDATED, 'NewOne', 'NewTwo']) {
    files[`${SRC}/classes/${name}.cls`] = cls(name, 'v1');
    files[`${SRC}/classes/${name}.cls-meta.xml`] = META;
  }
  for (const name of SAME) {
    files[`${SRC}/classes/${name}.cls`] = cls(name, 'v0');
    files[`${SRC}/classes/${name}.cls-meta.xml`] = META;
  }
  files[`${SRC}/objects/Account/fields/Region__c.field-meta.xml`] = field('Region__c', 'Region (new)');
  files[`${SRC}/objects/Account/fields/Tier__c.field-meta.xml`] = field('Tier__c', 'Tier');
  return zipOf(files);
}

describe('Rollback jobs', () => {
  let h: Harness;
  let orgId: string;
  let branchId: string;
  let s0: Map<string, string>;

  const deploy = () => deployCompleted(h, branchId, orgId);
  const rollback = (deployId: string, body: unknown) => rollbackAndWait(h, deployId, body);
  const seedClass = (name: string, version: string) =>
    h.backtrack.emulator!.admin.seed(h.backtrack.emulator!.defaultOrg.id, {
      components: [{ files: { [`classes/${name}.cls`]: cls(name, version), [`classes/${name}.cls-meta.xml`]: META } }],
    });

  beforeAll(async () => {
    h = await startHarness();
    for (const name of [...UPDATED, ...SAME]) await seedClass(name, 'v0');
    await h.backtrack.emulator!.admin.seed(h.backtrack.emulator!.defaultOrg.id, {
      components: [{ files: { 'objects/Account.object': ACCOUNT_S0 } }],
    });
    s0 = orgState(h.backtrack.emulator!);
    orgId = await demoOrgId(h);
    branchId = await newBranch(h, 'release');
    await upload(h, branchId, await d1Zip());
  });
  afterAll(() => closeStarted(h));

  it('lists exactly the changed components with the action a rollback takes, unchanged ones apart', async () => {
    const d1 = await deploy();
    const { body } = await h.api('GET', `/api/jobs/${d1}/rollback`);
    expect(body.rollbackable).toBe(true);
    const rows = Object.fromEntries(
      body.items.map((i: any) => [`${i.type}:${i.fullName}`, `${i.deployAction}/${i.rollbackAction}/${i.available}`]),
    );
    expect(rows).toEqual({
      'ApexClass:Alpha': 'updated/restore/true',
      'ApexClass:Beta': 'updated/restore/true',
      'ApexClass:Gamma': 'updated/restore/true',
      'ApexClass:Delta': 'updated/restore/true',
      'ApexClass:NewOne': 'created/delete/true',
      'ApexClass:NewTwo': 'created/delete/true',
      'CustomField:Account.Region__c': 'updated/restore/true',
      'CustomField:Account.Tier__c': 'created/delete/true',
    });
    expect(
      body.unchanged
        .map((u: any) => u.fullName)
        .filter((n: string) => SAME.includes(n))
        .sort(),
    ).toEqual(SAME);
  });

  it("plans from the snapshot's rows read without their file lists: every other column as read with them", async () => {
    const d1 = (await h.api('GET', `/api/branches/${branchId}/activities`)).body.items[0].id;
    const snapshots = h.backtrack.app.get(SnapshotsService);
    const snapshot = (await snapshots.forJob(d1))!;
    const whole = await snapshots.componentsOf(snapshot.id);
    const facts = await snapshots.entriesOf(snapshot.id);
    expect(whole.some((r) => r.files === null || r.files.length === 0)).toBe(true); // the created ones have none
    expect(facts).toEqual(whole.map(({ files, ...rest }) => ({ ...rest, hasFiles: Boolean(files?.length) })));
    const picked = whole.filter((r) => r.type === 'CustomField');
    expect(await snapshots.entriesOf(snapshot.id, picked)).toEqual(facts.filter((r) => r.type === 'CustomField'));
  });

  it('rolls back all of D1: Completed, the org equals S0 component by component, each component logged from plan to verification', async () => {
    const d1 = (await h.api('GET', `/api/branches/${branchId}/activities`)).body.items[0].id;
    expect(changedKeys(s0, orgState(h.backtrack.emulator!)).length >= 8).toBeTruthy(); // D1 changed the org
    const job = await rollback(d1, { all: true, acceptDataLoss: true });
    expect(job.status).toBe('Completed');
    expect(job.kind).toBe('Rollback');
    expect(job.deployJobId).toBe(d1);
    // its status shows what was asked, not the list of every component it expanded to: those are its rows
    expect(job.options).toEqual({ all: true, checkOnly: false, force: false });
    expect((await h.api('GET', `/api/jobs/${job.id}`)).body.options).toEqual(job.options);
    expect(changedKeys(s0, orgState(h.backtrack.emulator!))).toEqual([]);
    const thread = (
      await h.api('GET', `/api/jobs/${job.id}/logs?component=CustomField:Account.Tier__c`)
    ).body.items.map((l: any) => l.message);
    expect(thread).toEqual([
      'Planned: delete it (the deploy created it)',
      'No drift: the org still has what the deploy put there.',
      'Rolled back: deleted',
      'Verified: no longer in the org, as before the deploy',
    ]);
    const alpha = (await h.api('GET', `/api/jobs/${job.id}/logs?component=ApexClass:Alpha`)).body.items.map(
      (l: any) => l.message,
    );
    expect(alpha.at(-1)).toBe('Verified: the org matches the snapshot');
    // every row carries its drift verdict (set in one statement for the components that did not drift)
    const rows = (await h.api('GET', `/api/jobs/${job.id}/components?limit=500`)).body.items;
    expect(rows.length).toBeGreaterThanOrEqual(8);
    expect(rows.filter((r: any) => r.details?.drift !== 'unchanged')).toEqual([]);
    const activities = (await h.api('GET', `/api/branches/${branchId}/activities`)).body.items;
    expect(activities[0].id).toBe(job.id);
    expect(activities[0].deployJobId).toBe(d1);
    const again = await h.api('POST', `/api/jobs/${d1}/rollback`, { body: { all: true } });
    expect(again.status).toBe(409);
  });

  let d2: string;
  it('rolls back two selected components: exactly those revert, the others stay and remain available; the same two again → 409', async () => {
    d2 = await deploy();
    const s1 = orgState(h.backtrack.emulator!);
    const picked = [
      { type: 'ApexClass', fullName: 'Alpha' },
      { type: 'ApexClass', fullName: 'NewOne' },
    ];
    const job = await rollback(d2, { components: picked });
    expect(job.status).toBe('Completed');
    expect(job.options.components).toEqual(picked);
    expect(changedKeys(s1, orgState(h.backtrack.emulator!))).toEqual(['ApexClass:Alpha', 'ApexClass:NewOne']);
    expect(orgState(h.backtrack.emulator!).get('ApexClass:Alpha')).toBe(s0.get('ApexClass:Alpha'));
    expect(orgState(h.backtrack.emulator!).has('ApexClass:NewOne')).toBe(false);
    const candidates = (await h.api('GET', `/api/jobs/${d2}/rollback`)).body.items;
    const availability = Object.fromEntries(candidates.map((c: any) => [c.fullName, c.available]));
    expect(availability.Alpha).toBe(false);
    expect(availability.NewOne).toBe(false);
    expect(availability.Beta).toBe(true);
    expect(candidates.find((c: any) => c.fullName === 'Alpha').reason).toMatch(new RegExp(job.id));
    const again = await h.api('POST', `/api/jobs/${d2}/rollback`, { body: { components: picked } });
    expect(again.status).toBe(409);
    expect(again.body.message).toMatch(/ApexClass:Alpha \(Already rolled back by job/);
  });

  it('refuses a component edited in the org after the deploy as drifted, then restores it with force', async () => {
    await seedClass('Beta', 'edited by hand');
    const refused = await rollback(d2, { components: [{ type: 'ApexClass', fullName: 'Beta' }] });
    expect(refused.status).toBe('Exception');
    expect(refused.error).toMatch(/changed in the org after the deploy.*force/);
    const row = (await h.api('GET', `/api/jobs/${refused.id}/components`)).body.items[0];
    expect(row.status).toBe('Conflict');
    expect(row.details.drift).toBe('drifted');
    expect(orgState(h.backtrack.emulator!).get('ApexClass:Beta')!).toMatch(/./);
    expect(orgState(h.backtrack.emulator!).get('ApexClass:Beta')).not.toBe(s0.get('ApexClass:Beta'));
    const forced = await rollback(d2, { components: [{ type: 'ApexClass', fullName: 'Beta' }], force: true });
    expect(forced.status).toBe('Completed');
    const forcedRow = (await h.api('GET', `/api/jobs/${forced.id}/components`)).body.items[0];
    expect(forcedRow).toMatchObject({ status: 'Succeeded', details: { drift: 'drifted' } });
    expect(orgState(h.backtrack.emulator!).get('ApexClass:Beta')).toBe(s0.get('ApexClass:Beta'));
  });

  it('validates a rollback with checkOnly without changing the org, and keeps the components available', async () => {
    const before = orgState(h.backtrack.emulator!);
    const job = await rollback(d2, { components: [{ type: 'ApexClass', fullName: 'Gamma' }], checkOnly: true });
    expect(job.status).toBe('Completed');
    expect(changedKeys(before, orgState(h.backtrack.emulator!))).toEqual([]);
    const gamma = (await h.api('GET', `/api/jobs/${d2}/rollback`)).body.items.find((c: any) => c.fullName === 'Gamma');
    expect(gamma.available).toBe(true);
  });

  it('ends a rollback the org rejects in Exception with the problem per component, leaves the org unchanged and releases the components', async () => {
    const emulator = h.backtrack.emulator!;
    emulator.admin.failComponent({
      type: 'ApexClass',
      fullName: 'Gamma',
      problem: 'Dependent class is invalid and needs recompilation',
      times: 1,
    });
    const before = orgState(emulator);
    const job = await rollback(d2, {
      components: [
        { type: 'ApexClass', fullName: 'Gamma' },
        { type: 'ApexClass', fullName: 'Delta' },
      ],
    });
    expect(job.status).toBe('Exception');
    expect(job.error).toMatch(/org is unchanged/);
    const rows = (await h.api('GET', `/api/jobs/${job.id}/components`)).body.items;
    const gamma = rows.find((r: any) => r.fullName === 'Gamma');
    expect(gamma.status).toBe('Failed');
    expect(gamma.problem).toMatch(/Dependent class is invalid/);
    expect(rows.find((r: any) => r.fullName === 'Delta').status).toBe('Skipped');
    expect(changedKeys(before, orgState(emulator))).toEqual([]);
    const candidates = (await h.api('GET', `/api/jobs/${d2}/rollback`)).body.items;
    expect(candidates.find((c: any) => c.fullName === 'Gamma').available).toBe(true);
  });

  it('refuses a component whose stored backup was altered, and the whole rollback when the seal no longer matches', async () => {
    const db = h.backtrack.dataSource;
    const [{ id: snapshotId }] = await db.query(`SELECT id FROM snapshots WHERE job_id = $1`, [d2]);
    const rowOf = async (name: string) =>
      (
        await db.query(
          `SELECT id, files, fingerprint_before FROM snapshot_components WHERE snapshot_id = $1 AND full_name = $2`,
          [snapshotId, name],
        )
      )[0];
    const gamma = await rowOf('Gamma');
    const delta = await rowOf('Delta');
    const before = orgState(h.backtrack.emulator!);

    // Gamma's class file now points at Delta's backed-up class: a valid blob, but not what was backed up for Gamma.
    const swapped = gamma.files.map((f: any, i: number) =>
      f.path.endsWith('.cls') ? { ...f, sha256: delta.files[i].sha256 } : f,
    );
    await db.query(`UPDATE snapshot_components SET files = $2::jsonb WHERE id = $1`, [
      gamma.id,
      JSON.stringify(swapped),
    ]);
    const refused = await rollback(d2, {
      components: [
        { type: 'ApexClass', fullName: 'Gamma' },
        { type: 'ApexClass', fullName: 'Delta' },
      ],
    });
    expect(refused.status).toBe('Exception');
    expect(refused.error).toMatch(/backup of 1 component\(s\) was altered.*ApexClass:Gamma.*nothing was changed/);
    const rows = (await h.api('GET', `/api/jobs/${refused.id}/components`)).body.items;
    expect(rows.find((r: any) => r.fullName === 'Gamma').status).toBe('Failed');
    expect(rows.find((r: any) => r.fullName === 'Delta').status).toBe('Skipped');
    expect(changedKeys(before, orgState(h.backtrack.emulator!))).toEqual([]);
    await db.query(`UPDATE snapshot_components SET files = $2::jsonb WHERE id = $1`, [
      gamma.id,
      JSON.stringify(gamma.files),
    ]);

    // A fingerprint changed in place breaks the seal, which rolling back everything checks before it writes a row or
    // deploys anything (while the drift retrieves are read).
    await db.query(`UPDATE snapshot_components SET fingerprint_before = $2 WHERE id = $1`, [delta.id, 'f'.repeat(64)]);
    const sealed = await rollback(d2, { all: true, acceptDataLoss: true });
    expect(sealed.status).toBe('Exception');
    expect(sealed.error).toMatch(/failed its checksum/);
    expect((await h.api('GET', `/api/jobs/${sealed.id}/components`)).body.items).toEqual([]);
    const sealedLog = (await h.api('GET', `/api/jobs/${sealed.id}/logs?limit=1000`)).body.items.map(
      (l: any) => l.message,
    );
    expect(sealedLog.filter((m: string) => /^(Planned|Drift check)/.test(m))).toEqual([]);
    expect(sealedLog.some((m: string) => /failed its checksum/.test(m))).toBe(true);
    expect(changedKeys(before, orgState(h.backtrack.emulator!))).toEqual([]);
    await db.query(`UPDATE snapshot_components SET fingerprint_before = $2 WHERE id = $1`, [
      delta.id,
      delta.fingerprint_before,
    ]);

    const candidates = (await h.api('GET', `/api/jobs/${d2}/rollback`)).body.items;
    expect(candidates.find((c: any) => c.fullName === 'Gamma').available).toBe(true); // a refused rollback releases its components
    expect(candidates.find((c: any) => c.fullName === 'Delta').available).toBe(true);
  });

  it('accepts exactly one of two concurrent rollbacks of overlapping components', async () => {
    const a = h.api('POST', `/api/jobs/${d2}/rollback`, {
      body: {
        components: [
          { type: 'ApexClass', fullName: 'Gamma' },
          { type: 'ApexClass', fullName: 'Delta' },
        ],
      },
    });
    const b = h.api('POST', `/api/jobs/${d2}/rollback`, {
      body: { components: [{ type: 'ApexClass', fullName: 'Delta' }] },
    });
    const statuses = (await Promise.all([a, b])).map((r) => r.status).sort();
    expect(statuses).toEqual([202, 409]);
    const winner = (await Promise.all([a, b])).find((r) => r.status === 202)!;
    expect((await waitForJob(h, winner.body.id)).status).toBe('Completed');
  });

  it('refuses a component that is not a candidate with 400 naming it', async () => {
    const { status, body } = await h.api('POST', `/api/jobs/${d2}/rollback`, {
      body: {
        components: [
          { type: 'ApexClass', fullName: 'Same1' },
          { type: 'ApexClass', fullName: 'Nope' },
        ],
      },
    });
    expect(status).toBe(400);
    expect(body.message).toMatch(/ApexClass:Same1, ApexClass:Nope/);
  });

  it('refuses to roll back a deploy that is not Completed with 409 and the reason', async () => {
    const start = await h.api('POST', `/api/branches/${branchId}/deployments`, { body: { orgId } });
    const early = await h.api('POST', `/api/jobs/${start.body.id}/rollback`, { body: { all: true } });
    expect(early.status).toBe(409);
    expect(early.body.message).toMatch(/Only a Completed deploy can be rolled back: it is (Queued|In Progress)/);
    await waitForJob(h, start.body.id);

    const broken = await zipFolder(new URL('../../../test/fixtures/sample-project', import.meta.url).pathname, {
      [`${SRC}/classes/Broken.cls`]: 'public class Broken {\n',
      [`${SRC}/classes/Broken.cls-meta.xml`]: META,
    });
    const other = (await h.api('POST', '/api/branches', { body: { name: 'broken' } })).body.id;
    await h.api('POST', `/api/branches/${other}/revisions`, { body: broken });
    const failed = await waitForJob(
      h,
      (await h.api('POST', `/api/branches/${other}/deployments`, { body: { orgId } })).body.id,
    );
    expect(failed.status).toBe('Exception');
    const refused = await h.api('POST', `/api/jobs/${failed.id}/rollback`, { body: { all: true } });
    expect(refused.status).toBe(409);
    expect(refused.body.message).toMatch(/ended in Exception and Salesforce applied none of it/);
  });

  it('rolls back what a partly successful deploy (rollbackOnError off) did change', async () => {
    const emulator = h.backtrack.emulator!;
    const partialBranch = (await h.api('POST', '/api/branches', { body: { name: 'partial' } })).body.id;
    const files = {
      'sfdx-project.json': '{"packageDirectories":[{"path":"force-app","default":true}]}',
      [`${SRC}/classes/PartialGood.cls`]: cls('PartialGood', 'v1'),
      [`${SRC}/classes/PartialGood.cls-meta.xml`]: META,
      [`${SRC}/classes/PartialBad.cls`]: 'public class PartialBad {\n',
      [`${SRC}/classes/PartialBad.cls-meta.xml`]: META,
    };
    await h.api('POST', `/api/branches/${partialBranch}/revisions`, { body: await zipOf(files) });
    const before = orgState(emulator);
    const start = await h.api('POST', `/api/branches/${partialBranch}/deployments`, {
      body: { orgId, rollbackOnError: false },
    });
    const job = await waitForJob(h, start.body.id);
    expect(job.status).toBe('Exception');
    expect(job.error).toMatch(/partly succeeded/);
    expect(changedKeys(before, orgState(emulator))).toEqual(['ApexClass:PartialGood']);
    const view = (await h.api('GET', `/api/jobs/${job.id}/rollback`)).body;
    expect(view.rollbackable).toBe(true);
    expect(view.items.map((i: any) => `${i.fullName}:${i.rollbackAction}`)).toEqual(['PartialGood:delete']);
    const rolledBack = await rollback(job.id, { all: true });
    expect(rolledBack.status).toBe('Completed');
    expect(changedKeys(before, orgState(emulator))).toEqual([]);
  });

  it('needs the rollback permission for the org environment', async () => {
    const deployer = (await h.api('POST', '/api/tokens', { body: { name: 'deployer', permissions: ['deploy'] } })).body
      .token;
    const noRollback = await h.api('POST', `/api/jobs/${d2}/rollback`, { token: deployer, body: { all: true } });
    expect(noRollback.status).toBe(403);
    expect(noRollback.body.message).toMatch(/lacks the "rollback" permission/);
    const prodOnly = (
      await h.api('POST', '/api/tokens', {
        body: { name: 'prod', permissions: ['deploy', 'rollback'], environments: ['production'] },
      })
    ).body.token;
    const elsewhere = await h.api('POST', `/api/jobs/${d2}/rollback`, { token: prodOnly, body: { all: true } });
    expect(elsewhere.status).toBe(403);
    expect(elsewhere.body.message).toMatch(/not for the "sandbox" environment/);
  });

  it('rolls back the latest Completed deploy of a branch to an org for a pipeline', async () => {
    const entries = await readZip(await d1Zip());
    entries.set(`${SRC}/classes/Alpha.cls`, Buffer.from(cls('Alpha', 'v2')));
    expect(
      (
        await h.api('POST', `/api/branches/${branchId}/revisions`, {
          body: await writeZip([...entries].map(([path, content]) => ({ path, content }))),
        })
      ).status,
    ).toBe(201);
    const before = orgState(h.backtrack.emulator!);
    const latest = await deploy();
    expect(changedKeys(before, orgState(h.backtrack.emulator!))).toEqual(['ApexClass:Alpha']);
    const res = await h.api('POST', `/api/branches/release/rollback`, { body: { orgId: 'Local Sandbox', all: true } });
    expect(res.status).toBe(202);
    expect(res.body.deployJobId).toBe(latest);
    const job = await waitForJob(h, res.body.id);
    expect(job.status).toBe('Completed');
    expect(changedKeys(before, orgState(h.backtrack.emulator!))).toEqual([]);
  });

  it('answers 410 naming the retention period when the snapshot has expired', async () => {
    await h.backtrack.dataSource.query(`UPDATE snapshots SET expires_at = now() - interval '1 day' WHERE job_id = $1`, [
      d2,
    ]);
    const view = await h.api('GET', `/api/jobs/${d2}/rollback`);
    expect(view.body.rollbackable).toBe(false);
    const res = await h.api('POST', `/api/jobs/${d2}/rollback`, { body: { all: true } });
    expect(res.status).toBe(410);
    expect(res.body.message).toMatch(/kept 30 days/);
  });
});

import { describe, it, beforeAll, afterAll, expect } from '@jest/globals';
import { startHarness, waitForJob, type Harness } from '../helpers/backtrack.harness.js';
import { manifestXml, orgFiles, projectZip, seedAccount } from '../helpers/destructive-project.js';
import { changedKeys, orgState } from '../helpers/org-state.js';
import { writeZip } from '../../src/common/zip.js';
import { deployCompleted, demoOrgId, newBranch, upload as uploadRevision } from '../helpers/deploy-flow.js';
import { closeStarted } from '../helpers/lifecycle.js';

const V1 = [
  'ApexClass:Keep',
  'ApexClass:Doomed',
  'LightningComponentBundle:oldCard',
  'CustomField:Account.Tier__c',
  'CustomObject:Inv__c',
];
const DELETED = ['ApexClass:Doomed', 'CustomField:Account.Tier__c', 'LightningComponentBundle:oldCard'];
const key = (c: { type: string; fullName: string }) => `${c.type}:${c.fullName}`;

describe('Deploys that delete, and rollbacks that recreate', () => {
  let h: Harness;
  let orgId: string;
  let branchId: string;

  const upload = (zip: Buffer) => uploadRevision(h, branchId, zip);
  const deploy = (options: Record<string, unknown> = {}) => deployCompleted(h, branchId, orgId, options);
  const jobsCount = async () =>
    (await h.api('GET', `/api/branches/${branchId}/activities?limit=100`)).body.items.length;
  const rows = async (jobId: string) =>
    Object.fromEntries(
      (await h.api('GET', `/api/jobs/${jobId}/components`)).body.items.map((c: any) => [
        key(c),
        `${c.action}/${c.status}`,
      ]),
    );

  beforeAll(async () => {
    h = await startHarness();
    await seedAccount(h.backtrack.emulator!);
    orgId = await demoOrgId(h);
    branchId = await newBranch(h, 'deletes');
  });
  afterAll(() => closeStarted(h));

  it('keeps the delete manifests of a source upload (in manifest/) with the revision', async () => {
    await upload(await projectZip(V1));
    await deploy();
    const revision = await upload(
      await projectZip(['ApexClass:Keep', 'CustomObject:Inv__c'], {
        'manifest/destructiveChangesPost.xml': manifestXml({ ApexClass: ['Doomed'], CustomField: ['Account.Tier__c'] }),
        'manifest/destructiveChangesPre.xml': manifestXml({ LightningComponentBundle: ['oldCard'] }),
      }),
    );
    expect(revision.destructiveChanges.map((d: any) => `${key(d)}/${d.phase}/${d.manifest}`)).toEqual([
      'LightningComponentBundle:oldCard/pre/destructiveChangesPre.xml',
      'ApexClass:Doomed/post/destructiveChangesPost.xml',
      'CustomField:Account.Tier__c/post/destructiveChangesPost.xml',
    ]);
  });

  it('refuses a delete manifest with a wildcard, saying what to change', async () => {
    const res = await h.api('POST', `/api/branches/${branchId}/revisions`, {
      body: await projectZip(['ApexClass:Keep'], {
        'manifest/destructiveChanges.xml': manifestXml({ ApexClass: ['*'] }),
      }),
    });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/cannot use wildcards; name each component/);
  });

  it('a dry run lists what the deploy creates, updates and deletes, and queues nothing', async () => {
    const before = await jobsCount();
    const res = await h.api('POST', `/api/branches/${branchId}/deployments`, { body: { orgId, dryRun: true } });
    expect(res.status).toBe(200);
    expect(res.body.dryRun).toBe(true);
    expect(res.body.update.map(key).sort()).toEqual([
      'ApexClass:Keep',
      'CustomField:Inv__c.A__c',
      'CustomField:Inv__c.B__c',
      'CustomObject:Inv__c',
    ]);
    expect(res.body.create).toEqual([]);
    expect(res.body.delete.map((d: any) => `${key(d)}/${d.phase}/${d.inOrg}`).sort()).toEqual([
      'ApexClass:Doomed/post/true',
      'CustomField:Account.Tier__c/post/true',
      'LightningComponentBundle:oldCard/pre/true',
    ]);
    expect(res.body.id).toBeUndefined();
    expect(await jobsCount()).toBe(before);
  });

  it('deletes an Apex class, a custom field and an LWC bundle, then a rollback recreates them byte for byte', async () => {
    const emulator = h.backtrack.emulator!;
    const beforeFiles = orgFiles(emulator);
    const beforeState = orgState(emulator);
    for (const k of DELETED) expect(beforeFiles.get(k)).toBeDefined();
    const d2 = await deploy();
    const afterDeploy = orgState(emulator);
    for (const k of DELETED) expect(afterDeploy.has(k)).toBe(false);
    const recorded = await rows(d2);
    for (const k of DELETED) expect(recorded[k]).toBe('delete/Succeeded');

    const plan = (await h.api('GET', `/api/jobs/${d2}/rollback`)).body;
    const offers = Object.fromEntries(plan.items.map((i: any) => [key(i), `${i.rollbackAction}/${i.available}`]));
    for (const k of DELETED) expect(offers[k]).toBe('recreate/true');

    const start = await h.api('POST', `/api/jobs/${d2}/rollback`, {
      body: {
        components: DELETED.map((k) => ({ type: k.split(':')[0], fullName: k.slice(k.indexOf(':') + 1) })),
        acceptDataLoss: true,
      },
    });
    expect(start.status).toBe(202);
    const rollback = await waitForJob(h, start.body.id);
    expect(rollback.error ?? null).toBeNull();
    expect(rollback.status).toBe('Completed');
    expect(changedKeys(beforeState, orgState(emulator))).toEqual([]);
    const afterFiles = orgFiles(emulator);
    for (const k of DELETED) expect(afterFiles.get(k)).toEqual(beforeFiles.get(k));
  });

  it('deleteRemoved deletes an object removed from the branch with its fields; recreating the object brings them back', async () => {
    const emulator = h.backtrack.emulator!;
    await upload(await projectZip(V1));
    await deploy();
    const beforeState = orgState(emulator);
    const beforeFiles = orgFiles(emulator);
    expect(beforeFiles.get('CustomField:Inv__c.B__c')).toBeDefined();
    await upload(
      await projectZip([
        'ApexClass:Keep',
        'ApexClass:Doomed',
        'LightningComponentBundle:oldCard',
        'CustomField:Account.Tier__c',
      ]),
    );

    const dry = await h.api('POST', `/api/branches/${branchId}/deployments`, {
      body: { orgId, dryRun: true, deleteRemoved: true },
    });
    expect(dry.status).toBe(200);
    expect(dry.body.delete.map((d: any) => `${key(d)}/${d.source}`)).toEqual(['CustomObject:Inv__c/deleteRemoved']);

    const d = await deploy({ deleteRemoved: true });
    const recorded = await rows(d);
    expect([
      recorded['CustomObject:Inv__c'],
      recorded['CustomField:Inv__c.A__c'],
      recorded['CustomField:Inv__c.B__c'],
    ]).toEqual(['delete/Succeeded', 'delete/Succeeded', 'delete/Succeeded']);
    expect(orgState(emulator).has('CustomObject:Inv__c')).toBe(false);

    // picking the object alone brings its fields back with it
    const res = await h.api('POST', `/api/jobs/${d}/rollback`, {
      body: { components: [{ type: 'CustomObject', fullName: 'Inv__c' }], acceptDataLoss: true },
    });
    expect(res.status).toBe(202);
    const rollback = await waitForJob(h, res.body.id);
    expect(rollback.error ?? null).toBeNull();
    expect(await rows(rollback.id)).toEqual({
      'CustomObject:Inv__c': 'recreate/Succeeded',
      'CustomField:Inv__c.A__c': 'recreate/Succeeded',
      'CustomField:Inv__c.B__c': 'recreate/Succeeded',
    });
    expect(changedKeys(beforeState, orgState(emulator))).toEqual([]);
    const afterFiles = orgFiles(emulator);
    for (const k of ['CustomObject:Inv__c', 'CustomField:Inv__c.A__c', 'CustomField:Inv__c.B__c'])
      expect(afterFiles.get(k)).toEqual(beforeFiles.get(k));
  });

  it('a metadata package holding only package.xml and destructiveChanges.xml deploys a deletion alone', async () => {
    const zip = await writeZip([
      { path: 'package.xml', content: Buffer.from(manifestXml({})) },
      { path: 'destructiveChanges.xml', content: Buffer.from(manifestXml({ ApexClass: ['Keep'] })) },
    ]);
    const revision = await upload(zip);
    expect(revision.componentCount).toBe(0);
    expect(revision.destructiveChanges).toEqual([
      { type: 'ApexClass', fullName: 'Keep', phase: 'pre', manifest: 'destructiveChanges.xml' },
    ]);
    expect(orgState(h.backtrack.emulator!).has('ApexClass:Keep')).toBe(true);
    const d = await deploy();
    expect(await rows(d)).toEqual({ 'ApexClass:Keep': 'delete/Succeeded' });
    expect(orgState(h.backtrack.emulator!).has('ApexClass:Keep')).toBe(false);
  });

  it('refuses deleteRemoved together with picked components', async () => {
    const res = await h.api('POST', `/api/branches/${branchId}/deployments`, {
      body: { orgId, deleteRemoved: true, components: [{ type: 'ApexClass', fullName: 'Keep' }] },
    });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/deleteRemoved/);
  });
});

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { craftZip } from '../fixtures/craft-zip.js';
import { startHarness, waitForJob, type Harness } from '../helpers/backtrack.harness.js';
import { sampleFile, SAMPLE_PROJECT, zipFolder } from '../helpers/project-zip.js';

const SRC = 'force-app/main/default';
const OLD_SERVICE = 'public with sharing class InvoiceService {\n    // version 1, before the deploy\n}\n';
const OLD_OBJECT = `<?xml version="1.0" encoding="UTF-8"?>
<CustomObject xmlns="http://soap.sforce.com/2006/04/metadata">
    <fields>
        <fullName>Amount__c</fullName>
        <label>Old Amount</label>
        <precision>16</precision>
        <required>false</required>
        <scale>2</scale>
        <type>Currency</type>
    </fields>
    <label>Invoice</label>
    <pluralLabel>Invoices</pluralLabel>
    <sharingModel>ReadWrite</sharingModel>
</CustomObject>
`;

describe('branches and Deploy jobs with a backup snapshot', () => {
  let h: Harness;
  let orgId: string;
  let branchId: string;

  const orgContents = () => h.backtrack.emulator!.admin.listComponents(h.backtrack.emulator!.defaultOrg.id).map((c) => ({ type: c.type, fullName: c.fullName, files: c.files.map((f) => f.sha256) }));

  before(async () => {
    h = await startHarness();
    const emulator = h.backtrack.emulator!;
    await emulator.admin.seed(emulator.defaultOrg.id, {
      components: [
        { files: { 'classes/InvoiceService.cls': OLD_SERVICE, 'classes/InvoiceService.cls-meta.xml': sampleFile(`${SRC}/classes/InvoiceService.cls-meta.xml`) } },
        { files: { 'objects/Invoice__c.object': OLD_OBJECT } },
        {
          files: {
            'staticresources/invoiceConfig.resource': sampleFile(`${SRC}/staticresources/invoiceConfig.json`),
            'staticresources/invoiceConfig.resource-meta.xml': sampleFile(`${SRC}/staticresources/invoiceConfig.resource-meta.xml`),
          },
        },
      ],
    });
    orgId = (await h.api('GET', '/api/orgs')).body.items.find((o: any) => o.name === 'Local Sandbox').id;
    branchId = (await h.api('POST', '/api/branches', { body: { name: 'main' } })).body.id;
  });
  after(async () => h?.close());

  it('uploads a source-format project and lists every component, fields as children', async () => {
    const upload = await h.api('POST', `/api/branches/${branchId}/revisions`, { body: await zipFolder(SAMPLE_PROJECT) });
    assert.equal(upload.status, 201, JSON.stringify(upload.body));
    assert.equal(upload.body.number, 1);
    const { body } = await h.api('GET', `/api/branches/${branchId}/components`);
    const names = body.items.map((c: any) => `${c.type}:${c.fullName}`);
    for (const expected of [
      'ApexClass:InvoiceService', 'ApexClass:InvoiceServiceTest', 'CustomObject:Invoice__c', 'CustomField:Invoice__c.Amount__c',
      'CustomField:Invoice__c.Status__c', 'ValidationRule:Invoice__c.Amount_Must_Be_Positive', 'ListView:Invoice__c.All',
      'LightningComponentBundle:invoiceList', 'StaticResource:invoiceConfig', 'Layout:Invoice__c-Invoice Layout', 'Profile:Admin',
    ]) assert.ok(names.includes(expected), `lists ${expected}: ${names.join(', ')}`);
    const amount = body.items.find((c: any) => c.fullName === 'Invoice__c.Amount__c');
    assert.deepEqual(amount.parent, { type: 'CustomObject', fullName: 'Invoice__c' });
    assert.equal(amount.files[0].path, `${SRC}/objects/Invoice__c/fields/Amount__c.field-meta.xml`);
  });

  it('answers the same upload again with the existing revision', async () => {
    const again = await h.api('POST', `/api/branches/${branchId}/revisions`, { body: await zipFolder(SAMPLE_PROJECT) });
    assert.equal(again.status, 200);
    assert.equal(again.body.unchanged, true);
    assert.equal(again.body.number, 1);
  });

  let deployId: string;
  it('deploys with a backup: Queued → In Progress → Completed, and says created / updated / unchanged truthfully', async () => {
    const start = await h.api('POST', `/api/branches/${branchId}/deployments`, { body: { orgId }, headers: { 'idempotency-key': 'deploy-1' } });
    assert.equal(start.status, 202, JSON.stringify(start.body));
    assert.equal(start.body.status, 'Queued');
    assert.equal(start.body.kind, 'Deploy');
    assert.equal(start.headers.get('location'), `/api/jobs/${start.body.id}`);
    deployId = start.body.id;

    const seen = new Set<string>();
    const deadline = Date.now() + 30_000;
    let job: any;
    do {
      job = (await h.api('GET', `/api/jobs/${deployId}`)).body;
      seen.add(job.status);
      await new Promise((r) => setTimeout(r, 20));
    } while (!['Completed', 'Exception'].includes(job.status) && Date.now() < deadline);
    assert.equal(job.status, 'Completed', job.error);
    assert.ok(seen.has('In Progress'), `went through In Progress: ${[...seen].join(' → ')}`);
    assert.equal(job.revision, 1);
    assert.equal(job.progress.componentsDone, job.progress.componentsTotal);

    const rows = (await h.api('GET', `/api/jobs/${deployId}/components`)).body.items;
    const action = (name: string) => rows.find((r: any) => r.fullName === name)?.action;
    assert.equal(action('InvoiceService'), 'update');
    assert.equal(action('InvoiceServiceTest'), 'create');
    assert.equal(action('Invoice__c.Amount__c'), 'update');
    assert.equal(action('Invoice__c.Status__c'), 'create');
    assert.equal(action('invoiceConfig'), 'unchanged');
    assert.ok(rows.every((r: any) => r.status === 'Succeeded'));
    assert.equal(job.counts.unchanged >= 1 && job.counts.created >= 2 && job.counts.updated >= 2, true, JSON.stringify(job.counts));
  });

  it('returns the first job for a repeated Idempotency-Key', async () => {
    const again = await h.api('POST', `/api/branches/${branchId}/deployments`, { body: { orgId }, headers: { 'idempotency-key': 'deploy-1' } });
    assert.equal(again.status, 202);
    assert.equal(again.body.id, deployId);
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
  });

  it('keeps the byte-exact earlier files of updated components and "did not exist" for created ones', async () => {
    const snapshot = (await h.api('GET', `/api/jobs/${deployId}/snapshot`)).body;
    assert.equal(snapshot.status, 'complete');
    assert.equal(snapshot.intact, true);
    const item = (name: string) => snapshot.items.find((i: any) => i.fullName === name);
    assert.equal(item('InvoiceService').existed, true);
    assert.equal(item('InvoiceServiceTest').existed, false);
    assert.equal(item('Invoice__c.Status__c').existed, false);
    assert.equal(item('Invoice__c.Amount__c').existed, true);
    const files = (await h.api('GET', `/api/jobs/${deployId}/snapshot/files?component=ApexClass:InvoiceService`)).body.files;
    const cls = files.find((f: any) => f.path.endsWith('InvoiceService.cls'));
    assert.equal(Buffer.from(cls.base64, 'base64').toString('utf8'), OLD_SERVICE);
    const field = (await h.api('GET', `/api/jobs/${deployId}/snapshot/files?component=CustomField:Invoice__c.Amount__c`)).body.files[0];
    assert.match(Buffer.from(field.base64, 'base64').toString('utf8'), /<label>Old Amount<\/label>/);
  });

  it('gives every component its own log thread, and the whole log in order', async () => {
    const all = (await h.api('GET', `/api/jobs/${deployId}/logs`)).body.items;
    assert.deepEqual(all.map((l: any) => l.seq), all.map((_: unknown, i: number) => i + 1));
    const thread = (await h.api('GET', `/api/jobs/${deployId}/logs?component=ApexClass:InvoiceService`)).body.items.map((l: any) => l.message);
    assert.deepEqual(thread, ['Planned: deploy', 'Backed up: 2 file(s) from the org', 'Deployed: updated']);
    const created = (await h.api('GET', `/api/jobs/${deployId}/logs?component=ApexClass:InvoiceServiceTest`)).body.items.map((l: any) => l.message);
    assert.deepEqual(created, ['Planned: deploy', 'Not present in the org before this deploy', 'Deployed: created']);
  });

  it('streams the log as Server-Sent Events and ends when the job has finished', async () => {
    const res = await fetch(`${h.url}/api/jobs/${deployId}/logs/stream`, { headers: { authorization: 'Bearer bt_test_admin_token_0123456789abcdefghij' } });
    assert.equal(res.headers.get('content-type'), 'text/event-stream');
    const text = await res.text();
    assert.match(text, /event: status\n/);
    assert.match(text, /id: 1\nevent: log\n/);
    assert.match(text, /event: end\ndata: \{"status":"Completed"\}/);
  });

  it('answers a poller with 304 while the job has not changed', async () => {
    const first = await fetch(`${h.url}/api/jobs/${deployId}`, { headers: { authorization: 'Bearer bt_test_admin_token_0123456789abcdefghij' } });
    const etag = first.headers.get('etag')!;
    assert.ok(etag);
    const second = await fetch(`${h.url}/api/jobs/${deployId}`, { headers: { authorization: 'Bearer bt_test_admin_token_0123456789abcdefghij', 'if-none-match': etag } });
    assert.equal(second.status, 304);
  });

  it('ends a deploy with a malformed class in Exception with the problem and line on that class, and leaves the org unchanged', async () => {
    const before = orgContents();
    const broken = 'public class Broken {\n    public void run() {\n        if (true) {\n    }\n}\n';
    const zip = await zipFolder(SAMPLE_PROJECT, {
      [`${SRC}/classes/Broken.cls`]: broken,
      [`${SRC}/classes/Broken.cls-meta.xml`]: sampleFile(`${SRC}/classes/InvoiceService.cls-meta.xml`),
      [`${SRC}/classes/InvoiceService.cls`]: 'public with sharing class InvoiceService {\n    // version 3\n}\n',
    });
    assert.equal((await h.api('POST', `/api/branches/${branchId}/revisions`, { body: zip })).status, 201);
    const start = await h.api('POST', `/api/branches/${branchId}/deployments`, { body: { orgId } });
    const job = await waitForJob(h, start.body.id);
    assert.equal(job.status, 'Exception');
    assert.match(job.error, /ApexClass:Broken/);
    const rows = (await h.api('GET', `/api/jobs/${job.id}/components`)).body.items;
    const bad = rows.find((r: any) => r.fullName === 'Broken');
    assert.equal(bad.status, 'Failed');
    assert.ok(bad.lineNumber > 0, 'has a line number');
    assert.ok(bad.problem);
    assert.equal(rows.find((r: any) => r.fullName === 'InvoiceService').status, 'Skipped');
    const log = (await h.api('GET', `/api/jobs/${job.id}/logs?component=ApexClass:Broken`)).body.items.map((l: any) => l.message);
    assert.match(log.at(-1), /^Failed: .* at line \d+/);
    assert.deepEqual(orgContents(), before);
  });

  it('lists the branch Activities newest first', async () => {
    const { body } = await h.api('GET', `/api/branches/${branchId}/activities`);
    assert.ok(body.items.length >= 2);
    assert.equal(body.items.at(-1).id, deployId);
    const times = body.items.map((j: any) => Date.parse(j.createdAt));
    assert.deepEqual(times, [...times].sort((a, b) => b - a));

    const pages: string[] = [];
    let before: string | null = null;
    do {
      const page: any = (await h.api('GET', `/api/branches/${branchId}/activities?limit=1${before ? `&before=${encodeURIComponent(before)}` : ''}`)).body;
      pages.push(...page.items.map((j: any) => j.id));
      before = page.nextBefore;
    } while (before && pages.length <= body.items.length);
    assert.deepEqual(pages, body.items.map((j: any) => j.id), 'paging one at a time with nextBefore visits every job once, in order');
  });

  it('refuses a deploy naming a component the revision does not have, by name', async () => {
    const { status, body } = await h.api('POST', `/api/branches/${branchId}/deployments`, { body: { orgId, components: [{ type: 'ApexClass', fullName: 'Nope' }] } });
    assert.equal(status, 400);
    assert.match(body.message, /ApexClass:Nope/);
  });

  describe('hostile uploads are refused and store nothing', () => {
    let hostileBranch: string;
    const counts = async () => {
      const rows: { revisions: string; blobs: string }[] = await h.backtrack.dataSource.query(
        `SELECT (SELECT count(*) FROM revisions) AS revisions, (SELECT count(*) FROM blobs) AS blobs`,
      );
      return rows[0];
    };
    before(async () => {
      hostileBranch = (await h.api('POST', '/api/branches', { body: { name: 'hostile' } })).body.id;
    });
    const refuse = async (zip: Buffer, status: number, message: RegExp) => {
      const beforeCounts = await counts();
      const res = await h.api('POST', `/api/branches/${hostileBranch}/revisions`, { body: zip });
      assert.equal(res.status, status, JSON.stringify(res.body));
      assert.match(res.body.message, message);
      assert.deepEqual(await counts(), beforeCounts);
    };
    const project = { name: 'sfdx-project.json', data: Buffer.from('{"packageDirectories":[{"path":"force-app","default":true}]}') };

    it('not a zip → 400', () => refuse(Buffer.from('this is not a zip file at all'), 400, /zip/i));
    it('an entry with .. → 400 naming it', () => refuse(craftZip([project, { name: '../evil.cls', data: Buffer.from('x') }]), 400, /\.\.\/evil\.cls/));
    it('an absolute path → 400 naming it', () => refuse(craftZip([project, { name: '/etc/passwd', data: Buffer.from('x') }]), 400, /\/etc\/passwd/));
    it('a symbolic link → 400 naming it', () => refuse(craftZip([project, { name: 'force-app/link', data: Buffer.from('/etc/passwd'), mode: 0o120777 }]), 400, /force-app\/link/));
    it('a zip bomb → 413', () => refuse(craftZip([project, { name: 'force-app/main/default/classes/Bomb.cls', data: Buffer.alloc(30 * 1024 * 1024, 0x61) }]), 413, /./));
    it('files no metadata type claims → 400 listing them', async () => {
      const zip = await zipFolder(SAMPLE_PROJECT, { [`${SRC}/classes/notes.txt`]: 'hello', [`${SRC}/weird/thing.xyz`]: 'x' });
      await refuse(zip, 400, /notes\.txt.*thing\.xyz|thing\.xyz.*notes\.txt/);
    });
  });
});

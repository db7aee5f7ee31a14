import { describe, it, beforeAll, afterAll, expect } from '@jest/globals';
import { craftZip } from '../fixtures/craft-zip.js';
import { startHarness, waitForJob, type Harness } from '../helpers/backtrack.harness.js';
import { sampleFile, SAMPLE_PROJECT, zipFolder } from '../helpers/project-zip.js';
import { closeStarted } from '../helpers/lifecycle.js';

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

  const orgContents = () =>
    h.backtrack
      .emulator!.admin.listComponents(h.backtrack.emulator!.defaultOrg.id)
      .map((c) => ({ type: c.type, fullName: c.fullName, files: c.files.map((f) => f.sha256) }));

  beforeAll(async () => {
    h = await startHarness();
    const emulator = h.backtrack.emulator!;
    await emulator.admin.seed(emulator.defaultOrg.id, {
      components: [
        {
          files: {
            'classes/InvoiceService.cls': OLD_SERVICE,
            'classes/InvoiceService.cls-meta.xml': sampleFile(`${SRC}/classes/InvoiceService.cls-meta.xml`),
          },
        },
        { files: { 'objects/Invoice__c.object': OLD_OBJECT } },
        {
          files: {
            'staticresources/invoiceConfig.resource': sampleFile(`${SRC}/staticresources/invoiceConfig.json`),
            'staticresources/invoiceConfig.resource-meta.xml': sampleFile(
              `${SRC}/staticresources/invoiceConfig.resource-meta.xml`,
            ),
          },
        },
      ],
    });
    orgId = (await h.api('GET', '/api/orgs')).body.items.find((o: any) => o.name === 'Local Sandbox').id;
    branchId = (await h.api('POST', '/api/branches', { body: { name: 'main' } })).body.id;
  });
  afterAll(() => closeStarted(h));

  it('uploads a source-format project and lists every component, fields as children', async () => {
    const upload = await h.api('POST', `/api/branches/${branchId}/revisions`, {
      body: await zipFolder(SAMPLE_PROJECT),
    });
    expect(upload.status).toBe(201);
    expect(upload.body.number).toBe(1);
    const { body } = await h.api('GET', `/api/branches/${branchId}/components`);
    const names = body.items.map((c: any) => `${c.type}:${c.fullName}`);
    for (const expected of [
      'ApexClass:InvoiceService',
      'ApexClass:InvoiceServiceTest',
      'CustomObject:Invoice__c',
      'CustomField:Invoice__c.Amount__c',
      'CustomField:Invoice__c.Status__c',
      'ValidationRule:Invoice__c.Amount_Must_Be_Positive',
      'ListView:Invoice__c.All',
      'LightningComponentBundle:invoiceList',
      'StaticResource:invoiceConfig',
      'Layout:Invoice__c-Invoice Layout',
      'Profile:Admin',
    ])
      expect(names).toContain(expected);
    const amount = body.items.find((c: any) => c.fullName === 'Invoice__c.Amount__c');
    expect(amount.parent).toEqual({ type: 'CustomObject', fullName: 'Invoice__c' });
    expect(amount.files[0].path).toBe(`${SRC}/objects/Invoice__c/fields/Amount__c.field-meta.xml`);
  });

  it('answers the same upload again with the existing revision', async () => {
    const again = await h.api('POST', `/api/branches/${branchId}/revisions`, { body: await zipFolder(SAMPLE_PROJECT) });
    expect(again.status).toBe(200);
    expect(again.body.unchanged).toBe(true);
    expect(again.body.number).toBe(1);
  });

  let deployId: string;
  it('deploys with a backup: Queued → In Progress → Completed, and says created / updated / unchanged truthfully', async () => {
    // the org answers each deploy status check after 1.5 s: the components can be seen Pending while it works
    h.backtrack.emulator!.admin.addLatency({ operation: 'checkDeployStatus', ms: 1_500 });
    const start = await h.api('POST', `/api/branches/${branchId}/deployments`, {
      body: { orgId },
      headers: { 'idempotency-key': 'deploy-1' },
    });
    expect(start.status).toBe(202);
    expect(start.body.status).toBe('Queued');
    expect(start.body.kind).toBe('Deploy');
    expect(start.headers.get('location')).toBe(`/api/jobs/${start.body.id}`);
    deployId = start.body.id;

    const seen = new Set<string>();
    let pending: any[] = [];
    const deadline = Date.now() + 30_000;
    let job: any;
    do {
      job = (await h.api('GET', `/api/jobs/${deployId}`)).body;
      seen.add(job.status);
      const listed = (await h.api('GET', `/api/jobs/${deployId}/components`)).body.items;
      if (job.status === 'In Progress' && listed.length && listed.every((r: any) => r.status === 'Pending')) {
        pending = listed;
      }
      await new Promise((r) => setTimeout(r, 20));
    } while (!['Completed', 'Exception'].includes(job.status) && Date.now() < deadline);
    h.backtrack.emulator!.admin.clearFaults();
    expect(job.status).toBe('Completed');
    // while Salesforce deployed, every component was Pending with the action the backup planned
    const planned = (name: string) => pending.find((r: any) => r.fullName === name)?.action;
    expect(planned('InvoiceService')).toBe('update');
    expect(planned('InvoiceServiceTest')).toBe('create');
    expect(planned('Invoice__c.Status__c')).toBe('create');
    expect(seen.has('In Progress')).toBeTruthy();
    expect(job.revision).toBe(1);
    expect(job.progress.componentsDone).toBe(job.progress.componentsTotal);

    const rows = (await h.api('GET', `/api/jobs/${deployId}/components`)).body.items;
    const action = (name: string) => rows.find((r: any) => r.fullName === name)?.action;
    expect(action('InvoiceService')).toBe('update');
    expect(action('InvoiceServiceTest')).toBe('create');
    expect(action('Invoice__c.Amount__c')).toBe('update');
    expect(action('Invoice__c.Status__c')).toBe('create');
    expect(action('invoiceConfig')).toBe('unchanged');
    expect(rows.every((r: any) => r.status === 'Succeeded')).toBeTruthy();
    expect(job.counts.unchanged >= 1 && job.counts.created >= 2 && job.counts.updated >= 2).toBe(true);
  });

  it('a validation (check only) has no backup to plan from: no Pending rows while Salesforce works, rows once it answers', async () => {
    h.backtrack.emulator!.admin.addLatency({ operation: 'checkDeployStatus', ms: 1_500 });
    const start = await h.api('POST', `/api/branches/${branchId}/deployments`, { body: { orgId, checkOnly: true } });
    expect(start.status).toBe(202);
    let pendingSeen = 0;
    let job: any;
    for (const deadline = Date.now() + 30_000; Date.now() < deadline;) {
      job = (await h.api('GET', `/api/jobs/${start.body.id}`)).body;
      if (['Completed', 'Exception'].includes(job.status)) break;
      const listed: { status: string }[] = (await h.api('GET', `/api/jobs/${start.body.id}/components`)).body.items;
      pendingSeen += listed.filter((r) => r.status === 'Pending').length;
      await new Promise((r) => setTimeout(r, 20));
    }
    h.backtrack.emulator!.admin.clearFaults();
    expect(job.status).toBe('Completed');
    expect(pendingSeen).toBe(0);
    const rows = (await h.api('GET', `/api/jobs/${start.body.id}/components`)).body.items;
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r: any) => r.status === 'Succeeded')).toBe(true);
  });

  it('returns the first job for a repeated Idempotency-Key', async () => {
    const again = await h.api('POST', `/api/branches/${branchId}/deployments`, {
      body: { orgId },
      headers: { 'idempotency-key': 'deploy-1' },
    });
    expect(again.status).toBe(202);
    expect(again.body.id).toBe(deployId);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
  });

  it('keeps the byte-exact earlier files of updated components and "did not exist" for created ones', async () => {
    const snapshot = (await h.api('GET', `/api/jobs/${deployId}/snapshot`)).body;
    expect(snapshot.status).toBe('complete');
    expect(snapshot.intact).toBe(true);
    const item = (name: string) => snapshot.items.find((i: any) => i.fullName === name);
    expect(item('InvoiceService').existed).toBe(true);
    expect(item('InvoiceServiceTest').existed).toBe(false);
    expect(item('Invoice__c.Status__c').existed).toBe(false);
    expect(item('Invoice__c.Amount__c').existed).toBe(true);
    const files = (await h.api('GET', `/api/jobs/${deployId}/snapshot/files?component=ApexClass:InvoiceService`)).body
      .files;
    const cls = files.find((f: any) => f.path.endsWith('InvoiceService.cls'));
    expect(Buffer.from(cls.base64, 'base64').toString('utf8')).toBe(OLD_SERVICE);
    const field = (
      await h.api('GET', `/api/jobs/${deployId}/snapshot/files?component=CustomField:Invoice__c.Amount__c`)
    ).body.files[0];
    expect(Buffer.from(field.base64, 'base64').toString('utf8')).toMatch(/<label>Old Amount<\/label>/);
  });

  it('gives every component its own log thread, and the whole log in order', async () => {
    const all = (await h.api('GET', `/api/jobs/${deployId}/logs`)).body.items;
    expect(all.map((l: any) => l.seq)).toEqual(all.map((_: unknown, i: number) => i + 1));
    const thread = (await h.api('GET', `/api/jobs/${deployId}/logs?component=ApexClass:InvoiceService`)).body.items.map(
      (l: any) => l.message,
    );
    expect(thread).toEqual(['Planned: deploy', 'Backed up: 2 file(s) from the org', 'Deployed: updated']);
    const created = (
      await h.api('GET', `/api/jobs/${deployId}/logs?component=ApexClass:InvoiceServiceTest`)
    ).body.items.map((l: any) => l.message);
    expect(created).toEqual(['Planned: deploy', 'Not present in the org before this deploy', 'Deployed: created']);
  });

  it('streams the log as Server-Sent Events and ends when the job has finished', async () => {
    const res = await h.api('GET', `/api/jobs/${deployId}/logs/stream`);
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const text = res.body as string;
    expect(text).toMatch(/event: status\n/);
    expect(text).toMatch(/id: 1\nevent: log\n/);
    expect(text).toMatch(/event: end\ndata: \{"status":"Completed"\}/);
  });

  it('answers a poller with 304 while the job has not changed', async () => {
    const first = await h.api('GET', `/api/jobs/${deployId}`);
    const etag = first.headers.get('etag')!;
    expect(etag).toBeTruthy();
    const second = await h.api('GET', `/api/jobs/${deployId}`, { headers: { 'if-none-match': etag } });
    expect(second.status).toBe(304);
  });

  it('ends a deploy with a malformed class in Exception with the problem and line on that class, and leaves the org unchanged', async () => {
    const before = orgContents();
    const broken = 'public class Broken {\n    public void run() {\n        if (true) {\n    }\n}\n';
    const zip = await zipFolder(SAMPLE_PROJECT, {
      [`${SRC}/classes/Broken.cls`]: broken,
      [`${SRC}/classes/Broken.cls-meta.xml`]: sampleFile(`${SRC}/classes/InvoiceService.cls-meta.xml`),
      [`${SRC}/classes/InvoiceService.cls`]: 'public with sharing class InvoiceService {\n    // version 3\n}\n',
    });
    expect((await h.api('POST', `/api/branches/${branchId}/revisions`, { body: zip })).status).toBe(201);
    const start = await h.api('POST', `/api/branches/${branchId}/deployments`, { body: { orgId } });
    const job = await waitForJob(h, start.body.id);
    expect(job.status).toBe('Exception');
    expect(job.error).toMatch(/ApexClass:Broken/);
    const rows = (await h.api('GET', `/api/jobs/${job.id}/components`)).body.items;
    const bad = rows.find((r: any) => r.fullName === 'Broken');
    expect(bad.status).toBe('Failed');
    expect(bad.lineNumber > 0).toBeTruthy(); // has a line number
    expect(bad.problem).toBeTruthy();
    expect(rows.find((r: any) => r.fullName === 'InvoiceService').status).toBe('Skipped');
    const log = (await h.api('GET', `/api/jobs/${job.id}/logs?component=ApexClass:Broken`)).body.items.map(
      (l: any) => l.message,
    );
    expect(log.at(-1)).toMatch(/^Failed: .* at line \d+/);
    expect(orgContents()).toEqual(before);
  });

  it('lists the branch Activities newest first', async () => {
    const { body } = await h.api('GET', `/api/branches/${branchId}/activities`);
    expect(body.items.length >= 2).toBeTruthy();
    expect(body.items.at(-1).id).toBe(deployId);
    const times = body.items.map((j: any) => Date.parse(j.createdAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));

    const pages: string[] = [];
    let before: string | null = null;
    do {
      const page: any = (
        await h.api(
          'GET',
          `/api/branches/${branchId}/activities?limit=1${before ? `&before=${encodeURIComponent(before)}` : ''}`,
        )
      ).body;
      pages.push(...page.items.map((j: any) => j.id));
      before = page.nextBefore;
    } while (before && pages.length <= body.items.length);
    expect(pages).toEqual(body.items.map((j: any) => j.id)); // paging one at a time with nextBefore visits every job once, in order
  });

  it('refuses a deploy naming a component the revision does not have, by name', async () => {
    const { status, body } = await h.api('POST', `/api/branches/${branchId}/deployments`, {
      body: { orgId, components: [{ type: 'ApexClass', fullName: 'Nope' }] },
    });
    expect(status).toBe(400);
    expect(body.message).toMatch(/ApexClass:Nope/);
  });

  describe('hostile uploads are refused and store nothing', () => {
    let hostileBranch: string;
    const counts = async () => {
      const rows: { revisions: string; blobs: string }[] = await h.backtrack.dataSource.query(
        `SELECT (SELECT count(*) FROM revisions) AS revisions, (SELECT count(*) FROM blobs) AS blobs`,
      );
      return rows[0];
    };
    beforeAll(async () => {
      hostileBranch = (await h.api('POST', '/api/branches', { body: { name: 'hostile' } })).body.id;
    });
    const refuse = async (zip: Buffer, status: number, message: RegExp) => {
      const beforeCounts = await counts();
      const res = await h.api('POST', `/api/branches/${hostileBranch}/revisions`, { body: zip });
      expect(res.status).toBe(status);
      expect(res.body.message).toMatch(message);
      expect(await counts()).toEqual(beforeCounts);
    };
    const project = {
      name: 'sfdx-project.json',
      data: Buffer.from('{"packageDirectories":[{"path":"force-app","default":true}]}'),
    };

    it('not a zip → 400', () => refuse(Buffer.from('this is not a zip file at all'), 400, /zip/i));
    it('an entry with .. → 400 naming it', () =>
      refuse(craftZip([project, { name: '../evil.cls', data: Buffer.from('x') }]), 400, /\.\.\/evil\.cls/));
    it('an absolute path → 400 naming it', () =>
      refuse(craftZip([project, { name: '/etc/passwd', data: Buffer.from('x') }]), 400, /\/etc\/passwd/));
    it('a symbolic link → 400 naming it', () =>
      refuse(
        craftZip([project, { name: 'force-app/link', data: Buffer.from('/etc/passwd'), mode: 0o120777 }]),
        400,
        /force-app\/link/,
      ));
    it('a zip bomb → 413', () =>
      refuse(
        craftZip([
          project,
          { name: 'force-app/main/default/classes/Bomb.cls', data: Buffer.alloc(30 * 1024 * 1024, 0x61) },
        ]),
        413,
        /./,
      ));
    it('files no metadata type claims → 400 listing them', async () => {
      const zip = await zipFolder(SAMPLE_PROJECT, {
        [`${SRC}/classes/notes.txt`]: 'hello',
        [`${SRC}/weird/thing.xyz`]: 'x',
      });
      await refuse(zip, 400, /notes\.txt.*thing\.xyz|thing\.xyz.*notes\.txt/);
    });
  });
});

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startEmulator, type EmulatorHandle } from '../../src/emulator/emulator.server.js';
import { apexClass, classMeta, connect, deployAndWait, packageXml, retrieveAndWait, starterFiles } from './emulator.helper.js';
import { makeZip } from './zip.helper.js';

const b64 = (text: string) => Buffer.from(text).toString('base64');

describe('admin HTTP API', () => {
  let emulator: EmulatorHandle;
  const call = (method: string, route: string, body?: unknown, headers: Record<string, string> = {}) =>
    fetch(`${emulator.url}/__admin${route}`, {
      method,
      headers: { 'x-emulator-admin': emulator.adminKey, ...(body === undefined || Buffer.isBuffer(body) ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : Buffer.isBuffer(body) ? body : JSON.stringify(body),
    });

  before(async () => {
    emulator = await startEmulator({ port: 0, latencyMs: 0 });
  });
  after(() => emulator.close());

  it('refuses requests without the admin key', async () => {
    const response = await fetch(`${emulator.url}/__admin/orgs`);
    assert.equal(response.status, 401);
  });

  it('creates an org whose credentials work with jsforce', async () => {
    const response = await call('POST', '/orgs', { username: 'qa@backtrack.local' });
    assert.equal(response.status, 201);
    const org = (await response.json()) as { id: string; username: string; accessToken: string; instanceUrl: string };
    assert.equal(org.username, 'qa@backtrack.local');
    assert.deepEqual(await connect(org.instanceUrl, org.accessToken).metadata.list([{ type: 'ApexClass' }]), []);
    const listed = (await (await call('GET', '/orgs')).json()) as { id: string }[];
    assert.ok(listed.some((o) => o.id === org.id));
  });

  it('seeds components from JSON, lists them with hashes and reads one back', async () => {
    const org = emulator.admin.createOrg();
    const seeded = await call('PUT', `/orgs/${org.id}/components`, {
      components: [{ type: 'ApexClass', fullName: 'Seeded', files: { 'classes/Seeded.cls': b64(apexClass('Seeded')), 'classes/Seeded.cls-meta.xml': b64(classMeta) }, encoding: 'base64' }],
    });
    assert.equal(seeded.status, 200);
    const listed = (await (await call('GET', `/orgs/${org.id}/components`)).json()) as { type: string; fullName: string; files: { path: string; sha256: string }[] }[];
    assert.deepEqual(listed.map((c) => [c.type, c.fullName, c.files.length]), [['ApexClass', 'Seeded', 2]]);
    assert.match(listed[0]?.files[0]?.sha256 ?? '', /^[0-9a-f]{64}$/);
    const one = (await (await call('GET', `/orgs/${org.id}/components/ApexClass/Seeded`)).json()) as { files: Record<string, string> };
    assert.equal(Buffer.from(one.files['classes/Seeded.cls'] ?? '', 'base64').toString('utf8'), apexClass('Seeded'));
  });

  it('seeds a metadata zip and decomposes its object into fields', async () => {
    const org = emulator.admin.createOrg();
    const response = await call('PUT', `/orgs/${org.id}/components`, await makeZip(starterFiles()), { 'content-type': 'application/zip' });
    assert.equal(response.status, 200);
    const names = emulator.admin.listComponents(org.id).map((c) => `${c.type}:${c.fullName}`);
    assert.deepEqual(names, ['ApexClass:InvoiceService', 'CustomField:Invoice__c.Amount__c', 'CustomField:Invoice__c.Status__c', 'CustomObject:Invoice__c', 'LightningComponentBundle:invoiceCard']);
  });

  it('reports deploy history, then forgets it and the metadata on reset', async () => {
    const org = emulator.admin.createOrg();
    await deployAndWait(connect(org.instanceUrl, org.accessToken), await makeZip({ 'package.xml': packageXml({ ApexClass: ['A'] }), 'classes/A.cls': apexClass('A'), 'classes/A.cls-meta.xml': classMeta }));
    const history = (await (await call('GET', `/orgs/${org.id}/deploys`)).json()) as { count: number; deploys: { status: string }[] };
    assert.equal(history.count, 1);
    assert.equal(history.deploys[0]?.status, 'Succeeded');
    assert.equal((await call('POST', `/orgs/${org.id}/reset`)).status, 204);
    assert.equal(emulator.admin.deploys(org.id).count, 0);
    assert.deepEqual(emulator.admin.listComponents(org.id), []);
  });

  it('injects a component failure and expires sessions over HTTP', async () => {
    const org = emulator.admin.createOrg();
    assert.equal((await call('POST', '/faults/fail-component', { orgId: org.id, type: 'ApexClass', fullName: 'A', problem: 'boom' })).status, 204);
    const conn = connect(org.instanceUrl, org.accessToken);
    const result = await deployAndWait(conn, await makeZip({ 'package.xml': packageXml({ ApexClass: ['A'] }), 'classes/A.cls': apexClass('A'), 'classes/A.cls-meta.xml': classMeta }));
    assert.equal(result.status, 'Failed');
    const expired = (await (await call('POST', `/orgs/${org.id}/sessions/expire`, {})).json()) as { expired: number };
    assert.equal(expired.expired, 1);
    await assert.rejects(conn.metadata.describe(), (error: Error) => error.name === 'sf:INVALID_SESSION_ID');
  });
});

describe('persistence', () => {
  it('keeps orgs, credentials and metadata across restarts with the same data folder', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'emulator-'));
    try {
      const first = await startEmulator({ port: 0, latencyMs: 0, dataDir });
      const files = starterFiles();
      await deployAndWait(connect(first.url, first.defaultOrg.accessToken), await makeZip(files));
      const { defaultOrg } = first;
      await first.close();

      const second = await startEmulator({ port: 0, latencyMs: 0, dataDir });
      try {
        assert.equal(second.defaultOrg.id, defaultOrg.id);
        assert.equal(second.defaultOrg.password, defaultOrg.password);
        const conn = connect(second.url, defaultOrg.accessToken);
        const { files: retrieved } = await retrieveAndWait(conn, [
          { name: 'ApexClass', members: ['InvoiceService'] },
          { name: 'CustomField', members: ['Invoice__c.Amount__c'] },
        ]);
        assert.deepEqual(retrieved.get('classes/InvoiceService.cls'), Buffer.from(files['classes/InvoiceService.cls'] as string));
        assert.match(retrieved.get('objects/Invoice__c.object')?.toString('utf8') ?? '', /Amount__c/);
      } finally {
        await second.close();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

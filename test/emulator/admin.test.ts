import { describe, it, beforeAll, afterAll, expect } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startEmulator, type EmulatorHandle } from '../../src/emulator/emulator.server.js';
import {
  apexClass,
  classMeta,
  connect,
  deployAndWait,
  packageXml,
  retrieveAndWait,
  starterFiles,
} from './emulator.helper.js';
import { makeZip } from './zip.helper.js';

const b64 = (text: string) => Buffer.from(text).toString('base64');

describe('admin HTTP API', () => {
  let emulator: EmulatorHandle;
  const call = (method: string, route: string, body?: unknown, headers: Record<string, string> = {}) =>
    fetch(`${emulator.url}/__admin${route}`, {
      method,
      headers: {
        'x-emulator-admin': emulator.adminKey,
        ...(body === undefined || Buffer.isBuffer(body) ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : Buffer.isBuffer(body) ? body : JSON.stringify(body),
    });

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, latencyMs: 0 });
  });
  afterAll(() => emulator.close());

  it('refuses requests without the admin key', async () => {
    const response = await fetch(`${emulator.url}/__admin/orgs`);
    expect(response.status).toBe(401);
  });

  it('creates an org whose credentials work with jsforce', async () => {
    const response = await call('POST', '/orgs', { username: 'qa@backtrack.local' });
    expect(response.status).toBe(201);
    const org = (await response.json()) as { id: string; username: string; accessToken: string; instanceUrl: string };
    expect(org.username).toBe('qa@backtrack.local');
    expect(await connect(org.instanceUrl, org.accessToken).metadata.list([{ type: 'ApexClass' }])).toEqual([]);
    const listed = (await (await call('GET', '/orgs')).json()) as { id: string }[];
    expect(listed.some((o) => o.id === org.id)).toBeTruthy();
  });

  it('seeds components from JSON, lists them with hashes and reads one back', async () => {
    const org = emulator.admin.createOrg();
    const seeded = await call('PUT', `/orgs/${org.id}/components`, {
      components: [
        {
          type: 'ApexClass',
          fullName: 'Seeded',
          files: { 'classes/Seeded.cls': b64(apexClass('Seeded')), 'classes/Seeded.cls-meta.xml': b64(classMeta) },
          encoding: 'base64',
        },
      ],
    });
    expect(seeded.status).toBe(200);
    const listed = (await (await call('GET', `/orgs/${org.id}/components`)).json()) as {
      type: string;
      fullName: string;
      files: { path: string; sha256: string }[];
    }[];
    expect(listed.map((c) => [c.type, c.fullName, c.files.length])).toEqual([['ApexClass', 'Seeded', 2]]);
    expect(listed[0]?.files[0]?.sha256 ?? '').toMatch(/^[0-9a-f]{64}$/);
    const one = (await (await call('GET', `/orgs/${org.id}/components/ApexClass/Seeded`)).json()) as {
      files: Record<string, string>;
    };
    expect(Buffer.from(one.files['classes/Seeded.cls'] ?? '', 'base64').toString('utf8')).toBe(apexClass('Seeded'));
  });

  it('seeds a metadata zip and decomposes its object into fields', async () => {
    const org = emulator.admin.createOrg();
    const response = await call('PUT', `/orgs/${org.id}/components`, await makeZip(starterFiles()), {
      'content-type': 'application/zip',
    });
    expect(response.status).toBe(200);
    const names = emulator.admin.listComponents(org.id).map((c) => `${c.type}:${c.fullName}`);
    expect(names).toEqual([
      'ApexClass:InvoiceService',
      'CustomField:Invoice__c.Amount__c',
      'CustomField:Invoice__c.Status__c',
      'CustomObject:Invoice__c',
      'LightningComponentBundle:invoiceCard',
    ]);
  });

  it('reports deploy history, then forgets it and the metadata on reset', async () => {
    const org = emulator.admin.createOrg();
    await deployAndWait(
      connect(org.instanceUrl, org.accessToken),
      await makeZip({
        'package.xml': packageXml({ ApexClass: ['A'] }),
        'classes/A.cls': apexClass('A'),
        'classes/A.cls-meta.xml': classMeta,
      }),
    );
    const history = (await (await call('GET', `/orgs/${org.id}/deploys`)).json()) as {
      count: number;
      deploys: { status: string }[];
    };
    expect(history.count).toBe(1);
    expect(history.deploys[0]?.status).toBe('Succeeded');
    expect((await call('POST', `/orgs/${org.id}/reset`)).status).toBe(204);
    expect(emulator.admin.deploys(org.id).count).toBe(0);
    expect(emulator.admin.listComponents(org.id)).toEqual([]);
  });

  it('injects a component failure and expires sessions over HTTP', async () => {
    const org = emulator.admin.createOrg();
    expect(
      (
        await call('POST', '/faults/fail-component', {
          orgId: org.id,
          type: 'ApexClass',
          fullName: 'A',
          problem: 'boom',
        })
      ).status,
    ).toBe(204);
    const conn = connect(org.instanceUrl, org.accessToken);
    const result = await deployAndWait(
      conn,
      await makeZip({
        'package.xml': packageXml({ ApexClass: ['A'] }),
        'classes/A.cls': apexClass('A'),
        'classes/A.cls-meta.xml': classMeta,
      }),
    );
    expect(result.status).toBe('Failed');
    const expired = (await (await call('POST', `/orgs/${org.id}/sessions/expire`, {})).json()) as { expired: number };
    expect(expired.expired).toBe(1);
    await expect(conn.metadata.describe()).rejects.toMatchObject({ name: 'sf:INVALID_SESSION_ID' });
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
        expect(second.defaultOrg.id).toBe(defaultOrg.id);
        expect(second.defaultOrg.password).toBe(defaultOrg.password);
        const conn = connect(second.url, defaultOrg.accessToken);
        const { files: retrieved } = await retrieveAndWait(conn, [
          { name: 'ApexClass', members: ['InvoiceService'] },
          { name: 'CustomField', members: ['Invoice__c.Amount__c'] },
        ]);
        expect(retrieved.get('classes/InvoiceService.cls')).toEqual(
          Buffer.from(files['classes/InvoiceService.cls'] as string),
        );
        expect(retrieved.get('objects/Invoice__c.object')?.toString('utf8') ?? '').toMatch(/Amount__c/);
      } finally {
        await second.close();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

import { describe, it, beforeAll, afterAll, expect } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { craftZip } from '../fixtures/craft-zip.js';
import { ADMIN_TOKEN, startHarness, waitForJob, type Harness } from '../helpers/backtrack.harness.js';
import { SAMPLE_PROJECT, sampleFile, zipFolder } from '../helpers/project-zip.js';
import { closeStarted } from '../helpers/lifecycle.js';

const LIMIT = 128 * 1024;
const CLASSES = 'force-app/main/default/classes';
const META = sampleFile(`${CLASSES}/InvoiceService.cls-meta.xml`);
const MALFORMED_ID = '0b7c3c9e1d2f-4a5b-8c6d-7e8f9a0b1c2d-';

/** A process id that no process has any more (a process that ran and exited). */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '']).pid;
}

describe('every bad input is a 4xx with a sentence saying what is wrong', () => {
  let h: Harness;
  let branchId: string;
  let orgId: string;
  let deployId: string;
  // A temporary folder of this test's own, so that no other Backtrack process on the machine sweeps it first.
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'backtrack-bad-input-'));
  const stale = path.join(tmp, `backtrack-upload-${deadPid()}-killed`);

  const multipart = (zip: Buffer) => {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(zip)], { type: 'application/zip' }), 'project.zip');
    return form;
  };
  const post = (route: string, body: RequestInit['body'], headers: Record<string, string> = {}) =>
    fetch(h.url + route, {
      method: 'POST',
      body,
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...headers },
      duplex: 'half',
    });
  const revisionCount = async () => (await h.api('GET', `/api/branches/${branchId}/revisions`)).body.items.length;
  const upload = (files: Record<string, string | Buffer | null>) =>
    zipFolder(SAMPLE_PROJECT, files).then((zip) => h.api('POST', `/api/branches/${branchId}/revisions`, { body: zip }));

  beforeAll(async () => {
    // What an API killed mid-upload leaves behind.
    fs.mkdirSync(path.join(stale, 'force-app'), { recursive: true });
    fs.writeFileSync(path.join(stale, 'force-app', 'Big.cls'), 'x'.repeat(4096));
    expect(fs.existsSync(stale)).toBe(true);
    h = await startHarness({ UPLOAD_MAX_BYTES: String(LIMIT), UPLOAD_TMP_DIR: tmp });
    orgId = (await h.api('GET', '/api/orgs')).body.items.find((o: any) => o.name === 'Local Sandbox').id;
    branchId = (await h.api('POST', '/api/branches', { body: { name: 'inputs' } })).body.id;
    const first = await h.api('POST', `/api/branches/${branchId}/revisions`, { body: await zipFolder(SAMPLE_PROJECT) });
    expect(first.status).toBe(201);
    const deploy = await h.api('POST', `/api/branches/${branchId}/deployments`, { body: { orgId } });
    deployId = (await waitForJob(h, deploy.body.id)).id;
  });
  afterAll(async () => {
    await closeStarted(h);
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  describe('13: UPLOAD_MAX_BYTES holds for every way a zip arrives', () => {
    const tooBig = () =>
      zipFolder(SAMPLE_PROJECT, { 'force-app/main/default/staticresources/noise.bin': randomBytes(LIMIT + 1024) });

    it('accepts a multipart zip under the limit', async () => {
      const res = await post(
        `/api/branches/${branchId}/revisions`,
        multipart(await zipFolder(SAMPLE_PROJECT, { 'README.md': 'multipart' })),
      );
      expect(res.status).toBe(201);
    });

    it('refuses a multipart zip over the limit with 413 naming the limit, and stores nothing', async () => {
      const before = await revisionCount();
      const res = await post(`/api/branches/${branchId}/revisions`, multipart(await tooBig()));
      expect(res.status).toBe(413);
      expect(((await res.json()) as any).message).toBe(
        'The zip is larger than the 128 KB UPLOAD_MAX_BYTES allows: send a smaller zip, or split the project.',
      );
      expect(await revisionCount()).toBe(before);
    });

    it('stops a streamed multipart body without a length at the limit', async () => {
      const before = await revisionCount();
      const form = new Response(multipart(await tooBig()));
      const type = form.headers.get('content-type')!;
      const res = await post(`/api/branches/${branchId}/revisions`, form.body, { 'content-type': type });
      expect(res.status).toBe(413);
      expect(((await res.json()) as any).message).toMatch(/128 KB UPLOAD_MAX_BYTES/);
      expect(await revisionCount()).toBe(before);
    });

    it('refuses a raw zip over the limit with the same sentence', async () => {
      const res = await h.api('POST', `/api/branches/${branchId}/revisions`, { body: await tooBig() });
      expect(res.status).toBe(413);
      expect(res.body.message).toMatch(/^The zip is larger than the 128 KB UPLOAD_MAX_BYTES allows/);
    });
  });

  describe('14: shapes that used to reach the database or the disk as a 500', () => {
    it('refuses a zip holding Ok.cls both as a file and as a folder', async () => {
      const zip = craftZip([
        { name: `${CLASSES}/Ok.cls`, data: Buffer.from('public class Ok {}') },
        { name: `${CLASSES}/Ok.cls/x.txt`, data: Buffer.from('x') },
      ]);
      const res = await h.api('POST', `/api/branches/${branchId}/revisions`, { body: zip });
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(
        /holds force-app\/main\/default\/classes\/Ok\.cls both as a file and as a folder: keep one/,
      );
    });

    it('answers a 36-character id that is not a UUID with 400 on branch and org routes', async () => {
      const outcomes = [
        await h.api('GET', `/api/branches/${MALFORMED_ID}`),
        await h.api('POST', `/api/branches/${branchId}/deployments`, { body: { orgId: MALFORMED_ID } }),
        await h.api('POST', `/api/branches/${branchId}/rollback`, { body: { orgId: MALFORMED_ID, all: true } }),
      ].map((r) => `${r.status} ${r.body.message}`);
      expect(outcomes).toEqual([
        expect.stringMatching(/^400 .* is not a valid branch id \(a UUID: 8-4-4-4-12 hex digits\)/),
        expect.stringMatching(/^400 .* is not a valid org id/),
        expect.stringMatching(/^400 .* is not a valid org id/),
      ]);
    });

    it('refuses a NUL character in a branch name, a rollback fullName and ?component=, naming where', async () => {
      const name = await h.api('POST', '/api/branches', { body: { name: 'a\u0000b' } });
      const fullName = await h.api('POST', `/api/jobs/${deployId}/rollback`, {
        body: { components: [{ type: 'ApexClass', fullName: 'Invoice\u0000Service' }] },
      });
      const component = await h.api('GET', `/api/jobs/${deployId}/logs?component=ApexClass:A%00`);
      expect([name, fullName, component].map((r) => `${r.status} ${r.body.message}`)).toEqual([
        '400 The request body holds a NUL character (U+0000) in name: remove it.',
        '400 The request body holds a NUL character (U+0000) in components.0.fullName: remove it.',
        '400 The query holds a NUL character (U+0000) in component: remove it.',
      ]);
    });

    it('refuses other control or invisible characters in a branch name', async () => {
      const res = await h.api('POST', '/api/branches', { body: { name: 'release\u202E1' } });
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(/name: must not contain control or invisible characters/);
    });
  });

  describe('15: messages say what is actually wrong', () => {
    it('answers a 3 MB JSON body with a 413 about the JSON limit, not about zips', async () => {
      const res = await h.api('POST', '/api/branches', {
        body: { name: 'big', description: 'x'.repeat(3 * 1024 * 1024) },
      });
      expect(res.status).toBe(413);
      expect(res.body.message).toMatch(/^The request body is larger than the 2 MB a JSON request may be/);
      expect(res.body.message).not.toMatch(/smaller zip/);
    });

    it('reports control characters in entry names as control characters', async () => {
      const zip = craftZip([{ name: `${CLASSES}/Bad\u0001Name.cls`, data: Buffer.from('public class X {}') }]);
      const res = await h.api('POST', `/api/branches/${branchId}/revisions`, { body: zip });
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(
        /entry names with control characters such as NUL or newline \(.*Bad\\u\{1\}Name\.cls\)/,
      );
      expect(res.body.message).not.toMatch(/absolute paths/);
    });
  });

  describe('16: start-up sweeps what killed uploads left behind', () => {
    it('removed the upload folder of a process that no longer runs', () => {
      expect(fs.existsSync(stale)).toBe(false);
    });
  });

  describe('17: rollback options are validated as deploy options are', () => {
    it('refuses RunSpecifiedTests without runTests on both rollback routes, as a deploy does', async () => {
      const body = { all: true, testLevel: 'RunSpecifiedTests' };
      const results = [
        await h.api('POST', `/api/branches/${branchId}/deployments`, {
          body: { orgId, testLevel: 'RunSpecifiedTests' },
        }),
        await h.api('POST', `/api/jobs/${deployId}/rollback`, { body }),
        await h.api('POST', `/api/branches/${branchId}/rollback`, { body: { ...body, orgId } }),
      ];
      for (const res of results) {
        expect(res.status).toBe(400);
        expect(res.body.message).toMatch(/runTests: testLevel RunSpecifiedTests needs runTests/);
      }
    });
  });

  describe('18: component names Salesforce would not tell apart', () => {
    it('refuses a right-to-left override in a component name, showing it as a code point', async () => {
      const evil = `${CLASSES}/Invoice\u202Etxt.cls`;
      const res = await upload({ [evil]: 'public class X {}', [`${evil}-meta.xml`]: META });
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(
        /control or invisible characters \(ApexClass:Invoice\\u\{202e\}txt; the first is U\+202E\)/,
      );
    });

    it('refuses Ok and OK in one upload, naming both', async () => {
      const res = await upload({
        [`${CLASSES}/Ok.cls`]: 'public class Ok {}',
        [`${CLASSES}/Ok.cls-meta.xml`]: META,
        [`${CLASSES}/OK.cls`]: 'public class OK {}',
        [`${CLASSES}/OK.cls-meta.xml`]: META,
      });
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(/differ only in case \(ApexClass:OK and ApexClass:Ok\)/);
    });
  });
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import crypto from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { BlobStore } from '../../src/blobs/blob-store.js';
import { sha256 } from '../../src/common/hash.js';
import { writeZipSync } from '../../src/common/zip.js';
import { PackagesService } from '../../src/platform/packages/packages.service.js';
import { SnapshotPruner } from '../../src/snapshots/snapshot-pruner.service.js';
import { ADMIN_TOKEN, startHarness, type Harness } from '../helpers/backtrack.harness.js';
import { closeStarted } from '../helpers/lifecycle.js';
import { tarGz, tarOf, WEB_PACKAGE, zipPackage, type TarEntry } from '../helpers/package-archives.js';
import { createToken } from '../helpers/scoped-access.js';

const DAY = 86_400_000;

describe('packages: upload, listing and retention of .tar.gz and .zip package versions', () => {
  let h: Harness;
  let web: Buffer;
  const upload = (route: string, body: Buffer, options: { token?: string; type?: string } = {}) =>
    h.api('POST', `/api/packages/${route}`, {
      body,
      headers: { 'content-type': options.type ?? 'application/gzip' },
      ...(options.token ? { token: options.token } : {}),
    });
  const query = (sql: string, params: unknown[] = []) => h.backtrack.dataSource.query(sql, params);

  beforeAll(async () => {
    // Small limits, so that they can be crossed in a test: 256 KB of package, 512 KB expanded; zip uploads 128 KB.
    h = await startHarness({
      PACKAGE_MAX_BYTES: String(256 * 1024),
      PACKAGE_MAX_EXPANDED_BYTES: String(512 * 1024),
      UPLOAD_MAX_BYTES: String(128 * 1024),
    });
    web = await tarGz(WEB_PACKAGE);
  });
  afterAll(() => closeStarted(h));

  it('stores a .tar.gz with nested folders, a 0755 script and a link inside it: 201 with its manifest', async () => {
    const res = await upload('web/versions/1.1.20', web);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      name: 'web',
      version: '1.1.20',
      format: 'tar.gz',
      size: web.length,
      sha256: sha256(web),
      createdBy: 'bootstrap admin',
      pruned: false,
    });
    expect(res.body.files).toEqual([
      { path: 'bin/start.sh', size: 30, sha256: sha256('#!/bin/sh\nexec node server.js\n') },
      { path: 'public/css/site.css', size: 19, sha256: sha256('body { margin: 0 }\n') },
      { path: 'public/index.html', size: 13, sha256: sha256('<h1>web</h1>\n') },
    ]);
    const stored = await h.backtrack.app.get(PackagesService).find('WEB', '1.1.20');
    expect(await h.backtrack.app.get(PackagesService).content(stored!)).toEqual(web);
  });

  it('stores a .zip, whatever the content type says', async () => {
    const zip = await zipPackage([
      { name: 'app/run.sh', content: '#!/bin/sh\n', mode: 0o755 },
      { name: 'app/current', symlink: 'run.sh' },
    ]);
    const res = await upload('worker/versions/2.0.0+build.7', zip, { type: 'application/yaml' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: 'worker', version: '2.0.0+build.7', format: 'zip', sha256: sha256(zip) });
    expect(res.body.files).toEqual([{ path: 'app/run.sh', size: 10, sha256: sha256('#!/bin/sh\n') }]);
  });

  it('lists packages with their versions newest first, each with size, checksum and file count', async () => {
    const second = await tarGz([...WEB_PACKAGE, { name: './public/new.html', content: 'new' }]);
    expect((await upload('Web/versions/1.1.21', second)).status).toBe(201);
    const res = await h.api('GET', '/api/packages');
    expect(res.status).toBe(200);
    const listed = res.body.find((p: { name: string }) => p.name === 'web');
    expect(listed.versions.map((v: { version: string }) => v.version)).toEqual(['1.1.21', '1.1.20']);
    expect(listed.versions[1]).toEqual({
      id: expect.any(String),
      version: '1.1.20',
      format: 'tar.gz',
      size: web.length,
      sha256: sha256(web),
      files: 3,
      createdAt: expect.any(String),
      createdBy: 'bootstrap admin',
      pruned: false,
    });
    expect(listed.versions[0]).toMatchObject({ files: 4, sha256: sha256(second) });
    expect(res.body.map((p: { name: string }) => p.name)).toContain('worker');
  });

  it('answers one version with its manifest (name in any case), and 404 for one that does not exist', async () => {
    const res = await h.api('GET', '/api/packages/WEB/versions/1.1.21');
    expect(res.status).toBe(200);
    expect(res.body.files.map((f: { path: string }) => f.path)).toContain('public/new.html');
    const missing = await h.api('GET', '/api/packages/web/versions/9.9.9');
    expect(missing.status).toBe(404);
    expect(missing.body.message).toBe('Package version web 9.9.9 does not exist.');
  });

  it('answers a repeated upload of the same bytes with 200 and the same record; other bytes are a 409', async () => {
    const first = await h.api('GET', '/api/packages/web/versions/1.1.20');
    const again = await upload('web/versions/1.1.20', web);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    const other = await upload('web/versions/1.1.20', await tarGz([{ name: 'index.html', content: 'changed' }]));
    expect(other.status).toBe(409);
    expect(other.body.message).toBe(
      'Version 1.1.20 of web already exists with other content; versions are immutable, upload a new version.',
    );
    expect((await h.api('GET', '/api/packages/web/versions/1.1.20')).body.sha256).toBe(sha256(web));
  });

  describe('refuses hostile and broken archives with a 400 sentence, storing nothing', () => {
    const ok: TarEntry = { name: 'ok.txt', content: 'ok' };
    const cases: [string, () => Promise<Buffer>, RegExp][] = [
      ['a ../ path', () => tarGz([ok, { name: '../x', content: 'x' }]), /"\.\." segment \(\.\.\/x\)/],
      ['/etc/passwd', () => tarGz([ok, { name: '/etc/passwd', content: 'root::0:0' }]), /absolute path/],
      [
        'a symlink to ../../etc',
        () => tarGz([ok, { name: 'etc', type: 'symlink', linkname: '../../etc' }]),
        /symbolic link etc -> \.\.\/\.\.\/etc points outside the package/,
      ],
      [
        'a hard link escaping the root',
        () => tarGz([ok, { name: 'shadow', type: 'link', linkname: '../../etc/shadow' }]),
        /hard link shadow -> \.\.\/\.\.\/etc\/shadow does not point at a file earlier in the package/,
      ],
      [
        'a device entry',
        () => tarGz([ok, { name: 'dev/sda', type: 'block-device', devmajor: 8 }]),
        /dev\/sda, a block device/,
      ],
      [
        'a gzip bomb over PACKAGE_MAX_EXPANDED_BYTES',
        () => tarGz([{ name: 'zeros.bin', content: Buffer.alloc(4 * 1024 * 1024) }]),
        /expands to more than 512 KB, the PACKAGE_MAX_EXPANDED_BYTES limit/,
      ],
      ['not an archive', async () => Buffer.from('#!/bin/sh\nrm -rf /\n'), /must be a \.tar\.gz or \.zip/],
      [
        'a gzip that holds no tar',
        async () => gzipSync('plain text'),
        /gzip-compressed but holds no tar archive.*must be a \.tar\.gz or \.zip/,
      ],
      [
        'a truncated .tar.gz',
        async () => (await tarGz(WEB_PACKAGE)).subarray(0, 100),
        /The \.tar\.gz is damaged \(gzip: unexpected end of file\)/,
      ],
      [
        'a truncated tar',
        async () => gzipSync((await tarOf([{ name: 'a.bin', content: Buffer.alloc(4000, 7) }])).subarray(0, 1024)),
        /The tar archive is damaged/,
      ],
      [
        'a zip whose central directory is gone',
        async () => writeZipSync([{ path: 'a.txt', content: Buffer.from('a') }]).subarray(0, 40),
        /The \.zip cannot be read/,
      ],
    ];

    it.each(cases)('%s', async (_, archive, message) => {
      const version = `hostile-${crypto.randomUUID().slice(0, 8)}`;
      const res = await upload(`evil/versions/${version}`, await archive());
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(message);
      expect((await h.api('GET', `/api/packages/evil/versions/${version}`)).status).toBe(404);
    });
  });

  it('refuses a body over PACKAGE_MAX_BYTES with a 413 naming it, whatever its content type', async () => {
    const big = crypto.randomBytes(300 * 1024);
    for (const type of ['application/zip', 'application/octet-stream', 'text/yaml']) {
      const res = await upload('big/versions/1.0.0', big, { type });
      expect(res.status).toBe(413);
      expect(res.body.message).toBe(
        'The package is larger than the 256 KB PACKAGE_MAX_BYTES allows: upload a smaller package (or raise the limit).',
      );
    }
    // Sent in chunks, without a Content-Length: refused once the bytes read pass the limit.
    const chunked = await fetch(`${h.url}/api/packages/big/versions/1.0.1`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/gzip' },
      body: new Blob([big]).stream(),
      duplex: 'half',
    });
    expect(chunked.status).toBe(413);
    expect(((await chunked.json()) as { message: string }).message).toMatch(/256 KB PACKAGE_MAX_BYTES allows/);
    // Under it, a package larger than UPLOAD_MAX_BYTES (the zip uploads' limit) is taken whatever its type.
    const fits = await tarGz([{ name: 'random.bin', content: crypto.randomBytes(200 * 1024) }]);
    expect((await upload('big/versions/1.0.0', fits, { type: 'application/octet-stream' })).status).toBe(201);
    expect((await upload('big/versions/1.0.0', fits, { type: 'text/yaml' })).status).toBe(200);
  });

  it('refuses a bad name or version, and an empty body, with a 400 naming what to change', async () => {
    const name = await upload('-web/versions/1.0', web);
    expect(name.status).toBe(400);
    expect(name.body.message).toMatch(/^Invalid path: name: must start with a letter or digit/);
    const version = await upload(`web/versions/${'1'.repeat(65)}`, web);
    expect(version.status).toBe(400);
    expect(version.body.message).toMatch(/^Invalid path: version: /);
    const empty = await upload('web/versions/3.0.0', Buffer.alloc(0));
    expect(empty.status).toBe(400);
    expect(empty.body.message).toMatch(/Send the package as the request body/);
  });

  it('needs "deploy" (in any environment) to upload; any valid token reads', async () => {
    const reader = await createToken(h, ['read']);
    const refused = await upload('web/versions/5.0.0', web, { token: reader.token });
    expect(refused.status).toBe(403);
    expect(refused.body.message).toMatch(/lacks the "deploy" permission/);
    expect((await h.api('GET', '/api/packages', { token: reader.token })).status).toBe(200);
    expect((await h.api('GET', '/api/packages/web/versions/1.1.20', { token: reader.token })).status).toBe(200);
    expect((await h.api('GET', '/api/packages', { token: null })).status).toBe(401);
    const qaDeployer = await createToken(h, ['deploy'], ['qa']);
    const taken = await upload('web/versions/5.0.0', web, { token: qaDeployer.token });
    expect(taken.status).toBe(201);
    expect(taken.body.createdBy).toBe('deploy@qa');
  });

  describe('retention', () => {
    const blobExists = async (address: string) =>
      (await query(`SELECT 1 FROM blobs WHERE sha256 = $1`, [address])).length === 1;
    /** Uploads a package of its own bytes and dates it `daysAgo`; answers its id and checksum. */
    const aged = async (name: string, daysAgo: number) => {
      const res = await upload(`${name}/versions/1.0.0`, await tarGz([{ name: 'id.txt', content: name }]));
      expect(res.status).toBe(201);
      await query(`UPDATE package_versions SET created_at = $2 WHERE id = $1`, [
        res.body.id,
        new Date(Date.now() - daysAgo * DAY),
      ]);
      return { id: res.body.id as string, sha256: res.body.sha256 as string, name };
    };
    /** A release of a bare pipeline pinning `pkg`, made `madeDaysAgo`; answers its id. */
    const release = async (pkg: { id: string; sha256: string; name: string }, madeDaysAgo: Date) => {
      const pipelineId = crypto.randomUUID();
      await query(`INSERT INTO pipelines (id, name) VALUES ($1, $2)`, [pipelineId, `p-${pkg.name}`]);
      await query(`INSERT INTO pipeline_versions (pipeline_id, version, definition) VALUES ($1, 1, '{}')`, [
        pipelineId,
      ]);
      const id = crypto.randomUUID();
      const packages = [{ name: pkg.name, version: '1.0.0', packageVersionId: pkg.id, sha256: pkg.sha256 }];
      await query(
        `INSERT INTO releases (id, pipeline_id, pipeline_version, version, packages, created_at)
         VALUES ($1, $2, 1, '1.0.0', $3, $4)`,
        [id, pipelineId, JSON.stringify(packages), madeDaysAgo],
      );
      return { id, pipelineId };
    };
    /** A deployment (job) of the release: finished at `finishedAt`, or still running when null. */
    const deployment = async (of: { id: string; pipelineId: string }, createdAt: Date, finishedAt: Date | null) => {
      await query(
        `INSERT INTO jobs (id, kind, status, pipeline_id, pipeline_version, release_id, created_at, finished_at,
                           lease_owner, lease_expires_at)
         VALUES ($1, 'Deploy', $2, $3, 1, $4, $5, $6, $7, $8)`,
        [
          crypto.randomUUID(),
          finishedAt ? 'Completed' : 'In Progress',
          of.pipelineId,
          of.id,
          createdAt,
          finishedAt,
          finishedAt ? null : 'a-worker-elsewhere',
          finishedAt ? null : new Date(Date.now() + DAY),
        ],
      );
    };

    it('keeps package blobs through garbage collection until retention prunes the package', async () => {
      const now = new Date();
      const ago = (days: number) => new Date(now.getTime() - days * DAY);
      const stale = await aged('stale', 60);
      const unused = await aged('unused', 60);
      const recent = await aged('recent', 60);
      const running = await aged('running', 60);
      const undeployed = await aged('undeployed', 60);
      const fresh = await aged('fresh', 1);

      const staleRelease = await release(stale, ago(45));
      await deployment(staleRelease, ago(45), ago(40));
      const recentRelease = await release(recent, ago(45));
      await deployment(recentRelease, ago(45), ago(44));
      await deployment(recentRelease, ago(3), ago(2));
      const runningRelease = await release(running, ago(45));
      await deployment(runningRelease, ago(45), ago(44));
      await deployment(runningRelease, ago(0.01), null);
      await release(undeployed, ago(5));

      // Garbage collection alone drops no package's blob.
      await h.backtrack.app.get(BlobStore).collectGarbage();
      for (const pkg of [stale, unused, recent, running, undeployed, fresh])
        expect(await blobExists(pkg.sha256)).toBe(true);

      await h.backtrack.app.get(SnapshotPruner).runOnce(now);

      const pruned = async (name: string) =>
        (await h.api('GET', `/api/packages/${name}/versions/1.0.0`)).body.pruned as boolean;
      expect(await pruned('stale')).toBe(true);
      expect(await pruned('unused')).toBe(true);
      for (const kept of ['recent', 'running', 'undeployed', 'fresh']) expect(await pruned(kept)).toBe(false);
      expect(await blobExists(stale.sha256)).toBe(false);
      expect(await blobExists(unused.sha256)).toBe(false);
      for (const pkg of [recent, running, undeployed, fresh]) expect(await blobExists(pkg.sha256)).toBe(true);

      const packages = h.backtrack.app.get(PackagesService);
      const error = await packages.content(await packages.get(stale.id)).catch((e: unknown) => e as Error);
      expect(error).toMatchObject({ status: 410 });
      expect((error as Error).message).toMatch(/^Package stale 1\.0\.0 was pruned on .*: its bytes are gone/);
      const kept = await packages.content(await packages.get(recent.id));
      expect(sha256(kept)).toBe(recent.sha256);
      const listed = (await h.api('GET', '/api/packages')).body.find((p: { name: string }) => p.name === 'stale');
      expect(listed.versions[0]).toMatchObject({ version: '1.0.0', pruned: true });
    });
  });
});

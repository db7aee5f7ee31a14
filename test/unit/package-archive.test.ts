import { describe, expect, it } from '@jest/globals';
import { gzipSync } from 'node:zlib';
import { sha256 } from '../../src/common/hash.js';
import { writeZipSync } from '../../src/common/zip.js';
import { inspectPackage, packageFormat } from '../../src/platform/packages/package-archive.js';
import { PackageRejectedError, type PackageLimits } from '../../src/platform/packages/package-entries.js';
import { tarGz, tarOf, WEB_PACKAGE, zipPackage } from '../helpers/package-archives.js';

const LIMITS: PackageLimits = { maxExpandedBytes: 8 * 1024 * 1024, maxRatio: 100, maxEntries: 1000 };

/** The sentence an archive is refused with (a 400). */
async function refusal(archive: Buffer, limits = LIMITS): Promise<string> {
  const error = await inspectPackage(archive, limits).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PackageRejectedError);
  expect((error as PackageRejectedError).status).toBe(400);
  return (error as Error).message;
}

describe('packageFormat: by the first bytes', () => {
  it('knows gzip and zip, and nothing else', () => {
    expect(packageFormat(gzipSync('x'))).toBe('tar.gz');
    expect(packageFormat(writeZipSync([{ path: 'a', content: Buffer.from('a') }]))).toBe('zip');
    expect(packageFormat(Buffer.from('PK\u0005\u0006'))).toBeNull();
    expect(packageFormat(Buffer.from('hello'))).toBeNull();
    expect(packageFormat(Buffer.from([0x1f]))).toBeNull();
  });
});

describe('inspectPackage: a .tar.gz', () => {
  it('lists the regular files with size and SHA-256, sorted, through nested folders, a 0755 script and a link', async () => {
    const { format, files } = await inspectPackage(await tarGz(WEB_PACKAGE), LIMITS);
    expect(format).toBe('tar.gz');
    const start = '#!/bin/sh\nexec node server.js\n';
    expect(files).toEqual([
      { path: 'bin/start.sh', size: start.length, sha256: sha256(start) },
      { path: 'public/css/site.css', size: 19, sha256: sha256('body { margin: 0 }\n') },
      { path: 'public/index.html', size: 13, sha256: sha256('<h1>web</h1>\n') },
    ]);
  });

  it('reads long (pax) paths, empty files and hard links inside the package', async () => {
    const deep = `${'d'.repeat(150)}/${'f'.repeat(150)}.txt`;
    const { files } = await inspectPackage(
      await tarGz([
        { name: deep, content: 'deep' },
        { name: 'empty.txt', content: '' },
        { name: 'again.txt', type: 'link', linkname: deep },
      ]),
      LIMITS,
    );
    expect(files.map((f) => [f.path, f.size])).toEqual([
      ['again.txt', 4],
      [deep, 4],
      ['empty.txt', 0],
    ]);
    expect(files[0]!.sha256).toBe(sha256('deep'));
  });

  it.each([
    ['a "../" path', [{ name: '../x', content: 'x' }], /absolute path or a "\.\." segment \(\.\.\/x\)/],
    ['an absolute path', [{ name: '/etc/passwd', content: 'root' }], /absolute path .*\/etc\/passwd/],
    ['a backslash', [{ name: 'a\\b', content: 'x' }], /backslash/],
    ['a symlink to ../../etc', [{ name: 'etc', type: 'symlink', linkname: '../../etc' }], /etc -> \.\.\/\.\.\/etc/],
    ['an absolute symlink', [{ name: 'pw', type: 'symlink', linkname: '/etc/passwd' }], /points outside/],
    ['a hard link out of the root', [{ name: 'h', type: 'link', linkname: '../../etc/shadow' }], /hard link h ->/],
    ['a character device', [{ name: 'tty', type: 'character-device', devmajor: 5 }], /tty, a character device/],
    ['a block device', [{ name: 'sda', type: 'block-device' }], /a block device/],
    ['a fifo', [{ name: 'pipe', type: 'fifo' }], /a fifo/],
    [
      'a path twice',
      [
        { name: 'x', content: '1' },
        { name: './x', content: '2' },
      ],
      /holds x more than once/,
    ],
  ] as [string, Parameters<typeof tarGz>[0], RegExp][])('refuses %s', async (_, entries, message) => {
    expect(await refusal(await tarGz([{ name: 'ok.txt', content: 'ok' }, ...entries]))).toMatch(message);
  });

  it('refuses a link chain that leaves the root through another link, and a file written through a link', async () => {
    const chain = await tarGz([
      { name: 'ok.txt', content: 'ok' },
      { name: 's', type: 'symlink', linkname: '.' },
      { name: 'u', type: 'symlink', linkname: 's/..' },
    ]);
    expect(await refusal(chain)).toMatch(/link u -> s\/\.\. points outside/);
    const through = await tarGz([
      { name: 's', type: 'symlink', linkname: 'sub' },
      { name: 's/evil.txt', content: 'x' },
    ]);
    expect(await refusal(through)).toMatch(/entries under s, which is a file or a link/);
  });

  it('refuses more entries than allowed', async () => {
    const many = Array.from({ length: 12 }, (_, i) => ({ name: `f${i}.txt`, content: 'x' }));
    expect(await refusal(await tarGz(many), { ...LIMITS, maxEntries: 10 })).toMatch(/more than 10 entries/);
  });

  it('refuses a gzip bomb past PACKAGE_MAX_EXPANDED_BYTES, or past the ratio when that binds first', async () => {
    const bomb = await tarGz([{ name: 'zeros.bin', content: Buffer.alloc(64 * 1024 * 1024) }]);
    expect(bomb.length).toBeLessThan(200 * 1024);
    expect(await refusal(bomb, { ...LIMITS, maxRatio: 1e6 })).toMatch(
      /expands to more than 8 MB, the PACKAGE_MAX_EXPANDED_BYTES limit/,
    );
    expect(await refusal(bomb)).toMatch(/expands more than 100 times its size, which looks like a compression bomb/);
  });

  it('refuses what is not a tar.gz: gzip of text, a truncated gzip, a truncated tar, a tar without files', async () => {
    expect(await refusal(gzipSync('just some text, not a tar archive'))).toMatch(
      /gzip-compressed but holds no tar archive/,
    );
    const whole = await tarGz(WEB_PACKAGE);
    expect(await refusal(whole.subarray(0, Math.floor(whole.length / 2)))).toMatch(
      /The \.tar\.gz is damaged \(gzip: unexpected end of file\)/,
    );
    const tar = await tarOf([{ name: 'big.bin', content: Buffer.alloc(5000, 1) }]);
    expect(await refusal(gzipSync(tar.subarray(0, 2048)))).toMatch(
      /The tar archive is damaged \(Unexpected end of data\)/,
    );
    expect(await refusal(await tarGz([{ name: 'only/', type: 'directory' }]))).toMatch(/holds no files/);
  });

  it('refuses a body that is no archive at all', async () => {
    expect(await refusal(Buffer.from('#!/bin/sh\necho hi\n'))).toMatch(/must be a \.tar\.gz or \.zip/);
  });
});

describe('inspectPackage: a .zip', () => {
  it('lists its files and accepts a symbolic link inside it', async () => {
    const zip = await zipPackage([
      { name: 'bin/start.sh', content: '#!/bin/sh\n', mode: 0o755 },
      { name: 'index.html', content: '<h1>zip</h1>' },
      { name: 'current', symlink: 'index.html' },
    ]);
    const { format, files } = await inspectPackage(zip, LIMITS);
    expect(format).toBe('zip');
    expect(files).toEqual([
      { path: 'bin/start.sh', size: 10, sha256: sha256('#!/bin/sh\n') },
      { path: 'index.html', size: 12, sha256: sha256('<h1>zip</h1>') },
    ]);
  });

  it('refuses a symbolic link out of it, a "../" entry and an absolute entry', async () => {
    const escaping = await zipPackage([
      { name: 'index.html', content: 'x' },
      { name: 'etc', symlink: '../../etc' },
    ]);
    expect(await refusal(escaping)).toMatch(/link etc -> \.\.\/\.\.\/etc points outside/);
    const traversal = writeZipSync([{ path: '../evil.sh', content: Buffer.from('x') }]);
    expect(await refusal(traversal)).toMatch(/"\.\." segment \(\.\.\/evil\.sh\)/);
    const absolute = writeZipSync([{ path: '/etc/cron.d/x', content: Buffer.from('x') }]);
    expect(await refusal(absolute)).toMatch(/absolute path/);
  });

  it('refuses a zip bomb past the expanded limit', async () => {
    const bomb = writeZipSync([{ path: 'zeros.bin', content: Buffer.alloc(16 * 1024 * 1024) }], { level: 9 });
    expect(await refusal(bomb, { ...LIMITS, maxRatio: 1e6 })).toMatch(/PACKAGE_MAX_EXPANDED_BYTES/);
  });

  it('refuses a damaged central directory and a damaged entry, with a 400 sentence', async () => {
    const zip = writeZipSync([{ path: 'a.txt', content: Buffer.from('hello hello hello') }], { level: 0 });
    const badDirectory = Buffer.from(zip);
    badDirectory.writeUInt32LE(0xffffff, badDirectory.length - 6); // the central directory's offset
    expect(await refusal(badDirectory)).toMatch(/The \.zip (cannot be read|is damaged) \(.+\): create it again/);
    const noDirectory = Buffer.from(zip);
    noDirectory.writeUInt32LE(0, noDirectory.length - 22); // the end of central directory's signature
    expect(await refusal(noDirectory)).toMatch(/The \.zip cannot be read \(End of central directory record/);
    const badEntry = Buffer.from(zip);
    const first = 30 + 'a.txt'.length;
    badEntry.writeUInt8(badEntry.readUInt8(first) ^ 0xff, first); // the first byte of the stored content: the CRC-32 no longer matches
    expect(await refusal(badEntry)).toMatch(/The \.zip entry a\.txt is damaged \(its CRC-32/);
  });
});

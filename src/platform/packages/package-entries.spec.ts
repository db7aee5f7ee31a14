import { describe, expect, it } from '@jest/globals';
import {
  expansionLimit,
  PackageEntries,
  PackageRejectedError,
  resolveLink,
  type PackageEntryHeader,
  type PackageLimits,
} from './package-entries.js';

const LIMITS: PackageLimits = { maxExpandedBytes: 10 * 1024 * 1024, maxRatio: 100, maxEntries: 10 };
const HASH = 'a'.repeat(64);

/** The message of the refusal `run` throws (and that it is a PackageRejectedError, a 400). */
function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(PackageRejectedError);
    expect((error as PackageRejectedError).status).toBe(400);
    return (error as Error).message;
  }
  throw new Error('expected a refusal');
}

/** Admits every header (files get a fixed hash) and answers the manifest. */
function manifestOf(headers: PackageEntryHeader[], limits = LIMITS) {
  const entries = new PackageEntries(1000, limits);
  for (const header of headers) {
    const path = entries.admit(header);
    if (path !== null && header.kind === 'file') entries.addFile(path, 3, HASH);
  }
  return entries.manifest();
}

describe('resolveLink: where a symbolic link lands, following the package’s other links', () => {
  const none = new Map<string, string>();

  it('keeps targets that stay inside the root, dangling ones too', () => {
    expect(resolveLink('current', 'releases/1.0', none)).toBe('inside');
    expect(resolveLink('a/b/link', '../../x', none)).toBe('inside');
    expect(resolveLink('a/link', './../a/./missing', none)).toBe('inside');
  });

  it('refuses absolute targets and ".." past the root, even when the path comes back in', () => {
    expect(resolveLink('link', '/etc', none)).toBe('outside');
    expect(resolveLink('a/link', '../../etc', none)).toBe('outside');
    expect(resolveLink('link', '../root/inside', none)).toBe('outside');
  });

  it('follows other links: a target that is inside on paper but leaves through a link to "."', () => {
    const links = new Map([
      ['s', '.'],
      ['u', 's/..'],
    ]);
    expect(resolveLink('u', 's/..', links)).toBe('outside');
    expect(resolveLink('v', 'sub/../s/x', links)).toBe('inside');
  });

  it('follows a link to an absolute path met on the way', () => {
    expect(resolveLink('u', 'abs/passwd', new Map([['abs', '/etc']]))).toBe('outside');
  });

  it('stops at a loop', () => {
    const links = new Map([
      ['a', 'b'],
      ['b', 'a'],
    ]);
    expect(resolveLink('c', 'a', links)).toBe('loop');
  });
});

describe('expansionLimit: the limit that binds first', () => {
  it('is PACKAGE_MAX_EXPANDED_BYTES when the ratio allows more', () => {
    const limit = expansionLimit(1024 * 1024, { ...LIMITS, maxExpandedBytes: 5 * 1024 * 1024 });
    expect(limit.bytes).toBe(5 * 1024 * 1024);
    expect(limit.refusal).toMatch(/more than 5 MB, the PACKAGE_MAX_EXPANDED_BYTES limit/);
  });

  it('is the ratio for a small archive (past the 1 MB grace)', () => {
    const limit = expansionLimit(20 * 1024, LIMITS);
    expect(limit.bytes).toBe(100 * 20 * 1024);
    expect(limit.refusal).toMatch(/more than 100 times its size, which looks like a compression bomb/);
    expect(expansionLimit(10, LIMITS).bytes).toBe(1024 * 1024);
  });
});

describe('PackageEntries: the rules every entry meets', () => {
  it('lists regular files sorted by path, without folders, links or the root "./"', () => {
    const files = manifestOf([
      { name: './', kind: 'directory' },
      { name: './b/', kind: 'directory' },
      { name: './b/z.txt', kind: 'file' },
      { name: 'a.txt', kind: 'file' },
      { name: 'b/link', kind: 'symlink', linkTarget: 'z.txt' },
      { name: 'B.txt', kind: 'file' },
    ]);
    expect(files.map((f) => f.path)).toEqual(['B.txt', 'a.txt', 'b/z.txt']);
    expect(files[0]).toEqual({ path: 'B.txt', size: 3, sha256: HASH });
  });

  it('lists a hard link as a copy of the file it links to', () => {
    const files = manifestOf([
      { name: 'a.txt', kind: 'file' },
      { name: 'copy.txt', kind: 'hardlink', linkTarget: './a.txt' },
    ]);
    expect(files).toEqual([
      { path: 'a.txt', size: 3, sha256: HASH },
      { path: 'copy.txt', size: 3, sha256: HASH },
    ]);
  });

  it.each([
    ['../x', /absolute path or a "\.\." segment \(\.\.\/x\)/],
    ['/etc/passwd', /absolute path/],
    ['C:/x', /absolute path/],
    ['a/../../x', /"\.\." segment/],
    ['a\\b.txt', /backslash \(a\\b\.txt\)/],
    ['a\u0000b', /control characters .*\(a\\u\{0\}b\)/],
    ['x'.repeat(4097), /longer than 4096 characters/],
  ])('refuses the entry name %j', (name, message) => {
    expect(refusal(() => manifestOf([{ name, kind: 'file' }]))).toMatch(message);
  });

  it('accepts a path of exactly 4096 characters', () => {
    expect(manifestOf([{ name: 'x'.repeat(4096), kind: 'file' }])).toHaveLength(1);
  });

  it.each([
    ['a symbolic link out of the root', { name: 'l', kind: 'symlink', linkTarget: '../../etc' }, /points outside/],
    ['an absolute symbolic link', { name: 'l', kind: 'symlink', linkTarget: '/etc/passwd' }, /points outside/],
    ['a link with an empty target', { name: 'l', kind: 'symlink', linkTarget: '' }, /empty, overlong or unsafe/],
    ['a hard link out of the root', { name: 'h', kind: 'hardlink', linkTarget: '../x' }, /hard link h -> \.\.\/x/],
    ['a hard link to /etc/passwd', { name: 'h', kind: 'hardlink', linkTarget: '/etc/passwd' }, /hard link/],
    ['a character device', { name: 'tty', kind: 'special', special: 'character device' }, /a character device/],
  ] as [string, PackageEntryHeader, RegExp][])('refuses %s', (_, header, message) => {
    expect(refusal(() => manifestOf([{ name: 'ok.txt', kind: 'file' }, header]))).toMatch(message);
  });

  it('refuses a hard link to a file the package does not hold before it', () => {
    const message = refusal(() =>
      manifestOf([
        { name: 'h', kind: 'hardlink', linkTarget: 'later.txt' },
        { name: 'later.txt', kind: 'file' },
      ]),
    );
    expect(message).toMatch(/does not point at a file earlier in the package/);
  });

  it('refuses a path twice, and entries under a file or a link; a folder listed twice is fine', () => {
    expect(
      refusal(() =>
        manifestOf([
          { name: 'a.txt', kind: 'file' },
          { name: './a.txt', kind: 'file' },
        ]),
      ),
    ).toMatch(/holds a\.txt more than once/);
    expect(
      refusal(() =>
        manifestOf([
          { name: 's', kind: 'symlink', linkTarget: 'sub' },
          { name: 's/x.txt', kind: 'file' },
        ]),
      ),
    ).toMatch(/entries under s, which is a file or a link/);
    expect(
      manifestOf([
        { name: 'd/', kind: 'directory' },
        { name: 'd', kind: 'directory' },
        { name: 'd/x', kind: 'file' },
      ]),
    ).toHaveLength(1);
  });

  it('refuses more entries than allowed, as they come and as a directory declares them', () => {
    const many = Array.from({ length: 11 }, (_, i) => ({ name: `f${i}`, kind: 'file' as const }));
    expect(refusal(() => manifestOf(many))).toMatch(/more than 10 entries/);
    expect(refusal(() => new PackageEntries(1000, LIMITS).expectEntries(11))).toMatch(/more than 10 entries/);
  });

  it('refuses an archive expanding past its limit, counting every byte it expands to', () => {
    const entries = new PackageEntries(1000, LIMITS);
    entries.expand(1024 * 1024);
    expect(entries.allowance()).toBe(0);
    expect(refusal(() => entries.expand(1))).toMatch(/compression bomb/);
  });

  it('refuses a package without files', () => {
    expect(refusal(() => manifestOf([{ name: 'empty/', kind: 'directory' }]))).toMatch(/holds no files/);
  });
});

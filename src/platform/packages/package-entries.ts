import { AppError } from '../../common/errors.js';
import { formatBytes } from '../../common/sizes.js';
import { escapeHidden } from '../../common/text.js';
import { checkEntryName } from '../../common/zip-entry-name.js';
import { fileFolderClashes, RATIO_GRACE_BYTES } from '../../uploads/zip-intake.js';
import type { PackageFile } from './package-version.entity.js';

/** What a package may hold and expand to (PACKAGE_MAX_EXPANDED_BYTES; the ratio is the uploads' UPLOAD_MAX_RATIO). */
export interface PackageLimits {
  /** Largest total of bytes the archive expands to (a .tar.gz: the whole tar stream; a .zip: its entries). */
  maxExpandedBytes: number;
  /** Largest expansion ratio (expanded / archive bytes), judged past RATIO_GRACE_BYTES as for uploads. */
  maxRatio: number;
  /** Most entries (files, folders, links). */
  maxEntries: number;
}

export const MAX_PACKAGE_ENTRIES = 100_000;
/** Linux's PATH_MAX: a longer entry path could not be extracted anyway. */
export const MAX_ENTRY_PATH_CHARS = 4096;
/** Links followed while resolving one link target (Linux gives up after 40 too). */
const MAX_LINK_HOPS = 40;

/** A package Backtrack refuses (400): not an archive, damaged, or hostile. Nothing is stored. */
export class PackageRejectedError extends AppError {
  constructor(message: string, entries?: string[]) {
    super(400, message, entries ? { entries } : undefined);
  }
}

export type PackageEntryKind = 'file' | 'directory' | 'symlink' | 'hardlink' | 'special';

/** One entry of an archive as its header describes it. */
export interface PackageEntryHeader {
  /** The name as stored in the archive. */
  name: string;
  kind: PackageEntryKind;
  /** A link's target: relative to the link's folder (symbolic) or to the archive's root (hard). */
  linkTarget?: string | null;
  /** What a special entry is, for the sentence (`character device`, `fifo`). */
  special?: string;
}

/** An entry name as a sentence shows it: control and invisible characters escaped, at most 200 characters. */
export const shownName = (name: string): string =>
  name.length > 200 ? `${escapeHidden(name.slice(0, 200))}…` : escapeHidden(name);

/** The first bytes a limit binds at, and the sentence refusing an archive that expands past them. */
export function expansionLimit(archiveBytes: number, limits: PackageLimits): { bytes: number; refusal: string } {
  const ratioBytes = Math.max(RATIO_GRACE_BYTES, limits.maxRatio * archiveBytes);
  if (limits.maxExpandedBytes <= ratioBytes) {
    return {
      bytes: limits.maxExpandedBytes,
      refusal:
        `The package expands to more than ${formatBytes(limits.maxExpandedBytes)}, the PACKAGE_MAX_EXPANDED_BYTES ` +
        'limit: upload a smaller package (or raise the limit).',
    };
  }
  return {
    bytes: ratioBytes,
    refusal:
      `The package expands more than ${limits.maxRatio} times its size, which looks like a compression bomb: ` +
      'upload the files themselves in a .tar.gz or .zip.',
  };
}

/**
 * Where a symbolic link at `linkPath` pointing at `target` lands, following the other links of the package as a
 * host's file system would: `inside` the package's root, `outside` it (absolute, or `..` past the root at any
 * step), or in a `loop`. A dangling target inside the root is `inside`.
 */
export function resolveLink(
  linkPath: string,
  target: string,
  links: ReadonlyMap<string, string>,
): 'inside' | 'outside' | 'loop' {
  if (target.startsWith('/')) return 'outside';
  const at = linkPath.split('/').slice(0, -1);
  const queue = target.split('/');
  let hops = 0;
  while (queue.length) {
    const segment = queue.shift()!;
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (at.length === 0) return 'outside';
      at.pop();
      continue;
    }
    at.push(segment);
    const next = links.get(at.join('/'));
    if (next === undefined) continue;
    if (++hops > MAX_LINK_HOPS) return 'loop';
    if (next.startsWith('/')) return 'outside';
    at.pop();
    queue.unshift(...next.split('/'));
  }
  return 'inside';
}

/**
 * The rules every entry of a package meets, whatever its format, and the manifest of its regular files. Feed it
 * each entry's header (`admit`), the bytes the archive expands to (`expand`) and each file's size and checksum
 * (`addFile`); `manifest()` runs the rules that need every entry and answers the files sorted by path. Every
 * refusal is a `PackageRejectedError` naming the entry and what to change.
 */
export class PackageEntries {
  private readonly files = new Map<string, PackageFile>();
  private readonly kinds = new Map<string, PackageEntryKind>();
  private readonly symlinks = new Map<string, string>();
  private readonly limit: { bytes: number; refusal: string };
  private entries = 0;
  private expanded = 0;

  constructor(
    archiveBytes: number,
    private readonly limits: PackageLimits,
  ) {
    this.limit = expansionLimit(archiveBytes, limits);
  }

  /** Refuses an archive whose directory already declares more entries than allowed. */
  expectEntries(count: number): void {
    if (count > this.limits.maxEntries) throw this.tooManyEntries();
  }

  /** Bytes the archive may still expand to before a limit is crossed. */
  allowance(): number {
    return this.limit.bytes - this.expanded;
  }

  /** Counts `bytes` more of expanded content; refuses past the limit that binds first. */
  expand(bytes: number): void {
    this.expanded += bytes;
    if (this.expanded > this.limit.bytes) throw this.expansionRefused();
  }

  expansionRefused(): PackageRejectedError {
    return new PackageRejectedError(this.limit.refusal);
  }

  /**
   * Checks one entry's header; answers its path (normalized, no trailing `/`), or null for an entry that adds
   * nothing (the archive's own `./` folder, a folder listed twice). A file's content is then given to `addFile`;
   * a hard link is recorded here as a copy of the file it links to.
   */
  admit(header: PackageEntryHeader): string | null {
    if (++this.entries > this.limits.maxEntries) throw this.tooManyEntries();
    const path = this.checkedPath(header);
    if (path === null) return null;
    const raw = header.name;
    if (header.kind === 'special') {
      throw new PackageRejectedError(
        `The package holds ${shownName(raw)}, a ${header.special ?? 'special file'}: a package may hold only files, folders and links.`,
        [raw],
      );
    }
    const earlier = this.kinds.get(path);
    if (earlier !== undefined) {
      if (earlier === 'directory' && header.kind === 'directory') return null;
      throw new PackageRejectedError(`The package holds ${shownName(path)} more than once: keep one copy of it.`, [raw]);
    }
    this.kinds.set(path, header.kind);
    if (header.kind === 'symlink') this.symlinks.set(path, this.checkedLinkTarget(raw, header.linkTarget));
    if (header.kind === 'hardlink') this.addHardLink(path, raw, header.linkTarget);
    return path;
  }

  addFile(path: string, size: number, sha256: string): void {
    this.files.set(path, { path, size, sha256 });
  }

  /** The rules over all entries (no file under a file or link, links inside the root), then the sorted manifest. */
  manifest(): PackageFile[] {
    const clashes = fileFolderClashes(
      [...this.kinds].map(([name, kind]) => ({ name, kind: kind === 'directory' ? 'directory' : 'file' })),
    );
    if (clashes.length) {
      throw new PackageRejectedError(
        `The package holds entries under ${shownName(clashes[0]!)}, which is a file or a link: keep one of them.`,
        clashes,
      );
    }
    for (const [path, target] of this.symlinks) {
      const lands = resolveLink(path, target, this.symlinks);
      if (lands === 'inside') continue;
      throw new PackageRejectedError(
        lands === 'loop'
          ? `The package's symbolic link ${shownName(path)} -> ${shownName(target)} goes round in a loop: remove it.`
          : `The package's symbolic link ${shownName(path)} -> ${shownName(target)} points outside the package: links may ` +
              'only point at paths inside it.',
        [path],
      );
    }
    if (this.files.size === 0)
      throw new PackageRejectedError('The package holds no files: upload a .tar.gz or .zip of the files to deploy.');
    return [...this.files.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  private tooManyEntries(): PackageRejectedError {
    return new PackageRejectedError(
      `The package holds more than ${this.limits.maxEntries} entries: pack fewer files (an archive inside the package counts as one).`,
    );
  }

  /** The entry's normalized path; null for the root folder itself; refuses unsafe names. */
  private checkedPath({ name: raw, kind }: PackageEntryHeader): string | null {
    if (raw.length > MAX_ENTRY_PATH_CHARS) {
      throw new PackageRejectedError(
        `The package has an entry whose path is longer than ${MAX_ENTRY_PATH_CHARS} characters (${shownName(raw)}): shorten it.`,
        [raw],
      );
    }
    const { normalized, unsafe } = checkEntryName(raw);
    if (unsafe === 'empty' && kind === 'directory') return null;
    if (unsafe === 'control-characters') {
      throw new PackageRejectedError(
        `The package has an entry name with control characters such as NUL or newline (${shownName(raw)}): rename it.`,
        [raw],
      );
    }
    if (unsafe) {
      throw new PackageRejectedError(
        `The package has an entry with an absolute path or a ".." segment (${shownName(raw)}): pack the folder with ` +
          'relative paths (tar -czf package.tar.gz -C folder .).',
        [raw],
      );
    }
    if (raw.includes('\\')) {
      throw new PackageRejectedError(
        `The package has an entry name with a backslash (${shownName(raw)}): use "/" between folders and rename files with "\\".`,
        [raw],
      );
    }
    return normalized.replace(/\/$/, '');
  }

  private checkedLinkTarget(raw: string, target: string | null | undefined): string {
    // eslint-disable-next-line no-control-regex
    if (!target || target.length > MAX_ENTRY_PATH_CHARS || /[\u0000-\u001f\\]/.test(target)) {
      throw new PackageRejectedError(
        `The package's link ${shownName(raw)} has an empty, overlong or unsafe target (${shownName(target ?? '')}): remove it.`,
        [raw],
      );
    }
    return target;
  }

  private addHardLink(path: string, raw: string, target: string | null | undefined): void {
    const { normalized, unsafe } = checkEntryName(target ?? '');
    const file = unsafe || (target ?? '').includes('\\') ? undefined : this.files.get(normalized);
    if (!file) {
      throw new PackageRejectedError(
        `The package's hard link ${shownName(raw)} -> ${shownName(target ?? '')} does not point at a file earlier in the ` +
          'package: links may only point at files inside it.',
        [raw],
      );
    }
    this.files.set(path, { ...file, path });
  }
}

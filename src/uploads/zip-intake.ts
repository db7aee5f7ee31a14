import { mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { AppError } from '../common/errors.js';
import { entryData, ZipEntryDataError } from '../common/zip.js';
import { escapeHidden } from '../common/text.js';
import { checkEntryName, entryKind, type UnsafeNameReason } from '../common/zip-entry-name.js';

export interface UploadLimits {
  /** Largest total of uncompressed bytes (declared and actually inflated). */
  maxUncompressedBytes: number;
  /** Largest compression ratio (uncompressed / compressed), per entry and for the whole upload. */
  maxRatio: number;
  /** Most entries (files and folders) in the zip. */
  maxEntries: number;
  /** Largest single file, uncompressed. */
  maxFileBytes: number;
}

/** 600 MB is the Metadata API's own unzipped ceiling; 50,000 entries leaves room for 10,000-component projects. */
export const DEFAULT_UPLOAD_LIMITS: Readonly<UploadLimits> = Object.freeze({
  maxUncompressedBytes: 600 * 1024 * 1024,
  maxRatio: 100,
  maxEntries: 50_000,
  maxFileBytes: 50 * 1024 * 1024,
});

/** Below this many uncompressed bytes the ratio is not judged: tiny, very compressible files (blank XML) are normal. */
export const RATIO_GRACE_BYTES = 1024 * 1024;

export interface ExtractedUpload {
  dir: string;
  /** Extracted files, relative to `dir`, posix separators, sorted. */
  files: string[];
  /**
   * The bytes of each of `files`: read them here rather than from `dir` again (the files `onDisk` declined are only
   * here).
   */
  contents: Map<string, Buffer>;
  /** Uncompressed bytes written. */
  totalBytes: number;
  /** The single wrapping folder that was removed (`my-project/`), if any. */
  strippedPrefix?: string;
}

/** An upload Backtrack refuses: 400 (not a zip, unsafe entries) or 413 (too big). Nothing is left on disk. */
export class UploadRejectedError extends AppError {
  constructor(
    override readonly status: 400 | 413,
    message: string,
    readonly entries?: string[],
  ) {
    super(status, message, entries ? { entries } : undefined);
  }
}

/** Entries that carry no project content and are skipped silently (macOS resource forks, Finder files). */
function isJunk(name: string): boolean {
  return (
    name.startsWith('__MACOSX/') ||
    name === '.DS_Store' ||
    name.endsWith('/.DS_Store') ||
    name === 'Thumbs.db' ||
    name.endsWith('/Thumbs.db')
  );
}

const MB = (n: number): string => `${Math.round((n / (1024 * 1024)) * 10) / 10} MB`;
const list = (names: string[]): string =>
  names.slice(0, 5).join(', ') + (names.length > 5 ? ` and ${names.length - 5} more` : '');

interface PlannedEntry {
  entry: Entry;
  name: string;
  kind: 'file' | 'directory';
}

async function openZip(zip: Buffer): Promise<ZipFile> {
  try {
    return await yauzl.fromBufferPromise(zip, {
      lazyEntries: true,
      autoClose: false,
      decodeStrings: false,
      validateEntrySizes: false,
    });
  } catch {
    throw new UploadRejectedError(
      400,
      'The upload is not a readable zip file: upload a .zip of an SFDX project or a metadata-format package.',
    );
  }
}

async function readAllEntries(zipfile: ZipFile, maxEntries: number): Promise<Entry[]> {
  const entries: Entry[] = [];
  return new Promise<Entry[]>((resolvePromise, reject) => {
    zipfile.on('entry', (entry: Entry) => {
      entries.push(entry);
      if (entries.length > maxEntries) {
        reject(
          new UploadRejectedError(
            413,
            `The zip holds more than ${maxEntries} entries: split the upload or remove files that are not metadata.`,
          ),
        );
        return;
      }
      zipfile.readEntry();
    });
    zipfile.on('end', () => resolvePromise(entries));
    zipfile.on('error', (err: Error) =>
      reject(
        new UploadRejectedError(
          400,
          `The zip file is damaged (${err.message}): create the zip again and re-upload it.`,
        ),
      ),
    );
    zipfile.readEntry();
  });
}

/** Decides what to extract; refuses unsafe names, links, encryption, duplicates and declared sizes over the limits. */
function planEntries(
  entries: Entry[],
  zipBytes: number,
  limits: UploadLimits,
): { plan: PlannedEntry[]; prefix?: string } {
  const unsafe = new Map<UnsafeNameReason, string[]>();
  const links: string[] = [];
  const encrypted: string[] = [];
  const duplicates: string[] = [];
  const tooBig: string[] = [];
  const plan: PlannedEntry[] = [];
  const seen = new Set<string>();
  let declaredTotal = 0;
  for (const entry of entries) {
    const raw = yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, entry.fileNameRaw, entry.extraFields, true);
    const { normalized, unsafe: reason } = checkEntryName(raw);
    if (reason) {
      unsafe.set(reason, [...(unsafe.get(reason) ?? []), raw]);
      continue;
    }
    const kind = entryKind(entry.externalFileAttributes, normalized.endsWith('/'));
    if (kind === 'symlink' || kind === 'special') {
      links.push(raw);
      continue;
    }
    const name = normalized.replace(/\/$/, '');
    if (isJunk(normalized)) continue;
    if (kind === 'directory') {
      plan.push({ entry, name, kind });
      continue;
    }
    if (entry.isEncrypted()) encrypted.push(raw);
    if (seen.has(name)) duplicates.push(raw);
    seen.add(name);
    if (entry.uncompressedSize > limits.maxFileBytes) tooBig.push(raw);
    declaredTotal += entry.uncompressedSize;
    plan.push({ entry, name, kind });
  }
  const [firstUnsafe] = unsafe;
  if (firstUnsafe) throw new UploadRejectedError(400, unsafeNameMessage(...firstUnsafe), firstUnsafe[1]);
  if (links.length) {
    throw new UploadRejectedError(
      400,
      `The zip holds symbolic links or special files (${list(links)}): replace them with the real files.`,
      links,
    );
  }
  if (encrypted.length) {
    throw new UploadRejectedError(
      400,
      `The zip has password-protected entries (${list(encrypted)}): upload an unencrypted zip.`,
      encrypted,
    );
  }
  if (duplicates.length) {
    throw new UploadRejectedError(
      400,
      `The zip holds the same path more than once (${list(duplicates)}): keep one copy of each file.`,
      duplicates,
    );
  }
  const clashes = fileFolderClashes(plan);
  if (clashes.length) {
    throw new UploadRejectedError(
      400,
      `The zip holds ${list(clashes)} both as a file and as a folder: keep one of them.`,
      clashes,
    );
  }
  if (tooBig.length) {
    throw new UploadRejectedError(
      413,
      `Some files are larger than ${MB(limits.maxFileBytes)} (${list(tooBig)}): remove them from the upload.`,
      tooBig,
    );
  }
  if (declaredTotal > limits.maxUncompressedBytes) {
    throw new UploadRejectedError(
      413,
      `The zip unpacks to ${MB(declaredTotal)}, more than the ${MB(limits.maxUncompressedBytes)} allowed: split it into smaller uploads.`,
    );
  }
  if (declaredTotal > RATIO_GRACE_BYTES && declaredTotal > limits.maxRatio * zipBytes) {
    throw new UploadRejectedError(
      413,
      `The zip expands more than ${limits.maxRatio} times its size, which looks like a zip bomb: upload the project itself.`,
    );
  }
  const files = plan.filter((p) => p.kind === 'file');
  if (files.length === 0)
    throw new UploadRejectedError(
      400,
      'The zip holds no files: upload a zip of an SFDX project or a metadata-format package.',
    );
  return { plan, prefix: wrappingFolder(files.map((p) => p.name)) };
}

/** The sentence for entry names refused for one reason, naming them (control characters shown as code points). */
export function unsafeNameMessage(reason: UnsafeNameReason, names: string[]): string {
  const shown = list(names.map(escapeHidden));
  switch (reason) {
    case 'control-characters':
      return `The zip has entry names with control characters such as NUL or newline (${shown}): rename those files.`;
    case 'empty':
      return `The zip has entries without a name (${shown}): create the zip again.`;
    case 'absolute':
    case 'traversal':
      return `The zip has entries with absolute paths or ".." segments (${shown}): zip the project folder with relative paths.`;
  }
}

/** Paths that are a file in one entry and a folder of another (`Ok.cls` and `Ok.cls/x.txt`), in entry order. */
export function fileFolderClashes(plan: { name: string; kind: 'file' | 'directory' }[]): string[] {
  const files = new Set(plan.filter((p) => p.kind === 'file').map((p) => p.name));
  const clashes = new Set<string>();
  for (const item of plan) {
    const segments = item.name.split('/');
    for (let i = 1; i < segments.length; i++) {
      const folder = segments.slice(0, i).join('/');
      if (files.has(folder)) clashes.add(folder);
    }
    if (item.kind === 'directory' && files.has(item.name)) clashes.add(item.name);
  }
  return [...clashes];
}

/**
 * The single folder wrapping the whole project (`my-project/sfdx-project.json`, `my-project/force-app/…`), if
 * every file sits under it and it holds `sfdx-project.json` or `package.xml` directly. A bare `force-app/` or
 * `unpackaged/` without a manifest is left alone: its name is part of the project's paths.
 */
export function wrappingFolder(files: string[]): string | undefined {
  const first = files[0]?.split('/')[0];
  if (!first || !files.every((f) => f.startsWith(`${first}/`))) return undefined;
  const hasManifest = files.some((f) => f === `${first}/sfdx-project.json` || f === `${first}/package.xml`);
  return hasManifest ? `${first}/` : undefined;
}

/**
 * Extracts an uploaded zip into `destDir`, treating it as hostile: names are checked before anything is written,
 * sizes are counted while inflating (headers are not trusted), limits stop the stream as soon as they are crossed,
 * and on any rejection everything this call created is removed again. A single wrapping folder is stripped.
 */
export async function extractUpload(
  zip: Buffer,
  destDir: string,
  limits: UploadLimits = DEFAULT_UPLOAD_LIMITS,
  options: { onDisk?: (path: string) => boolean } = {},
): Promise<ExtractedUpload> {
  const zipfile = await openZip(zip);
  const root = resolve(destDir);
  const created: string[] = [];
  const writing = new Set<Promise<void>>();
  let rootCreated = false;
  try {
    if (zipfile.entryCount > limits.maxEntries) {
      throw new UploadRejectedError(
        413,
        `The zip holds ${zipfile.entryCount} entries, more than the ${limits.maxEntries} allowed: split the upload.`,
      );
    }
    const entries = await readAllEntries(zipfile, limits.maxEntries);
    const { plan, prefix } = planEntries(entries, zip.length, limits);

    rootCreated = !(await exists(root));
    await mkdir(root, { recursive: true });
    const before = new Set(await readdir(root));

    let total = 0;
    const written = new Map<string, Buffer>();
    // Every folder is made up front, all at once: one after the other, their round trips to the thread pool add up
    // (a 10,000-component project has over a thousand folders).
    const targets = new Map<PlannedEntry, { rel: string; target: string }>();
    for (const item of plan) {
      const rel = prefix
        ? (item.name + '/').startsWith(prefix)
          ? item.name.slice(prefix.length)
          : undefined
        : item.name;
      if (rel === undefined || rel === '') continue;
      const target = join(root, ...rel.split('/'));
      if (!target.startsWith(root + sep))
        throw new UploadRejectedError(400, `The entry ${item.name} points outside the project: remove it.`, [
          item.name,
        ]);
      const top = rel.split('/')[0]!;
      if (!before.has(top) && !created.includes(top)) created.push(top);
      targets.set(item, { rel, target });
    }
    const folders = [
      ...new Set([...targets].map(([item, { target }]) => (item.kind === 'directory' ? target : dirname(target)))),
    ];
    const made = await Promise.allSettled(folders.map((dir) => mkdir(dir, { recursive: true })));
    const unmade = made.findIndex((m) => m.status === 'rejected');
    if (unmade >= 0) {
      const folder = folders[unmade]!.slice(root.length + 1)
        .split(sep)
        .join('/');
      throw writeFailure((made[unmade] as PromiseRejectedResult).reason, folder);
    }
    // Entries are inflated one at a time in memory, never past the bytes the limits leave, and written a few at a
    // time (bounded in bytes): per-entry streams cost about a millisecond each, which is 15 s for 15,000 files.
    let writingBytes = 0;
    // The first write that failed (set by the writes' callbacks, so kept in an object the loop reads afresh).
    const failed: { write?: UploadRejectedError } = {};
    for (const [item, { rel, target }] of targets) {
      if (item.kind === 'directory') continue;
      const data = await inflateEntry(zip, zipfile, item, budget(item.entry.compressedSize, total, zip.length, limits));
      total += data.length;
      if (data.length !== item.entry.uncompressedSize) {
        throw new UploadRejectedError(
          400,
          `The entry ${item.name} holds ${data.length} bytes but its header says ${item.entry.uncompressedSize}: create the zip again.`,
          [item.name],
        );
      }
      if (options.onDisk && !options.onDisk(rel)) {
        written.set(rel, data);
        continue;
      }
      const write: Promise<void> = writeFile(target, data, { flag: 'wx' })
        .catch((err: unknown) => {
          failed.write ??= writeFailure(err, item.name);
        })
        .finally(() => {
          writing.delete(write);
          writingBytes -= data.length;
        });
      writing.add(write);
      writingBytes += data.length;
      while (writing.size >= 64 || writingBytes > 32 * 1024 * 1024) await Promise.race(writing);
      if (failed.write) throw failed.write;
      written.set(rel, data);
    }
    await Promise.all(writing);
    if (failed.write) throw failed.write;
    const files = [...written.keys()].sort();
    const contents = new Map(files.map((f) => [f, written.get(f)!]));
    return { dir: root, files, contents, totalBytes: total, ...(prefix ? { strippedPrefix: prefix } : {}) };
  } catch (err) {
    await Promise.all(writing);
    if (rootCreated) await rm(root, { recursive: true, force: true });
    else await Promise.all(created.map((top) => rm(join(root, top), { recursive: true, force: true })));
    throw err;
  } finally {
    zipfile.close();
  }
}

/** How many bytes an entry may inflate to before a limit is crossed, and the sentence for the limit that binds first. */
interface Budget {
  bytes: number;
  refuse(name: string): UploadRejectedError;
}

function budget(compressedSize: number, total: number, zipBytes: number, limits: UploadLimits): Budget {
  const caps: Budget[] = [
    {
      bytes: limits.maxFileBytes,
      refuse: (name) =>
        new UploadRejectedError(
          413,
          `${name} unpacks to more than ${MB(limits.maxFileBytes)}: remove it from the upload.`,
          [name],
        ),
    },
    {
      bytes: Math.max(RATIO_GRACE_BYTES, compressedSize * limits.maxRatio),
      refuse: (name) =>
        new UploadRejectedError(
          413,
          `${name} expands more than ${limits.maxRatio} times its compressed size, which looks like a zip bomb: remove it.`,
          [name],
        ),
    },
    {
      bytes: limits.maxUncompressedBytes - total,
      refuse: () =>
        new UploadRejectedError(
          413,
          `The zip unpacks to more than ${MB(limits.maxUncompressedBytes)}: split it into smaller uploads.`,
        ),
    },
    {
      bytes: Math.max(RATIO_GRACE_BYTES, limits.maxRatio * zipBytes) - total,
      refuse: () =>
        new UploadRejectedError(
          413,
          `The zip expands more than ${limits.maxRatio} times its size, which looks like a zip bomb: upload the project itself.`,
        ),
    },
  ];
  return caps.reduce((a, b) => (b.bytes < a.bytes ? b : a));
}

/** An entry's bytes, inflated straight from the zip in memory, refused as soon as they would pass the budget. */
async function inflateEntry(
  zip: Buffer,
  zipfile: ZipFile,
  { entry, name }: PlannedEntry,
  limit: Budget,
): Promise<Buffer> {
  try {
    return await entryData(zip, zipfile, entry, limit.bytes);
  } catch (err) {
    if (!(err instanceof ZipEntryDataError)) throw err;
    if (err.reason === 'too-large') throw limit.refuse(name);
    const problem = err.reason === 'damaged' ? `is damaged (${err.message})` : `cannot be read (${err.message})`;
    throw new UploadRejectedError(400, `The entry ${name} ${problem}: create the zip again.`, [name]);
  }
}

function writeFailure(err: unknown, name: string): UploadRejectedError {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EEXIST' || code === 'ENOTDIR' || code === 'EISDIR') {
    return new UploadRejectedError(
      400,
      `The entry ${name} collides with another entry of the same name: keep one of them.`,
      [name],
    );
  }
  return new UploadRejectedError(400, `The entry ${name} could not be written (${(err as Error).message}).`, [name]);
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

import { ZipArchive } from 'archiver';
import { constants as bufferConstants } from 'node:buffer';
import { promisify } from 'node:util';
import { crc32, deflateRaw, deflateRawSync, inflateRawSync } from 'node:zlib';
import yauzl, { type Entry } from 'yauzl';
import { deflatedOf, rememberDeflated, type Deflated, type DeflatedContent } from './deflated.js';
import { checkEntryName, entryKind } from './zip-entry-name.js';
import { turnsEvery } from './concurrency.js';

export type ZipEntryInput = ContentEntry | DeflatedEntry;

export interface ContentEntry {
  path: string;
  content: Buffer;
}

/**
 * An entry given as its content's deflate stream (a blob read back and verified, `BlobStore.getDeflatedMany`): it
 * goes into the zip as is, so the content itself never has to be held. Written deflated at any level but 0.
 */
export interface DeflatedEntry {
  path: string;
  deflated: DeflatedContent;
}

function sizeOf(e: ZipEntryInput): number {
  return 'content' in e ? e.content.length : e.deflated.size;
}

/** The entry's content: inflated again for a deflated entry (only where a writer needs the bytes themselves). */
function contentOf(e: ZipEntryInput): Buffer {
  return 'content' in e ? e.content : inflateRawSync(e.deflated.raw);
}

/** Thrown when a zip from outside (an org's retrieve result) cannot be read or holds unsafe entries. */
export class ZipReadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ZipReadError';
  }
}

/** A zip entry whose bytes are damaged: a broken deflate stream, or a CRC-32 that does not match its contents. */
export class ZipEntryCorruptError extends ZipReadError {
  constructor(
    readonly entry: string,
    problem: string,
  ) {
    super(`The zip entry ${entry} is corrupt (${problem}).`);
    this.name = 'ZipEntryCorruptError';
  }
}

/** Beyond these a zip needs ZIP64 records; the in-memory writer hands such archives to archiver. */
const ZIP32_MAX_ENTRIES = 0xffff;
const MAX_BUFFER_LENGTH = bufferConstants.MAX_LENGTH;
const ZIP32_MAX_BYTES = 0xffffffff;
/** 1980-01-01 00:00 in DOS date/time: the same input always gives the same bytes. */
const DOS_DATE = (0 << 9) | (1 << 5) | 1;
const DOS_TIME = 0;

/** Thrown by `writeZipSync` when the entries need ZIP64 records, which the in-memory writer does not frame. */
export class ZipTooLargeError extends Error {
  override readonly name = 'ZipTooLargeError';
}

/**
 * Builds a zip in memory, synchronously. Entries are deflated one by one and framed by hand, which is about four
 * times faster than archiver for 10,000+ small files (archiver deflates each entry through an async stream). A zip
 * that would need ZIP64 (65,535 entries or more, or 4 GiB) is refused with `ZipTooLargeError`; `writeZip` hands
 * such archives to archiver instead. `level` is the deflate level (default 6); the output is deterministic (fixed
 * dates, input order). The one zip writer of the service and the emulator.
 */
export function writeZipSync(entries: Iterable<ZipEntryInput>, options: ZipWriteOptions = {}): Buffer {
  const list = [...entries];
  const level = options.level ?? 6;
  const zip = needsZip64(list)
    ? null
    : frameZip(list, level, options, (e) => reusedStream(e, options)?.raw ?? deflateRawSync(contentOf(e), { level }));
  if (!zip)
    throw new ZipTooLargeError(`A zip of ${list.length} entries this large needs ZIP64; write it with writeZip.`);
  return zip;
}

/**
 * As `writeZipSync` (the same bytes), but entries are deflated on libuv's thread pool, a batch at a time, so the
 * event loop stays free and every core works; a zip that needs ZIP64 is written by archiver instead of refused.
 */
export async function writeZip(entries: Iterable<ZipEntryInput>, options: ZipWriteOptions = {}): Promise<Buffer> {
  const list = [...entries];
  const level = options.level ?? 6;
  if (needsZip64(list)) return writeZipWithArchiver(list, options);
  const deflated: Buffer[] = [];
  if (level !== 0) {
    for (let i = 0; i < list.length; i += DEFLATE_BATCH) {
      const batch = list.slice(i, i + DEFLATE_BATCH);
      const known = batch.map((e) => reusedStream(e, options));
      const fresh = await Promise.all(
        batch.map((e, k) => (known[k] ? Promise.resolve(null) : deflateRawAsync(contentOf(e), { level }))),
      );
      deflated.push(...batch.map((_, k) => known[k]?.raw ?? fresh[k]!));
    }
  }
  return frameZip(list, level, options, (_, i) => deflated[i]!) ?? writeZipWithArchiver(list, options);
}

export interface ZipWriteOptions {
  /** Deflate level, default 6 (0: entries stored). */
  level?: number;
  /**
   * Put a content's own deflate stream in the zip when it was read from one (`deflatedOf`: a blob read back)
   * instead of deflating it again: the entries inflate to the same bytes, but the zip's bytes then depend on how
   * each content was compressed, not on the content alone. Off by default.
   */
  reuseDeflated?: boolean;
}

const deflateRawAsync = promisify(deflateRaw);
/** Entries deflated at once by `writeZip`: enough to keep the thread pool busy, few enough to bound memory. */
const DEFLATE_BATCH = 256;

/** The deflate stream an entry already has: a deflated entry's own, or a content's remembered one when reused. */
function reusedStream(e: ZipEntryInput, options: ZipWriteOptions): Deflated | undefined {
  if (!('content' in e)) return e.deflated;
  return options.reuseDeflated ? deflatedOf(e.content) : undefined;
}

function needsZip64(list: ZipEntryInput[]): boolean {
  const total = list.reduce((sum, e) => sum + sizeOf(e), 0);
  return list.length >= ZIP32_MAX_ENTRIES || total >= ZIP32_MAX_BYTES;
}

/** The zip's bytes, or null when its offsets would pass what 32-bit records can hold. */
function frameZip(
  list: ZipEntryInput[],
  level: number,
  options: ZipWriteOptions,
  deflate: (entry: ZipEntryInput, index: number) => Buffer,
): Buffer | null {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const [i, e] of list.entries()) {
    const name = Buffer.from(e.path, 'utf8');
    const size = sizeOf(e);
    // a deflated entry stays deflated (its content is not at hand); a content is stored when deflating does not pay
    const content = level === 0 || 'content' in e ? contentOf(e) : undefined;
    const deflated = level === 0 ? content! : deflate(e, i);
    const method = level === 0 || (content && deflated.length >= size) ? 0 : 8;
    const body = method === 8 ? deflated : content!;
    const known = level !== 0 ? reusedStream(e, options) : undefined;
    const crc = (known?.raw === deflated ? known.crc : crc32(content!)) >>> 0;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(DOS_TIME, 10);
    local.writeUInt16LE(DOS_DATE, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    parts.push(local, name, body);
    const header = Buffer.alloc(46);
    header.writeUInt32LE(0x02014b50, 0);
    header.writeUInt16LE((3 << 8) | 20, 4);
    header.writeUInt16LE(20, 6);
    header.writeUInt16LE(0x0800, 8);
    header.writeUInt16LE(method, 10);
    header.writeUInt16LE(DOS_TIME, 12);
    header.writeUInt16LE(DOS_DATE, 14);
    header.writeUInt32LE(crc, 16);
    header.writeUInt32LE(body.length, 20);
    header.writeUInt32LE(size, 24);
    header.writeUInt16LE(name.length, 28);
    header.writeUInt32LE((0o100644 << 16) >>> 0, 38);
    if (offset >= ZIP32_MAX_BYTES) return null;
    header.writeUInt32LE(offset, 42);
    central.push(header, name);
    offset += local.length + name.length + body.length;
  }
  const directory = Buffer.concat(central);
  if (offset + directory.length >= ZIP32_MAX_BYTES) return null;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(list.length, 8);
  end.writeUInt16LE(list.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, directory, end]);
}

/** Streams entries through archiver (handles ZIP64). */
export async function writeZipWithArchiver(
  entries: Iterable<ZipEntryInput>,
  options: ZipWriteOptions = {},
): Promise<Buffer> {
  const archive = new ZipArchive({ zlib: { level: options.level ?? 6 } });
  const chunks: Buffer[] = [];
  archive.on('data', (chunk: Buffer) => chunks.push(chunk));
  const failed = new Promise<never>((_, reject) => {
    archive.on('error', reject);
    archive.on('warning', reject);
  });
  const date = new Date('2000-01-01T00:00:00Z');
  for (const e of entries) archive.append(contentOf(e), { name: e.path, date });
  await Promise.race([archive.finalize(), failed]);
  await new Promise<void>((resolve) => (archive.readableEnded ? resolve() : archive.on('end', () => resolve())));
  return Buffer.concat(chunks);
}

/**
 * Reads every file of a zip into memory (names normalized to posix, folders skipped). Refuses traversal/absolute
 * names and links. For zips an org returned; uploads go through `extractUpload`, which also enforces size limits.
 * A plain zip (`plainEntries`: what Salesforce and this service write) is walked in one synchronous pass; any other
 * (ZIP64, names in a legacy code page, …) is read through yauzl. Both inflate and check every entry the same way.
 */
export async function readZip(zip: Buffer): Promise<Map<string, Buffer>> {
  const plain = plainEntries(zip);
  if (!plain) return readZipWithYauzl(zip);
  const files = new Map<string, Buffer>();
  // inflated a slice at a time: a retrieve's zip of thousands of files would hold the event loop for 100-200 ms
  const turn = turnsEvery();
  for (const entry of plain) {
    await turn();
    const name = checkedName(entry.name, entry.externalFileAttributes);
    if (name === null) continue;
    if (entry.encrypted) throw new ZipReadError(`The zip entry ${entry.name} is encrypted.`);
    files.set(name, contentOfEntry(entry.name, entry.data, entry));
  }
  return files;
}

async function readZipWithYauzl(zip: Buffer): Promise<Map<string, Buffer>> {
  let zipfile;
  try {
    zipfile = await yauzl.fromBufferPromise(zip, { lazyEntries: true, autoClose: false, decodeStrings: false });
  } catch (err) {
    throw new ZipReadError(`The zip cannot be read: ${(err as Error).message}`);
  }
  try {
    const files = new Map<string, Buffer>();
    for await (const entry of zipfile.eachEntry() as AsyncIterable<Entry>) {
      const raw = yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, entry.fileNameRaw, entry.extraFields, true);
      const name = checkedName(raw, entry.externalFileAttributes);
      if (name === null) continue;
      files.set(name, await entryContent(zip, zipfile, entry, raw));
    }
    return files;
  } catch (err) {
    if (err instanceof ZipReadError) throw err;
    throw new ZipReadError(`The zip cannot be read: ${(err as Error).message}`);
  } finally {
    zipfile.close();
  }
}

/** The entry's normalized name; null for a folder. Refuses unsafe names, links and special files. */
function checkedName(raw: string, externalFileAttributes: number): string | null {
  const { normalized, unsafe } = checkEntryName(raw);
  if (unsafe) throw new ZipReadError(`The zip entry ${raw} is unsafe (${unsafe}).`);
  const kind = entryKind(externalFileAttributes, normalized.endsWith('/'));
  if (kind === 'directory') return null;
  if (kind !== 'file') throw new ZipReadError(`The zip entry ${raw} is a link or special file.`);
  return normalized;
}

/** An entry of a plain zip as `plainEntries` found it: its name, what its header records and its bytes as stored. */
export interface PlainEntry {
  name: string;
  encrypted: boolean;
  compressionMethod: number;
  crc32: number;
  uncompressedSize: number;
  externalFileAttributes: number;
  /** The entry's data as stored (deflated or not), a view into the zip. */
  data: Buffer;
}

const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
/** Info-ZIP's Unicode Path extra field: a name given again in UTF-8, which yauzl reads. */
const UNICODE_PATH_FIELD = 0x7075;

/**
 * The entries of a plain zip, read from its central directory in one synchronous pass: one disk, no ZIP64 records,
 * every name UTF-8 (flagged) or printable ASCII, no Unicode Path field, every header and data inside the buffer, and the
 * end-of-central-directory record exactly at the end (after its comment). Null for anything else, which yauzl reads
 * instead (or refuses): a zip is never read differently, only more slowly.
 */
export function plainEntries(zip: Buffer): PlainEntry[] | null {
  const end = findEndOfCentralDirectory(zip);
  if (end < 0) return null;
  const disk = zip.readUInt16LE(end + 4);
  const directoryDisk = zip.readUInt16LE(end + 6);
  const onDisk = zip.readUInt16LE(end + 8);
  const count = zip.readUInt16LE(end + 10);
  const directorySize = zip.readUInt32LE(end + 12);
  const directoryOffset = zip.readUInt32LE(end + 16);
  if (disk !== 0 || directoryDisk !== 0 || onDisk !== count || count === 0xffff) return null;
  if (directoryOffset === 0xffffffff || directorySize === 0xffffffff) return null;
  if (directoryOffset + directorySize > end) return null;
  const entries: PlainEntry[] = [];
  let at = directoryOffset;
  for (let i = 0; i < count; i++) {
    if (at + 46 > end || zip.readUInt32LE(at) !== CENTRAL_SIGNATURE) return null;
    const flags = zip.readUInt16LE(at + 8);
    const compressionMethod = zip.readUInt16LE(at + 10);
    const crc = zip.readUInt32LE(at + 16);
    const compressedSize = zip.readUInt32LE(at + 20);
    const uncompressedSize = zip.readUInt32LE(at + 24);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const entryDisk = zip.readUInt16LE(at + 34);
    const externalFileAttributes = zip.readUInt32LE(at + 38);
    const localOffset = zip.readUInt32LE(at + 42);
    const next = at + 46 + nameLength + extraLength + commentLength;
    if (next > end || entryDisk !== 0) return null;
    if ([compressedSize, uncompressedSize, localOffset].includes(0xffffffff)) return null;
    const nameBytes = zip.subarray(at + 46, at + 46 + nameLength);
    // without the UTF-8 flag a name is in code page 437 (which yauzl decodes): only printable ASCII reads the same
    if ((flags & 0x800) === 0 && nameBytes.some((b) => b < 0x20 || b > 0x7e)) return null;
    if (hasExtraField(zip.subarray(at + 46 + nameLength, at + 46 + nameLength + extraLength), UNICODE_PATH_FIELD))
      return null;
    if (localOffset + 30 > directoryOffset || zip.readUInt32LE(localOffset) !== LOCAL_SIGNATURE) return null;
    const dataStart = localOffset + 30 + zip.readUInt16LE(localOffset + 26) + zip.readUInt16LE(localOffset + 28);
    if (dataStart + compressedSize > directoryOffset) return null;
    entries.push({
      name: nameBytes.toString('utf8'),
      encrypted: (flags & 1) !== 0,
      compressionMethod,
      crc32: crc,
      uncompressedSize,
      externalFileAttributes,
      data: zip.subarray(dataStart, dataStart + compressedSize),
    });
    at = next;
  }
  return at === directoryOffset + directorySize ? entries : null;
}

/** The offset of the end-of-central-directory record whose comment ends the buffer exactly, or -1. */
function findEndOfCentralDirectory(zip: Buffer): number {
  for (let at = zip.length - 22; at >= Math.max(0, zip.length - 22 - 0xffff); at--) {
    if (zip.readUInt32LE(at) === EOCD_SIGNATURE && at + 22 + zip.readUInt16LE(at + 20) === zip.length) return at;
  }
  return -1;
}

function hasExtraField(extra: Buffer, id: number): boolean {
  for (let at = 0; at + 4 <= extra.length; at += 4 + extra.readUInt16LE(at + 2)) {
    if (extra.readUInt16LE(at) === id) return true;
  }
  return false;
}

/** What a reader of an org's zip is told when an entry's bytes could not be had: the sentence naming the entry. */
function entryFailure(name: string, err: unknown): unknown {
  if (!(err instanceof ZipEntryDataError)) return err;
  if (err.reason === 'too-large') return new ZipReadError(`The zip entry ${name} does not match its declared size.`);
  if (err.reason === 'damaged') return new ZipEntryCorruptError(name, err.message);
  return new ZipReadError(`The zip entry ${name}: ${err.message}.`);
}

/** Inflates one entry of a zip an org returned; its size and CRC-32 must be what its header says. */
async function entryContent(zip: Buffer, zipfile: yauzl.ZipFile, entry: Entry, name: string): Promise<Buffer> {
  if (entry.isEncrypted()) throw new ZipReadError(`The zip entry ${name} is encrypted.`);
  let raw: Buffer;
  try {
    raw = await entryRaw(zip, zipfile, entry);
  } catch (err) {
    throw entryFailure(name, err);
  }
  return contentOfEntry(name, raw, entry);
}

/** An entry's content from its stored data: inflated, exactly its declared size, and its CRC-32 checked. */
function contentOfEntry(
  name: string,
  raw: Buffer,
  entry: Pick<Entry, 'compressionMethod' | 'uncompressedSize' | 'crc32'>,
): Buffer {
  let data: Buffer;
  try {
    data = entryBytes(raw, entry, entry.uncompressedSize);
  } catch (err) {
    throw entryFailure(name, err);
  }
  if (data.length !== entry.uncompressedSize) {
    throw new ZipReadError(`The zip entry ${name} does not match its declared size.`);
  }
  return data;
}

/**
 * Why an entry's bytes could not be had: unreadable framing, damaged data (bad deflate stream or a CRC-32 that does
 * not match), or more than the bytes allowed.
 */
export class ZipEntryDataError extends Error {
  constructor(
    readonly reason: 'unreadable' | 'damaged' | 'too-large',
    message: string,
  ) {
    super(message);
    this.name = 'ZipEntryDataError';
  }
}

/**
 * One entry's bytes, read straight from the zip buffer and inflated synchronously (per-entry streams dominate for
 * many small files), never past `maxBytes`: a stored or deflated entry that would be larger is refused with
 * reason `too-large` before more than `maxBytes + 1` bytes are produced.
 */
export async function entryData(zip: Buffer, zipfile: yauzl.ZipFile, entry: Entry, maxBytes: number): Promise<Buffer> {
  return entryBytes(await entryRaw(zip, zipfile, entry), entry, maxBytes);
}

/** The entry's data as stored in the zip (after its local header), a view into the buffer. */
async function entryRaw(zip: Buffer, zipfile: yauzl.ZipFile, entry: Entry): Promise<Buffer> {
  let start: number;
  try {
    ({ fileDataStart: start } = await zipfile.readLocalFileHeaderPromise(entry, { minimal: true }));
  } catch (err) {
    throw new ZipEntryDataError('unreadable', (err as Error).message);
  }
  const end = start + entry.compressedSize;
  if (end > zip.length) throw new ZipEntryDataError('unreadable', 'its data runs past the end of the file');
  return zip.subarray(start, end);
}

/** An entry's stored data inflated (or copied, when stored) and checked against its size limit and CRC-32. */
function entryBytes(
  raw: Buffer,
  entry: Pick<Entry, 'compressionMethod' | 'uncompressedSize' | 'crc32'>,
  maxBytes: number,
): Buffer {
  const tooLarge = () => new ZipEntryDataError('too-large', `it holds more than ${maxBytes} bytes`);
  if (entry.compressionMethod === 0) {
    if (raw.length > maxBytes) throw tooLarge();
    return checkedCrc(Buffer.from(raw), entry);
  }
  if (entry.compressionMethod !== 8)
    throw new ZipEntryDataError('unreadable', `unsupported compression method ${entry.compressionMethod}`);
  let data: Buffer;
  try {
    const limit = Math.max(1, Math.min(maxBytes, MAX_BUFFER_LENGTH - 1) + 1);
    // one output buffer of the expected size (zlib's default is a 16 KiB chunk per call, then a copy): for
    // thousands of small entries the allocations cost more than the inflating
    const expected = Math.min(limit, Math.max(entry.uncompressedSize, 0) + 1);
    data = inflateRawSync(raw, { maxOutputLength: limit, chunkSize: Math.max(64, Math.min(expected, 1 << 20)) });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge();
    throw new ZipEntryDataError('damaged', (err as Error).message);
  }
  if (data.length > maxBytes) throw tooLarge();
  const checked = checkedCrc(data, entry);
  rememberDeflated(checked, { raw, crc: entry.crc32 });
  return checked;
}

/**
 * The entry's bytes when their CRC-32 is the one its central directory records; neither yauzl (reading from a
 * buffer) nor inflate checks it, so without this a flipped bit in a stored entry would be silently accepted.
 */
function checkedCrc(data: Buffer, entry: Pick<Entry, 'crc32'>): Buffer {
  const actual = crc32(data) >>> 0;
  if (actual !== entry.crc32 >>> 0) {
    const hex = (n: number) => (n >>> 0).toString(16).padStart(8, '0');
    throw new ZipEntryDataError('damaged', `its CRC-32 is ${hex(actual)}, not the ${hex(entry.crc32)} the zip records`);
  }
  return data;
}

// Reading and writing metadata zips in memory.
import { crc32, inflateRawSync } from 'node:zlib';
import yauzl from 'yauzl';
import { writeZipSync } from '../common/zip.js';

export interface ZipReadLimits {
  readonly maxFiles: number;
  readonly maxUncompressedBytes: number;
}

export class ZipLimitError extends Error {
  constructor(
    readonly limit: 'files' | 'uncompressedBytes',
    message: string,
  ) {
    super(message);
  }
}

export class InvalidZipError extends Error {}

const STORED = 0;
const DEFLATED = 8;

/**
 * The files of a zip (directories skipped), checking the limits from the central directory before
 * inflating anything. Entries are inflated straight from the buffer, one at a time.
 */
export async function readZip(buffer: Buffer, limits: ZipReadLimits): Promise<Map<string, Buffer>> {
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.fromBufferPromise(buffer, { lazyEntries: true, decodeStrings: true, validateEntrySizes: true });
  } catch (error) {
    throw new InvalidZipError(`Invalid zip file: ${(error as Error).message}`);
  }
  const entries: yauzl.Entry[] = [];
  let totalBytes = 0;
  try {
    for await (const entry of zip.eachEntry()) {
      if (entry.fileName.endsWith('/')) continue;
      entries.push(entry);
      totalBytes += entry.uncompressedSize;
      if (entries.length > limits.maxFiles) throw new ZipLimitError('files', `more than ${limits.maxFiles} files`);
      if (totalBytes > limits.maxUncompressedBytes)
        throw new ZipLimitError('uncompressedBytes', `more than ${limits.maxUncompressedBytes} bytes unzipped`);
    }
    const files = new Map<string, Buffer>();
    for (const entry of entries) files.set(entry.fileName, await inflateEntry(zip, buffer, entry));
    return files;
  } catch (error) {
    if (error instanceof ZipLimitError || error instanceof InvalidZipError) throw error;
    throw new InvalidZipError(`Invalid zip file: ${(error as Error).message}`);
  } finally {
    zip.close();
  }
}

async function inflateEntry(zip: yauzl.ZipFile, buffer: Buffer, entry: yauzl.Entry): Promise<Buffer> {
  if (entry.isEncrypted()) throw new InvalidZipError(`Invalid zip file: ${entry.fileName} is encrypted`);
  const { fileDataStart } = await zip.readLocalFileHeaderPromise(entry, { minimal: true });
  const data = buffer.subarray(fileDataStart, fileDataStart + entry.compressedSize);
  const content = entry.compressionMethod === STORED ? Buffer.from(data) : inflated(data, entry);
  // Neither yauzl (reading from a buffer) nor inflate checks the CRC-32: a corrupt entry is refused here.
  if (crc32(content) >>> 0 !== entry.crc32 >>> 0) {
    throw new InvalidZipError(`Invalid zip file: ${entry.fileName} is corrupt (CRC-32 mismatch)`);
  }
  return content;
}

function inflated(data: Buffer, entry: yauzl.Entry): Buffer {
  if (entry.compressionMethod !== DEFLATED) {
    throw new InvalidZipError(
      `Invalid zip file: ${entry.fileName} uses unsupported compression ${entry.compressionMethod}`,
    );
  }
  if (entry.uncompressedSize === 0) return Buffer.alloc(0);
  const content = inflateRawSync(data, { maxOutputLength: entry.uncompressedSize });
  if (content.length !== entry.uncompressedSize)
    throw new InvalidZipError(`Invalid zip file: ${entry.fileName} has the wrong size`);
  return content;
}

/**
 * A zip of the given files, in the order given (deflate level 1). The service's writer (src/common/zip.ts): one
 * writer for both, with its ZIP64 guard (a zip of 65,535 entries or 4 GiB is refused, never written corrupt).
 */
export function writeZip(files: Iterable<readonly [string, Buffer]>): Buffer {
  return writeZipSync(
    Array.from(files, ([path, content]) => ({ path, content })),
    { level: 1 },
  );
}

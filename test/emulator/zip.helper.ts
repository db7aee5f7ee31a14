import { ZipArchive } from 'archiver';
import { readZip } from '../../src/emulator/zip-io.js';

/** A zip holding the given files (path → content), written with archiver (not the emulator's writer). */
export async function makeZip(files: Record<string, string | Buffer>): Promise<Buffer> {
  const archive = new ZipArchive({ zlib: { level: 6 } });
  const chunks: Buffer[] = [];
  archive.on('data', (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise<void>((resolve, reject) => {
    archive.on('end', resolve);
    archive.on('error', reject);
  });
  for (const [name, content] of Object.entries(files)) archive.append(content, { name });
  await archive.finalize();
  await ended;
  return Buffer.concat(chunks);
}

/** The files of a zip (path → content). */
export function unzip(zip: Buffer): Promise<Map<string, Buffer>> {
  return readZip(zip, { maxFiles: Number.MAX_SAFE_INTEGER, maxUncompressedBytes: Number.MAX_SAFE_INTEGER });
}

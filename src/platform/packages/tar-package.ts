import { createHash } from 'node:crypto';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import tar, { type Header } from 'tar-stream';
import { PackageEntries, PackageRejectedError, type PackageEntryHeader } from './package-entries.js';

const SPECIAL: Record<string, string> = {
  'character-device': 'character device',
  'block-device': 'block device',
  fifo: 'fifo (named pipe)',
};

/** A tar header as the package rules see it. */
export function tarEntryHeader(header: Header): PackageEntryHeader {
  const { name, type, linkname } = header;
  switch (type) {
    case 'file':
    case 'contiguous-file':
      return { name, kind: 'file' };
    case 'directory':
      return { name, kind: 'directory' };
    case 'symlink':
      return { name, kind: 'symlink', linkTarget: linkname };
    case 'link':
      return { name, kind: 'hardlink', linkTarget: linkname };
    default:
      return { name, kind: 'special', special: SPECIAL[type] ?? 'tar entry of an unknown type' };
  }
}

/**
 * Reads a .tar.gz as a stream (gunzip, then tar-stream), never holding more than one chunk of it expanded: every
 * entry goes through `entries`' rules, every expanded byte (headers and padding included) counts against its limit,
 * and each file is hashed as it passes. Damage (a truncated gzip, a gzip that holds no tar) is a PackageRejectedError.
 */
export async function readTarGz(archive: Buffer, entries: PackageEntries): Promise<void> {
  const extract = tar.extract();
  const counted = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      try {
        entries.expand(chunk.length);
        done(null, chunk);
      } catch (error) {
        done(error as Error);
      }
    },
  });
  let piped: unknown = null;
  const piping = pipeline(Readable.from([archive]), createGunzip(), counted, extract).catch((error: unknown) => {
    piped = error;
  });
  let seen = 0;
  try {
    for await (const entry of extract) {
      seen += 1;
      const path = entries.admit(tarEntryHeader(entry.header));
      const isFile = path !== null && (entry.header.type === 'file' || entry.header.type === 'contiguous-file');
      const hash = createHash('sha256');
      let size = 0;
      for await (const chunk of entry as AsyncIterable<Buffer>) {
        if (!isFile) continue;
        hash.update(chunk);
        size += chunk.length;
      }
      if (isFile) entries.addFile(path, size, hash.digest('hex'));
    }
  } catch (error) {
    await piping;
    // Leaving the loop closes the pipeline too: its "premature close" is not the reason.
    throw damage(error instanceof PackageRejectedError ? error : (piped ?? error), seen);
  }
  await piping;
  if (piped) throw damage(piped, seen);
}

/** The refusal for an archive that could not be read to its end. */
function damage(error: unknown, entriesSeen: number): PackageRejectedError {
  if (error instanceof PackageRejectedError) return error;
  // Read, not `instanceof Error`: zlib's errors may come from another realm (a test's VM context).
  const raw = (error as { message?: unknown } | null)?.message;
  const message = typeof raw === 'string' ? raw : String(error);
  if ((error as NodeJS.ErrnoException).code?.startsWith('Z_')) {
    return new PackageRejectedError(`The .tar.gz is damaged (gzip: ${message}): create it again and re-upload it.`);
  }
  if (entriesSeen === 0) {
    return new PackageRejectedError(
      `The body is gzip-compressed but holds no tar archive (${message}): a package must be a .tar.gz or .zip.`,
    );
  }
  return new PackageRejectedError(`The tar archive is damaged (${message}): create it again and re-upload it.`);
}

import { PackageEntries, PackageRejectedError, type PackageLimits } from './package-entries.js';
import type { PackageFile, PackageFormat } from './package-version.entity.js';
import { readTarGz } from './tar-package.js';
import { readZipPackage } from './zip-package.js';

const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);

/** The format the first bytes declare: gzip (`1f 8b`, whose content must then be a tar) or a zip's first local header. */
export function packageFormat(bytes: Buffer): PackageFormat | null {
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) return 'tar.gz';
  if (bytes.subarray(0, 4).equals(ZIP_MAGIC)) return 'zip';
  return null;
}

export interface InspectedPackage {
  format: PackageFormat;
  /** The regular files (hard links included, as the copies they extract to), sorted by path. */
  files: PackageFile[];
}

/**
 * Reads an uploaded package as hostile input, entirely in memory and without writing anything: its format by magic
 * bytes, every entry checked (paths relative and plain, links inside the root, no devices, no duplicates, the entry
 * count and the expanded size within `limits`), every file hashed. Any refusal is a PackageRejectedError (400).
 */
export async function inspectPackage(archive: Buffer, limits: PackageLimits): Promise<InspectedPackage> {
  const format = packageFormat(archive);
  if (!format) {
    throw new PackageRejectedError(
      'The body is not a package: it must be a .tar.gz or .zip (its first bytes are neither gzip nor zip).',
    );
  }
  const entries = new PackageEntries(archive.length, limits);
  if (format === 'tar.gz') await readTarGz(archive, entries);
  else await readZipPackage(archive, entries);
  return { format, files: entries.manifest() };
}

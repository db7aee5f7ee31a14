import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { sha256 } from '../../common/hash.js';
import { entryData, ZipEntryDataError } from '../../common/zip.js';
import { entryKind } from '../../common/zip-entry-name.js';
import { MAX_ENTRY_PATH_CHARS, PackageEntries, PackageRejectedError, shownName } from './package-entries.js';

/**
 * Reads a .zip package with yauzl from memory, as the upload intake does (names and kinds by the same helpers, each
 * entry inflated only up to what the limits leave, CRC-32 checked): every entry goes through `entries`' rules and
 * each file is hashed. A symbolic link's target is its entry's content. Damage is a PackageRejectedError.
 */
export async function readZipPackage(archive: Buffer, entries: PackageEntries): Promise<void> {
  let zipfile: ZipFile;
  try {
    zipfile = await yauzl.fromBufferPromise(archive, {
      lazyEntries: true,
      autoClose: false,
      decodeStrings: false,
      validateEntrySizes: false,
    });
  } catch (error) {
    throw new PackageRejectedError(
      `The .zip cannot be read (${(error as Error).message}): create it again; a package must be a .tar.gz or .zip.`,
    );
  }
  try {
    entries.expectEntries(zipfile.entryCount);
    for await (const entry of zipfile.eachEntry()) {
      const name = yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, entry.fileNameRaw, entry.extraFields, true);
      if (entry.isEncrypted())
        throw new PackageRejectedError(
          `The .zip has a password-protected entry (${shownName(name)}): upload it unencrypted.`,
          [name],
        );
      const kind = entryKind(entry.externalFileAttributes, name.endsWith('/'));
      const linkTarget =
        kind === 'symlink'
          ? (await content(archive, zipfile, entry, name, MAX_ENTRY_PATH_CHARS, () => linkTooLong(name))).toString('utf8')
          : undefined;
      const path = entries.admit({ name, kind, linkTarget, special: 'special file (device or fifo)' });
      if (path === null || kind !== 'file') continue;
      const data = await content(archive, zipfile, entry, name, entries.allowance(), () => entries.expansionRefused());
      entries.expand(data.length);
      entries.addFile(path, data.length, sha256(data));
    }
  } catch (error) {
    if (error instanceof PackageRejectedError) throw error;
    throw new PackageRejectedError(
      `The .zip is damaged (${(error as Error).message}): create it again and re-upload it.`,
    );
  } finally {
    zipfile.close();
  }
}

function linkTooLong(name: string): PackageRejectedError {
  return new PackageRejectedError(
    `The .zip's link ${shownName(name)} has a target longer than ${MAX_ENTRY_PATH_CHARS} characters: remove it.`,
    [name],
  );
}

/** An entry's bytes, never more than `maxBytes` (past them: `tooLarge()`); damage or a size not the header's: refused. */
async function content(
  archive: Buffer,
  zipfile: ZipFile,
  entry: Entry,
  name: string,
  maxBytes: number,
  tooLarge: () => PackageRejectedError,
): Promise<Buffer> {
  let data: Buffer;
  try {
    data = await entryData(archive, zipfile, entry, Math.max(0, maxBytes));
  } catch (error) {
    if (!(error instanceof ZipEntryDataError)) throw error;
    if (error.reason === 'too-large') throw tooLarge();
    throw new PackageRejectedError(`The .zip entry ${shownName(name)} is damaged (${error.message}): create the .zip again.`, [
      name,
    ]);
  }
  if (data.length !== entry.uncompressedSize) {
    throw new PackageRejectedError(
      `The .zip entry ${shownName(name)} holds ${data.length} bytes but its header says ${entry.uncompressedSize}: create the .zip again.`,
      [name],
    );
  }
  return data;
}

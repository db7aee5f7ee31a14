import fs from 'node:fs/promises';
import path from 'node:path';
import { writeZip } from '../common/zip.js';

/** Folders of tools and version control that are never part of the metadata (`.forceignore` and others stay). */
const SKIPPED_FOLDERS = new Set(['.git', '.sf', '.sfdx', 'node_modules']);

/** A project folder's files: names relative to it with `/` separators, in a stable (sorted) order. */
export async function readFolderFiles(dir: string): Promise<Map<string, Buffer>> {
  const files: string[] = [];
  const walk = async (relative: string): Promise<void> => {
    for (const entry of await fs.readdir(path.join(dir, relative), { withFileTypes: true })) {
      const child = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.isDirectory() && !SKIPPED_FOLDERS.has(entry.name)) await walk(child);
      else if (entry.isFile()) files.push(child);
    }
  };
  await walk('');
  files.sort();
  return new Map(
    await Promise.all(files.map(async (file) => [file, await fs.readFile(path.join(dir, file))] as const)),
  );
}

/** Zips a project folder in memory (what an upload of that folder sends). */
export async function zipFolder(dir: string): Promise<Buffer> {
  return writeZip([...(await readFolderFiles(dir))].map(([file, content]) => ({ path: file, content })));
}

import fs from 'node:fs';
import path from 'node:path';
import { readFolderFiles } from '../../src/salesforce/folder-zip.js';
import { writeZip } from '../../src/common/zip.js';

export const SAMPLE_PROJECT = path.resolve(new URL('../../../test/fixtures/sample-project', import.meta.url).pathname);

/** Zips a folder with files replaced or added (string/Buffer) or removed (null). */
export async function zipFolder(dir: string, overrides: Record<string, string | Buffer | null> = {}): Promise<Buffer> {
  const files = await readFolderFiles(dir);
  for (const [name, content] of Object.entries(overrides)) {
    if (content === null) files.delete(name);
    else files.set(name, Buffer.isBuffer(content) ? content : Buffer.from(content));
  }
  return writeZip([...files].map(([p, content]) => ({ path: p, content })));
}

export function sampleFile(relative: string): Buffer {
  return fs.readFileSync(path.join(SAMPLE_PROJECT, relative));
}

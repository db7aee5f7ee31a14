import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ComponentSet } from '@salesforce/source-deploy-retrieve';
import { readZip } from '../src/common/zip.js';

/**
 * The bare reference an upload is compared with: unzip the project to a folder (entries inflated in memory, files
 * written concurrently) and resolve it with SDR's `ComponentSet.fromSource`, nothing stored. Returns the wall time
 * in ms and how many components SDR found (the upload must find as many).
 */
export async function bareUploadReference(zip: Buffer): Promise<{ ms: number; components: number }> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'backtrack-upload-ref-'));
  try {
    const start = Date.now();
    const files = await readZip(zip);
    const folders = new Set([...files.keys()].map((p) => path.dirname(path.join(dir, p))));
    await Promise.all([...folders].map((f) => fs.mkdir(f, { recursive: true })));
    await Promise.all([...files].map(([p, content]) => fs.writeFile(path.join(dir, p), content)));
    const components = ComponentSet.fromSource(dir).getSourceComponents().toArray().length;
    return { ms: Date.now() - start, components };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/**
 * Upload row of the benchmark: `POST /api/branches/:id/revisions` of the 10,000-component project (resolve + store)
 * against `bareUploadReference` (unzip to a folder + SDR `ComponentSet.fromSource`) of the same zip, side by side.
 * Each run starts a service on a fresh embedded database, so every upload stores its blobs anew, as the first upload
 * of a project does. Runs alone with `node dist/bench/upload-bench.js`; BENCH_SCALE shrinks the project,
 * UPLOAD_BENCH_RUNS sets the runs (default 3), UPLOAD_BENCH_CPU_PROF=<dir> writes the service's CPU profiles there.
 */
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { generateProject } from '../test/fixtures/generate-project.js';
import { freePort, startService } from '../test/helpers/processes.js';
import { zipFolder } from '../test/helpers/project-zip.js';
import { ApiClient, type Row, median } from './bench-client.js';
import { bareUploadReference } from './upload-reference.js';

const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** Starts a service on a fresh data folder, runs `use` against it, and stops it. */
async function withService<T>(work: string, run: number, use: (api: ApiClient) => Promise<T>): Promise<T> {
  const token = `bt_bench_${crypto.randomBytes(16).toString('hex')}`;
  const port = await freePort();
  const profiles = process.env.UPLOAD_BENCH_CPU_PROF;
  const service = startService({
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: path.join(work, `data-${run}`),
    EMULATOR: 'off',
    BACKTRACK_ADMIN_TOKEN: token,
    LOG_LEVEL: 'info',
    UPLOAD_MAX_BYTES: String(300 * 1024 * 1024),
    ...(profiles ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${path.resolve(profiles)}` } : {}),
  });
  try {
    await service.ready;
    return await use(new ApiClient(`http://127.0.0.1:${port}`, token));
  } finally {
    await service.kill('SIGINT');
  }
}

export async function benchUpload(row: Row, scale = Number(process.env.BENCH_SCALE ?? 1)): Promise<void> {
  const n = (x: number) => Math.max(1, Math.round(x * scale));
  const runs = Number(process.env.UPLOAD_BENCH_RUNS ?? 3);
  const work = await fs.mkdtemp(path.join(os.tmpdir(), 'backtrack-upload-bench-'));
  try {
    const project = await generateProject(path.join(work, 'project'), {
      classes: n(3000),
      objects: n(150),
      fieldsPerObject: 39,
      lwc: n(1000),
      classBytes: 14_000,
    });
    const zip = await zipFolder(project.dir);
    const uploads: number[] = [];
    const references: number[] = [];
    for (let run = 0; run < runs; run++) {
      const upload = () =>
        withService(work, run, async (api) => {
          const branch = await api.call('POST', '/api/branches', { name: `upload-${run}` });
          const started = performance.now();
          const revision = await api.call('POST', `/api/branches/${branch.id}/revisions`, zip);
          uploads.push(performance.now() - started);
          if (revision.componentCount !== project.components)
            throw new Error(`the upload found ${revision.componentCount} components, not ${project.components}`);
        });
      const reference = async () => {
        // SDR counts top-level components (a CustomObject with its fields is one); the upload counts fields too.
        references.push((await bareUploadReference(zip)).ms);
      };
      // The two sides take turns going first.
      for (const side of run % 2 ? [reference, upload] : [upload, reference]) await side();
      console.log(`  run ${run + 1}: upload ${secs(uploads.at(-1)!)}, reference ${secs(references.at(-1)!)}`);
    }
    const ours = median(uploads);
    const bare = median(references);
    row(
      `Upload of the ${project.components}-component project (resolve + store): wall time (median of ${runs})`,
      secs(ours),
      `unzip + SDR ComponentSet.fromSource ${secs(bare)}; ${(ours / bare).toFixed(2)}×`,
      ours <= 1.5 * bare ? 'meets ≤ 1.5×' : 'misses ≤ 1.5×',
    );
  } finally {
    await fs.rm(work, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await benchUpload((...cells) => console.log(`| ${cells.join(' | ')} |`));
}

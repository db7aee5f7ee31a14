/**
 * Polling rows of `npm run bench`: GET /api/jobs/:id of a finished deploy by 50 concurrent pollers, with a 200 and
 * body and with If-None-Match (304), against the bare /health/live of the same service. The service runs as its own
 * process on the embedded default (PGlite, in-process queue) against the Metadata API emulator; the job is a small
 * deploy (its presented body has the same shape as a big one's). Each measure runs ROUNDS times, interleaved, and the
 * median is shown. Runs alone with `node dist/bench/polling-bench.js`; BENCH_SERVICE_NODE_OPTIONS (for example
 * `--cpu-prof --cpu-prof-dir=/tmp/prof`) is passed to the service.
 */
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { startEmulator } from '../src/emulator/emulator.server.js';
import { generateProject } from '../test/fixtures/generate-project.js';
import { freePort, startService } from '../test/helpers/processes.js';
import { zipFolder } from '../test/helpers/project-zip.js';
import { ApiClient, median, measureRps, type Row } from './bench-client.js';

const POLLERS = 50;
const SECONDS = 5;
const ROUNDS = Number(process.env.POLL_ROUNDS ?? 3);

export async function benchPolling(row: Row): Promise<void> {
  const work = await fs.mkdtemp(path.join(os.tmpdir(), 'backtrack-polling-'));
  const emulator = await startEmulator({ port: 0, latencyMs: 0 });
  const port = await freePort();
  const token = `bt_bench_${crypto.randomBytes(16).toString('hex')}`;
  const service = startService({
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: path.join(work, 'data'),
    EMULATOR: 'off',
    BACKTRACK_ADMIN_TOKEN: token,
    LOG_LEVEL: 'info',
    DEPLOY_POLL_MAX_SECONDS: '0.5',
    ...(process.env.BENCH_SERVICE_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_SERVICE_NODE_OPTIONS } : {}),
  });
  try {
    await service.ready;
    const api = new ApiClient(`http://127.0.0.1:${port}`, token);
    const org = emulator.admin.createOrg({ name: 'polled' });
    const { id: orgId } = await api.call('POST', '/api/orgs', {
      name: 'polled',
      environment: 'sandbox',
      instanceUrl: emulator.url,
      auth: { type: 'accessToken', accessToken: org.accessToken },
    });
    const project = await generateProject(path.join(work, 'project'), {
      classes: 60,
      objects: 2,
      fieldsPerObject: 10,
      lwc: 10,
    });
    const branch = await api.call('POST', '/api/branches', { name: 'polled' });
    await api.call('POST', `/api/branches/${branch.id}/revisions`, await zipFolder(project.dir));
    const job = await api.waitForJob((await api.call('POST', `/api/branches/${branch.id}/deployments`, { orgId })).id);
    if (job.status !== 'Completed') throw new Error(`deploy ended ${job.status}: ${job.error}`);

    const headers = { authorization: `Bearer ${token}` };
    const jobUrl = `${api.url}/api/jobs/${job.id}`;
    const etag = (await fetch(jobUrl, { headers })).headers.get('etag')!;
    const bare: number[] = [];
    const full: number[] = [];
    const cached: number[] = [];
    const statuses: Record<number, number> = {};
    for (let round = 0; round < ROUNDS; round++) {
      bare.push((await measureRps(`${api.url}/health/live`, {}, POLLERS, SECONDS)).rps);
      full.push((await measureRps(jobUrl, headers, POLLERS, SECONDS)).rps);
      const answer = await measureRps(jobUrl, { ...headers, 'if-none-match': etag }, POLLERS, SECONDS);
      cached.push(answer.rps);
      for (const [status, count] of Object.entries(answer.statuses))
        statuses[Number(status)] = (statuses[Number(status)] ?? 0) + count;
    }
    const [b, f, c] = [median(bare), median(full), median(cached)];
    const percent = (value: number) => Math.round((100 * value) / b);
    row(
      `GET /api/jobs/:id, ${POLLERS} concurrent pollers (200 with body), median of ${ROUNDS}`,
      `${f} req/s`,
      `bare endpoint /health/live ${b} req/s; ${percent(f)}%`,
      percent(f) >= 50 ? 'meets ≥ 50%' : 'misses ≥ 50%',
    );
    row(
      'Same with If-None-Match (304, what a CI poller sends)',
      `${c} req/s`,
      `${percent(c)}% of the bare endpoint; ${JSON.stringify(statuses)}`,
      percent(c) >= 80 ? 'meets ≥ 80%' : 'misses ≥ 80%',
    );
  } finally {
    await service.kill();
    await emulator.close();
    await fs.rm(work, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const rows: string[][] = [];
  await benchPolling((...cells) => {
    rows.push(cells);
    console.log(`  ${cells[0]}: ${cells[1]} (${cells[2]}) ${cells[3]}`);
  });
  console.log('\n| measure | value | reference | target |\n| --- | --- | --- | --- |');
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
}

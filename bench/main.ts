/**
 * `npm run bench`: the non-functional targets of DESIGN.md, measured against the built-in emulator with no added
 * latency. The service runs as its own process (so its peak RSS is its own); the emulator and the bare-jsforce
 * baselines run here. Prints a table; docs/benchmarks.md keeps the latest figures.
 *   BENCH_SCALE=0.1 runs a tenth of the sizes (a quick smoke run).
 *   BENCH_DATABASE_URL=postgres://… runs the service on PostgreSQL instead of the embedded PGlite.
 */
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import jsforce from 'jsforce';
import { startEmulator } from '../src/emulator/emulator.server.js';
import { buildDeployZip } from '../src/salesforce/deploy-package.js';
import { chunkMembers, MAX_FILES_PER_OPERATION, MAX_ZIPPED_BYTES } from '../src/salesforce/limits.js';
import { resolveProject } from '../src/salesforce/project-resolver.js';
import { generateProject } from '../test/fixtures/generate-project.js';
import { freePort, startService } from '../test/helpers/processes.js';
import { zipFolder } from '../test/helpers/project-zip.js';
import { benchEcsRollback } from './ecs-bench.js';
import { benchHelmRollback } from './helm-bench.js';
import { benchCfRollback } from './cf-bench.js';
import { benchAsgRollback } from './asg-bench.js';
import { benchKubernetesRollback } from './kubernetes-bench.js';
import { benchSloRollback } from './slo-bench.js';
import { benchSshRollback } from './ssh-bench.js';
import { ApiClient, bareDeploy, bareRetrieve, jobSeconds, measureRps, peakRssMb } from './bench-client.js';

const SCALE = Number(process.env.BENCH_SCALE ?? 1);
const API = '60.0';
const TOKEN = `bt_bench_${crypto.randomBytes(16).toString('hex')}`;
const rows: [string, string, string, string][] = [];
const row = (measure: string, value: string, reference: string, verdict: string) => {
  rows.push([measure, value, reference, verdict]);
  console.log(`  ${measure}: ${value} (${reference}) ${verdict}`);
};
const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
const n = (x: number) => Math.max(1, Math.round(x * SCALE));

/** An older version of a generated project: every class body and field label differs. */
async function olderVersion(from: string, to: string): Promise<void> {
  await fs.cp(from, to, { recursive: true });
  const base = path.join(to, 'force-app/main/default');
  for (const file of await fs.readdir(path.join(base, 'classes'))) {
    if (!file.endsWith('.cls')) continue;
    const p = path.join(base, 'classes', file);
    await fs.writeFile(p, (await fs.readFile(p, 'utf8')).replace('deterministic filler', 'older filler'));
  }
  for (const obj of await fs.readdir(path.join(base, 'objects')).catch(() => [])) {
    const dir = path.join(base, 'objects', obj, 'fields');
    for (const file of await fs.readdir(dir)) {
      const p = path.join(dir, file);
      await fs.writeFile(p, (await fs.readFile(p, 'utf8')).replace('<label>Field', '<label>Old Field'));
    }
  }
}

async function main() {
  const work = await fs.mkdtemp(path.join(os.tmpdir(), 'backtrack-bench-'));
  const emulator = await startEmulator({ port: 0, latencyMs: 0 });
  const port = await freePort();
  const database: Record<string, string> = process.env.BENCH_DATABASE_URL
    ? { DATABASE_URL: process.env.BENCH_DATABASE_URL, SECRET_KEY: crypto.randomBytes(32).toString('hex') }
    : {};
  const service = startService({
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: path.join(work, 'data'),
    EMULATOR: 'off',
    BACKTRACK_ADMIN_TOKEN: TOKEN,
    LOG_LEVEL: 'info',
    DEPLOY_POLL_MAX_SECONDS: '0.5',
    UPLOAD_MAX_BYTES: String(300 * 1024 * 1024),
    ...database,
  });
  await service.ready;
  const api = new ApiClient(`http://127.0.0.1:${port}`, TOKEN);
  const registerOrg = async (name: string) => {
    const org = emulator.admin.createOrg({ name });
    const created = await api.call('POST', '/api/orgs', {
      name,
      environment: 'sandbox',
      instanceUrl: emulator.url,
      auth: { type: 'accessToken', accessToken: org.accessToken },
    });
    return { org, id: created.id as string };
  };
  console.log(
    `Backtrack benchmark — ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${database.DATABASE_URL ? 'PostgreSQL' : 'PGlite'}, scale ${SCALE}`,
  );

  try {
    // 1. A 10,000-component deploy with backup vs the bare jsforce retrieve + deploy of the same zips.
    const big = { classes: n(3000), objects: n(150), fieldsPerObject: 39, lwc: n(1000), classBytes: 14_000 };
    const v1 = await generateProject(path.join(work, 'v1'), big);
    await olderVersion(path.join(work, 'v1'), path.join(work, 'v0'));
    const p1 = await resolveProject(path.join(work, 'v1'));
    const p0 = await resolveProject(path.join(work, 'v0'));
    const zip1 = (await buildDeployZip({ components: p1.components, apiVersion: API })).zip;
    const zip0 = (await buildDeployZip({ components: p0.components, apiVersion: API })).zip;
    console.log(
      `\n1. ${v1.components} components, ${v1.files} files, ${mb(v1.bytes)} unzipped (deploy zip ${mb(zip1.length)})`,
    );

    const baseline = emulator.admin.createOrg({ name: 'baseline' });
    await emulator.admin.seed(baseline.id, { zip: zip0 });
    const conn = new jsforce.Connection({ instanceUrl: emulator.url, accessToken: baseline.accessToken, version: API });
    const chunks = chunkMembers(
      p1.components.map((c) => ({
        ref: { type: c.type, fullName: c.fullName },
        fileCount: c.files.length,
        bytes: c.files.reduce((s, f) => s + f.content.length, 0),
      })),
      { maxFiles: MAX_FILES_PER_OPERATION, maxBytes: MAX_ZIPPED_BYTES },
    );
    let t = Date.now();
    await bareRetrieve(conn, chunks, API);
    const retrieveMs = Date.now() - t;
    t = Date.now();
    await bareDeploy(conn, zip1);
    const deployMs = Date.now() - t;
    const bareMs = retrieveMs + deployMs;

    const big1 = await registerOrg('big');
    await emulator.admin.seed(big1.org.id, { zip: zip0 });
    const branch = await api.call('POST', '/api/branches', { name: 'big' });
    const sourceZip = await zipFolder(path.join(work, 'v1'));
    t = Date.now();
    await api.call('POST', `/api/branches/${branch.id}/revisions`, sourceZip);
    const uploadMs = Date.now() - t;
    const deployJob = await api.waitForJob(
      (await api.call('POST', `/api/branches/${branch.id}/deployments`, { orgId: big1.id })).id,
    );
    if (deployJob.status !== 'Completed') throw new Error(`deploy ended ${deployJob.status}: ${deployJob.error}`);
    const jobMs = jobSeconds(deployJob) * 1000;
    row(
      `Deploy with backup, ${v1.components} components: job wall time`,
      secs(jobMs),
      `bare jsforce retrieve ${secs(retrieveMs)} + deploy ${secs(deployMs)} = ${secs(bareMs)}; ${(jobMs / bareMs).toFixed(2)}×`,
      jobMs <= 1.5 * bareMs ? 'meets ≤ 1.5×' : 'misses ≤ 1.5×',
    );
    console.log(
      `  where the deploy job's time went:\n${(await api.timeline(deployJob)).map((l) => `    ${l}`).join('\n')}`,
    );
    row(
      'Upload of that project (resolve + store), not part of the job',
      secs(uploadMs),
      `${mb(sourceZip.length)} zip`,
      '—',
    );
    row(
      'Peak RSS of the service process (API + worker + PGlite)',
      `${await peakRssMb(service.child.pid!)} MB`,
      `${mb(v1.bytes)} of metadata`,
      '—',
    );

    // 2. Rolling back 1 of 10,000 vs 1 of 10, and all 10,000 vs a bare deploy of the same zip.
    const oneOfBig = await api.waitForJob(
      (
        await api.call('POST', `/api/jobs/${deployJob.id}/rollback`, {
          components: [{ type: 'ApexClass', fullName: 'GenClass00000' }],
        })
      ).id,
    );
    const small = await generateProject(path.join(work, 'small'), {
      classes: 10,
      objects: 0,
      fieldsPerObject: 0,
      lwc: 0,
    });
    await olderVersion(path.join(work, 'small'), path.join(work, 'small0'));
    const smallOrg = await registerOrg('small');
    const small0 = await resolveProject(path.join(work, 'small0'));
    await emulator.admin.seed(smallOrg.org.id, {
      zip: (await buildDeployZip({ components: small0.components, apiVersion: API })).zip,
    });
    const smallBranch = await api.call('POST', '/api/branches', { name: 'small' });
    await api.call('POST', `/api/branches/${smallBranch.id}/revisions`, await zipFolder(small.dir));
    const smallDeploy = await api.waitForJob(
      (await api.call('POST', `/api/branches/${smallBranch.id}/deployments`, { orgId: smallOrg.id })).id,
    );
    const oneOfSmall = await api.waitForJob(
      (
        await api.call('POST', `/api/jobs/${smallDeploy.id}/rollback`, {
          components: [{ type: 'ApexClass', fullName: 'GenClass00000' }],
        })
      ).id,
    );
    const ratio = jobSeconds(oneOfBig) / jobSeconds(oneOfSmall);
    row(
      `Roll back 1 component of the ${v1.components}-component deploy`,
      `${jobSeconds(oneOfBig).toFixed(2)} s`,
      `1 of 10: ${jobSeconds(oneOfSmall).toFixed(2)} s; ${ratio.toFixed(2)}×`,
      ratio <= 2 ? 'meets ≤ 2×' : 'misses ≤ 2×',
    );

    const all = await api.waitForJob(
      (await api.call('POST', `/api/jobs/${deployJob.id}/rollback`, { all: true, acceptDataLoss: true })).id,
    );
    if (all.status !== 'Completed') throw new Error(`full rollback ended ${all.status}: ${all.error}`);
    console.log(
      `  where the full rollback's time went:\n${(await api.timeline(all)).map((l) => `    ${l}`).join('\n')}`,
    );
    t = Date.now();
    await bareDeploy(conn, zip0);
    const bareRollbackMs = Date.now() - t;
    row(
      `Full rollback of ${all.counts.total} components (drift check + deploy + verify)`,
      `${jobSeconds(all).toFixed(2)} s`,
      `bare jsforce deploy of the same zip ${secs(bareRollbackMs)}; ${((jobSeconds(all) * 1000) / bareRollbackMs).toFixed(2)}×`,
      '—',
    );

    // 3. Storage: 20 deploys of a 2,000-component branch, 1% changed each time.
    const mid = await generateProject(path.join(work, 'mid'), {
      classes: n(800),
      objects: n(40),
      fieldsPerObject: 29,
      lwc: 0,
      classBytes: 4000,
    });
    const midOrg = await registerOrg('storage');
    const midBranch = await api.call('POST', '/api/branches', { name: 'storage' });
    const classes = (await fs.readdir(path.join(mid.dir, 'force-app/main/default/classes'))).filter((f) =>
      f.endsWith('.cls'),
    );
    const perRound = Math.max(1, Math.round(mid.components / 100));
    let changedBytes = 0;
    let afterFirst = 0;
    for (let round = 1; round <= 20; round++) {
      if (round > 1) {
        for (let k = 0; k < perRound; k++) {
          const file = path.join(
            mid.dir,
            'force-app/main/default/classes',
            classes[(round * perRound + k) % classes.length]!,
          );
          const text = (await fs.readFile(file, 'utf8')).replace(/\n}\n$/, `\n    // round ${round}\n}\n`);
          await fs.writeFile(file, text);
          changedBytes += Buffer.byteLength(text);
        }
      }
      await api.call('POST', `/api/branches/${midBranch.id}/revisions`, await zipFolder(mid.dir));
      const job = await api.waitForJob(
        (await api.call('POST', `/api/branches/${midBranch.id}/deployments`, { orgId: midOrg.id })).id,
      );
      if (job.status !== 'Completed') throw new Error(`storage deploy ${round} ended ${job.status}`);
      if (round === 1) afterFirst = await storedBytes(api);
    }
    const afterTwentieth = await storedBytes(api);
    row(
      `Blob store after 1 deploy of ${mid.components} components`,
      mb(afterFirst),
      'revision + snapshot, compressed',
      '—',
    );
    row(
      `Blob store after 20 deploys, ${perRound} components (1%) changed each time`,
      mb(afterTwentieth),
      `growth ${mb(afterTwentieth - afterFirst)} for ${mb(changedBytes)} of changed files (uncompressed)`,
      afterTwentieth - afterFirst <= 2 * changedBytes ? 'grows with what changed' : 'grows faster than what changed',
    );

    // 4. Status polling: 50 concurrent pollers.
    const headers = { authorization: `Bearer ${TOKEN}` };
    const jobUrl = `${api.url}/api/jobs/${deployJob.id}`;
    const etag = (await fetch(jobUrl, { headers })).headers.get('etag')!;
    const bare = await measureRps(`${api.url}/health/live`, {}, 50, 5);
    const full = await measureRps(jobUrl, headers, 50, 5);
    const cached = await measureRps(jobUrl, { ...headers, 'if-none-match': etag }, 50, 5);
    row(
      'GET /api/jobs/:id, 50 concurrent pollers (200 with body)',
      `${full.rps} req/s`,
      `bare endpoint /health/live ${bare.rps} req/s; ${Math.round((100 * full.rps) / bare.rps)}%`,
      '—',
    );
    row(
      'Same with If-None-Match (304, what a CI poller sends)',
      `${cached.rps} req/s`,
      `${Math.round((100 * cached.rps) / bare.rps)}% of the bare endpoint; ${JSON.stringify(cached.statuses)}`,
      '—',
    );
  } finally {
    await service.kill();
    await emulator.close();
    await fs.rm(work, { recursive: true, force: true });
  }

  console.log('\n5. Kubernetes rollback through the provider vs bare client-node calls');
  await benchKubernetesRollback(row);

  console.log('\n6. SSH rollback on 2 real sshd hosts: switch back vs redeploy of the previous package');
  await benchSshRollback(row);

  console.log('\n7. ECS rollback through the provider vs bare client-ecs calls');
  await benchEcsRollback(row);

  console.log('\n8. Helm rollback through the provider vs a bare helm script');
  await benchHelmRollback(row);

  console.log('\n9. Cloud Foundry rollback through the provider vs a bare v3 API script');
  await benchCfRollback(row);

  console.log('\n10. Auto Scaling group rollback through the provider vs a bare @aws-sdk script');
  await benchAsgRollback(row);

  console.log(
    '\n11. SLO rollback: from the Alertmanager webhook (and from the Prometheus rule firing) to the Rollback job',
  );
  await benchSloRollback(row);

  console.log('\n| measure | value | reference | target |\n| --- | --- | --- | --- |');
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
}

async function storedBytes(api: ApiClient): Promise<number> {
  const text = await fetch(`${api.url}/metrics`).then((r) => r.text());
  return Number(/backtrack_blob_bytes\{measure="stored"\} (\d+)/.exec(text)?.[1] ?? NaN);
}

await main();

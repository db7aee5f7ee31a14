import { describe, it, beforeAll, afterAll, expect } from '@jest/globals';
import pg from 'pg';
import { ADMIN_TOKEN, startFaultStack, type FaultStack } from '../helpers/fault-stack.js';
import { readZip } from '../../src/common/zip.js';
import { SAMPLE_PROJECT } from '../helpers/project-zip.js';
import { closeStarted } from '../helpers/lifecycle.js';
import { buildDeployZip } from '../../src/salesforce/deploy-package.js';
import { resolveProject } from '../../src/salesforce/project-resolver.js';

/**
 * ADR 0027: a deploy's backup is stored as Salesforce returned it before the submission and indexed while Salesforce
 * deploys. A worker killed during the index, or an index that fails, must leave the same record a clean run would —
 * or say exactly what it could not do. Real API and worker processes on PostgreSQL; the index is held by a lock on
 * the snapshot's rows (or refused by a trigger), so each fault lands after the submission, every time.
 */
describe('the backup indexed while Salesforce deploys (PostgreSQL, API and worker processes)', () => {
  let s: FaultStack;
  let seedZip: Buffer;

  beforeAll(async () => {
    s = await startFaultStack({});
    // each org holds the sample project before this revision, one class different: updates, and the profile's reads
    const components = (await resolveProject(SAMPLE_PROJECT)).components.map((c) =>
      c.type === 'ApexClass' && c.fullName === 'InvoiceService'
        ? {
            ...c,
            files: c.files.map((f) =>
              f.path.endsWith('.cls')
                ? { ...f, content: Buffer.from('public with sharing class InvoiceService {\n    // in the org\n}\n') }
                : f,
            ),
          }
        : c,
    );
    seedZip = (await buildDeployZip({ components, apiVersion: '62.0' })).zip;
  });

  afterAll(async () => {
    await closeStarted(s);
  });

  const seededOrg = async () => {
    const org = await s.newOrg('password');
    await s.emulator.admin.seed(org.emulatorOrg.id, { zip: seedZip });
    return org;
  };
  const deploy = async (orgId: string) => {
    const started = await s.call('POST', `/api/branches/${s.branchId}/deployments`, { orgId });
    expect(started.status).toBe(202);
    return started.body.id as string;
  };
  const snapshotOf = async (jobId: string) =>
    (await s.db.query(`SELECT id, status, checksum FROM snapshots WHERE job_id = $1`, [jobId])).rows[0] as {
      id: string;
      status: string;
      checksum: string | null;
    };
  /** A snapshot's rows as a rollback reads them, in one order. */
  const rowsOf = async (snapshotId: string) =>
    (
      await s.db.query(
        `SELECT type, full_name, parent_type, parent_full_name, existed, files, fingerprint_before,
                fingerprint_after, deploy_action, details
           FROM snapshot_components WHERE snapshot_id = $1 ORDER BY type, full_name`,
        [snapshotId],
      )
    ).rows;
  const storedRetrieves = async (snapshotId: string) =>
    Number(
      (await s.db.query(`SELECT count(*) AS n FROM retrieved_backups WHERE snapshot_id = $1`, [snapshotId])).rows[0].n,
    );
  /** The "Backed up" / "Not present" lines of each component of a job. */
  const backupLines = async (jobId: string) => {
    const rows = await s.db.query(
      `SELECT component, count(*)::int AS n FROM job_logs
        WHERE job_id = $1 AND component IS NOT NULL
          AND (message LIKE 'Backed up:%' OR message = 'Not present in the org before this deploy')
        GROUP BY component`,
      [jobId],
    );
    return new Map(rows.rows.map((r) => [r.component as string, r.n as number]));
  };
  /** Another connection holding the snapshot rows' table: the index's insert waits for it. */
  const holdSnapshotRows = async () => {
    const { host, port, user, database } = s.db;
    const holder = new pg.Client({ host, port, user, database });
    await holder.connect();
    await holder.query('BEGIN');
    await holder.query('LOCK TABLE snapshot_components IN EXCLUSIVE MODE');
    return holder;
  };
  const blockedOnSnapshotRows = async () =>
    (
      await s.db.query(
        `SELECT pid FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock'
            AND query LIKE 'INSERT INTO snapshot_components%'`,
        [s.dbName],
      )
    ).rows.map((r) => r.pid as number);

  it('resumes a deploy whose worker was killed while indexing its backup: same deploy, same snapshot, no line twice', async () => {
    const reference = await s.finished(await deploy((await seededOrg()).id));
    expect(reference.status).toBe('Completed');
    const referenceSnapshot = await snapshotOf(reference.id);
    const referenceRows = await rowsOf(referenceSnapshot.id);
    expect(referenceRows.length).toBeGreaterThan(5);
    expect(referenceRows.some((r) => r.existed && r.type === 'Profile' && r.details?.profile)).toBe(true);

    const org = await seededOrg();
    const holder = await holdSnapshotRows();
    let jobId: string;
    try {
      jobId = await deploy(org.id);
      const state = await s.waitFor('the deploy to be submitted', async () => {
        const st = await s.jobState(jobId);
        return st.asyncId ? st : undefined;
      });
      expect(state).toMatchObject({ backupStored: true });
      expect(state.backupDone).toBeUndefined();
      const [blocked] = await s.waitFor('the index to wait for the snapshot rows', async () => {
        const pids = await blockedOnSnapshotRows();
        return pids.length ? pids : undefined;
      });
      await s.worker.kill('SIGKILL');
      // the killed worker's statement must not commit once the lock is let go: its backend is ended first
      await s.db.query('SELECT pg_terminate_backend($1)', [blocked]);
    } finally {
      await holder.query('ROLLBACK');
      await holder.end();
    }
    const snapshot = await snapshotOf(jobId);
    expect(await rowsOf(snapshot.id)).toEqual([]);
    expect(await storedRetrieves(snapshot.id)).toBeGreaterThan(0);
    // as if the killed attempt had indexed two components before it stopped (their rows, as a clean run writes them)
    const indexedEarlier = referenceRows.filter((r) => r.type === 'ApexClass').slice(0, 2);
    expect(indexedEarlier).toHaveLength(2);
    for (const r of indexedEarlier) {
      await s.db.query(
        `INSERT INTO snapshot_components (snapshot_id, type, full_name, parent_type, parent_full_name, existed, files,
                                          fingerprint_before)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [
          snapshot.id,
          r.type,
          r.full_name,
          r.parent_type,
          r.parent_full_name,
          r.existed,
          JSON.stringify(r.files),
          r.fingerprint_before,
        ],
      );
    }

    s.worker = await s.startWorker();
    const job = await s.finished(jobId);
    expect(job.error).toBeNull();
    expect(job.status).toBe('Completed');
    const deploys = s.emulator.admin.deploys(org.emulatorOrg.id).deploys;
    expect(deploys).toHaveLength(1); // never submitted twice
    const logs = (await s.logs(jobId)).join('\n');
    expect(logs).toContain(`Polling Salesforce deploy ${deploys[0]!.id} started by an earlier attempt`);
    expect(logs).toMatch(/Indexed backup 1\/1: .*, 2 of them indexed by an earlier attempt \(converted in/);

    const sealed = await snapshotOf(jobId);
    expect(sealed.status).toBe('complete');
    expect(sealed.checksum).toBe(referenceSnapshot.checksum);
    expect(await rowsOf(sealed.id)).toEqual(referenceRows);
    expect(await storedRetrieves(sealed.id)).toBe(0);
    expect((await s.call('GET', `/api/jobs/${jobId}/snapshot`)).body.retrieved).toBe(0);
    const none = await s.call('GET', `/api/jobs/${jobId}/snapshot/retrieved/1`);
    expect(none.status).toBe(404);
    expect(none.body.message).toMatch(/keeps no retrieve as Salesforce returned it: its backup is indexed/);
    const notANumber = await s.call('GET', `/api/jobs/${jobId}/snapshot/retrieved/first`);
    expect([notANumber.status, notANumber.body.message]).toEqual([
      400,
      'The retrieve number in the path must be a whole number, from 1.',
    ]);
    // every component has its backup line once, but the two the earlier attempt indexed (it wrote theirs)
    const lines = await backupLines(jobId);
    const earlier = new Set(indexedEarlier.map((r) => `${r.type}:${r.full_name}`));
    for (const r of referenceRows) {
      const key = `${r.type}:${r.full_name}`;
      expect([key, lines.get(key) ?? 0]).toEqual([key, earlier.has(key) ? 0 : 1]);
    }
    expect((await s.call('GET', `/api/jobs/${jobId}/rollback`)).body.rollbackable).toBe(true);
  }, 180_000);

  it('records a deploy whose backup could not be indexed after the submission, and says it cannot roll it back', async () => {
    const org = await seededOrg();
    // a defect, not a passing fault: PostgreSQL refuses this org's snapshot rows
    await s.db.query(`
      CREATE FUNCTION refuse_snapshot_rows() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.snapshot_id IN (SELECT id FROM snapshots WHERE org_id = '${org.id}') THEN
          RAISE EXCEPTION 'injected: snapshot rows refused';
        END IF;
        RETURN NEW;
      END $$`);
    await s.db.query(`CREATE TRIGGER refuse_snapshot_rows BEFORE INSERT ON snapshot_components
                        FOR EACH ROW EXECUTE FUNCTION refuse_snapshot_rows()`);
    let job: any;
    try {
      job = await s.finished(await deploy(org.id));
    } finally {
      await s.db.query(`DROP TRIGGER refuse_snapshot_rows ON snapshot_components`);
      await s.db.query(`DROP FUNCTION refuse_snapshot_rows()`);
    }
    expect(s.emulator.admin.deploys(org.emulatorOrg.id).deploys.map((d) => d.status)).toEqual(['Succeeded']);
    expect(job.status).toBe('Exception');
    expect(job.error).toMatch(
      /^Salesforce deployed \d+ of \d+ component\(s\) \(Succeeded\), but Backtrack could not index its backup \(injected: snapshot rows refused\), so this deploy cannot be rolled back component by component/,
    );
    expect(job.error).toContain(`(GET /api/jobs/${job.id}/snapshot/retrieved/1`);
    // every component has Salesforce's outcome, and says what is not known
    const components = (await s.call('GET', `/api/jobs/${job.id}/components`)).body.items as {
      status: string;
      problem: string | null;
    }[];
    expect(components.length).toBeGreaterThan(5);
    expect(
      components.every((c) => c.status === 'Succeeded' && /the backup was not indexed/.test(c.problem ?? '')),
    ).toBe(true);
    const snapshot = await snapshotOf(job.id);
    expect(snapshot.status).not.toBe('complete');
    // kept as Salesforce returned it, and given back: a metadata-format package of what the org had
    const kept = await storedRetrieves(snapshot.id);
    expect(kept).toBeGreaterThan(0);
    expect((await s.call('GET', `/api/jobs/${job.id}/snapshot`)).body).toMatchObject({
      retrieved: kept,
      status: 'capturing',
    });
    const download = await fetch(`${s.apiUrl}/api/jobs/${job.id}/snapshot/retrieved/1`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('application/zip');
    const zip = Buffer.from(await download.arrayBuffer());
    const stored = (
      await s.db.query(`SELECT zip FROM retrieved_backups WHERE snapshot_id = $1 AND position = 0`, [snapshot.id])
    ).rows[0].zip as Buffer;
    expect(Buffer.compare(zip, stored)).toBe(0);
    const entries = [...(await readZip(zip)).keys()];
    expect(entries.some((p) => p.endsWith('package.xml'))).toBe(true);
    expect(entries.some((p) => p.endsWith('classes/InvoiceService.cls'))).toBe(true);
    const beyond = await s.call('GET', `/api/jobs/${job.id}/snapshot/retrieved/${kept + 1}`);
    expect([beyond.status, beyond.body.message]).toEqual([
      404,
      `Retrieve ${kept + 1} of job ${job.id} is not kept: ask for 1 to ${kept}.`,
    ]);
    const rollback = (await s.call('GET', `/api/jobs/${job.id}/rollback`)).body;
    expect(rollback.rollbackable).toBe(false);
    // kept as long as the snapshot: retention drops them with its files (the pruner runs as a worker starts)
    await s.db.query(`UPDATE snapshots SET expires_at = now() - interval '1 day' WHERE id = $1`, [snapshot.id]);
    await s.worker.kill('SIGTERM');
    s.worker = await s.startWorker();
    await s.waitFor('retention to prune the snapshot', async () => (await snapshotOf(job.id)).status === 'pruned');
    expect(await storedRetrieves(snapshot.id)).toBe(0);
  }, 180_000);
});

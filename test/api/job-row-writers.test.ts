import crypto from 'node:crypto';
import { describe, it, expect, beforeEach } from '@jest/globals';
import { JobComponentsWriter } from '../../src/jobs/job-components.writer.js';
import { JobLogWriter } from '../../src/jobs/job-log.writer.js';
import type { JobChangeFeed } from '../../src/jobs/job-change-feed.js';
import { JobComponent } from '../../src/jobs/job-component.entity.js';
import { Job } from '../../src/jobs/job.entity.js';
import { JobsService } from '../../src/jobs/jobs.service.js';
import { useEmbeddedDatabase } from '../helpers/embedded-database.js';

/** The per-component rows and log lines of a job, written one JSON parameter per 5,000 rows, on the real schema. */
describe('job row writers on the embedded database', () => {
  const database = useEmbeddedDatabase();
  let jobId: string;

  beforeEach(async () => {
    jobId = crypto.randomUUID();
    await database().query(`INSERT INTO jobs (id, kind, status) VALUES ($1, 'Deploy', 'In Progress')`, [jobId]);
  });

  it('writes 12,000 log lines in order, with their components, levels and times, and a reopened writer continues the sequence', async () => {
    const writer = await JobLogWriter.open(database(), jobId);
    const at = Date.now();
    for (let i = 0; i < 12_000; i++) {
      writer.write(
        i % 7 === 0 ? 'warn' : 'info',
        `line ${i} «quoted» "text"\nwith a break`,
        i % 2 ? `ApexClass:A${i}` : null,
      );
    }
    await writer.flush();
    const rows: { seq: number; level: string; component: string | null; message: string; at: Date }[] =
      await database().query(`SELECT seq, level, component, message, at FROM job_logs WHERE job_id = $1 ORDER BY seq`, [
        jobId,
      ]);
    expect(rows).toHaveLength(12_000);
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 12_000 }, (_, i) => i + 1));
    expect(rows[7]).toMatchObject({
      level: 'warn',
      component: 'ApexClass:A7',
      message: 'line 7 «quoted» "text"\nwith a break',
    });
    expect(rows[8]!.component).toBeNull();
    expect(Math.abs(new Date(rows[0]!.at).getTime() - at)).toBeLessThan(60_000);

    // a reopened writer continues the sequence
    const again = await JobLogWriter.open(database(), jobId);
    again.write('error', 'after');
    await again.flush();
    const last: { seq: number }[] = await database().query(`SELECT max(seq) AS seq FROM job_logs WHERE job_id = $1`, [
      jobId,
    ]);
    expect(last[0]!.seq).toBe(12_001);
  });

  it('upserts 6,000 component rows, replacing columns and merging details, one row per component', async () => {
    const writer = new JobComponentsWriter(database(), jobId);
    const rows = Array.from({ length: 6_000 }, (_, i) => ({
      type: 'CustomField',
      fullName: `Account.F${i}__c`,
      parentType: 'CustomObject',
      parentFullName: 'Account',
      action: 'update' as const,
      status: 'Pending' as const,
      details: { drift: 'unchanged' },
    }));
    await writer.upsert(rows);
    await writer.upsert([
      {
        ...rows[5]!,
        status: 'Failed',
        problem: 'Field is required',
        problemType: 'Error',
        lineNumber: 3,
        columnNumber: 9,
        details: { verified: false },
      },
      // the same component twice in one call: as if upserted one after the other
      { ...rows[6]!, status: 'Succeeded', details: { a: 1 } },
      { ...rows[6]!, status: 'Failed', details: { b: 2 } },
    ]);
    const stored: Record<string, unknown>[] = await database().query(
      `SELECT full_name, parent_type, parent_full_name, action, status, problem, problem_type, line_number, column_number, details
         FROM job_components WHERE job_id = $1 ORDER BY id`,
      [jobId],
    );
    expect(stored).toHaveLength(6_000);
    expect(stored[0]).toMatchObject({
      full_name: 'Account.F0__c',
      parent_type: 'CustomObject',
      status: 'Pending',
      problem: null,
    });
    expect(stored[5]).toMatchObject({
      status: 'Failed',
      problem: 'Field is required',
      problem_type: 'Error',
      line_number: 3,
      column_number: 9,
      details: { drift: 'unchanged', verified: false },
    });
    expect(stored[6]).toMatchObject({ status: 'Failed', details: { drift: 'unchanged', a: 1, b: 2 } });

    // the rows still Pending are settled in one statement; the others keep what they were given
    await writer.settlePending({ status: 'Succeeded' });
    const settled: { status: string; n: string }[] = await database().query(
      `SELECT status, count(*) AS n FROM job_components WHERE job_id = $1 GROUP BY status ORDER BY status`,
      [jobId],
    );
    expect(settled).toEqual([
      { status: 'Failed', n: '2' },
      { status: 'Succeeded', n: '5998' },
    ]);
  });

  it('merges details into the Pending rows but those it is told to leave, keeping their status', async () => {
    const writer = new JobComponentsWriter(database(), jobId);
    const rows = Array.from({ length: 3_000 }, (_, i) => ({
      type: 'ApexClass',
      fullName: `C${i}`,
      parentType: null,
      parentFullName: null,
      action: 'restore' as const,
      status: 'Pending' as const,
      details: { planned: true },
    }));
    await writer.upsert(rows);
    await writer.upsert([{ ...rows[0]!, status: 'Failed', details: {} }]);
    // a name differing only in case is another row: left as it is
    await writer.settlePending({ details: { drift: 'unchanged' } }, [
      { type: 'ApexClass', fullName: 'C1' },
      { type: 'ApexClass', fullName: 'c2' },
    ]);
    const stored: { full_name: string; status: string; details: Record<string, unknown> }[] = await database().query(
      `SELECT full_name, status, details FROM job_components WHERE job_id = $1 ORDER BY id`,
      [jobId],
    );
    expect(stored[0]).toEqual({ full_name: 'C0', status: 'Failed', details: { planned: true } });
    expect(stored[1]).toEqual({ full_name: 'C1', status: 'Pending', details: { planned: true } });
    expect(stored[2]).toEqual({ full_name: 'C2', status: 'Pending', details: { planned: true, drift: 'unchanged' } });
    expect(stored.filter((r) => r.details.drift === 'unchanged')).toHaveLength(2_998);
    expect(stored.every((r) => r.status !== 'Succeeded')).toBe(true);
  });

  /** The service's reader of the lines, on this database (no change feed: nothing here is cached). */
  const reader = () =>
    new JobsService(database().getRepository(Job), database().getRepository(JobComponent), database(), {
      onChanged: () => undefined,
      onGap: () => undefined,
    } as unknown as JobChangeFeed);
  const seqs = (lines: { seq: number }[]) => lines.map((l) => l.seq);
  const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

  it('stores the lines in blocks and pages through them by seq, across blocks and inside one, and by component', async () => {
    const writer = await JobLogWriter.open(database(), jobId);
    writer.write('info', 'first');
    await writer.flush(); // a block of one line
    for (let i = 2; i <= 2_600; i++) writer.write('info', `line ${i}`, i % 3 ? null : `ApexClass:C${i % 9}`);
    await writer.flush();
    const blocks: { first_seq: number; last_seq: number }[] = await database().query(
      `SELECT first_seq, last_seq FROM job_log_blocks WHERE job_id = $1 ORDER BY first_seq`,
      [jobId],
    );
    expect(blocks.length).toBeLessThanOrEqual(5);
    expect(blocks.map((b) => [b.first_seq, b.last_seq])).toContainEqual([1, 1]);

    const jobs = reader();
    expect(seqs(await jobs.listLogs(jobId, {}))).toEqual(range(1, 1000));
    expect(seqs(await jobs.listLogs(jobId, { after: 1000, limit: 5000 }))).toEqual(range(1001, 2600));
    expect(seqs(await jobs.listLogs(jobId, { after: 1500, limit: 10 }))).toEqual(range(1501, 1510));
    expect(await jobs.listLogs(jobId, { after: 2600 })).toEqual([]);
    expect(await jobs.listLogs(jobId, { after: 2_147_483_000, limit: 5000 })).toEqual([]);
    expect(await jobs.listLogs(jobId, { after: 1e12 })).toEqual([]);
    const [line] = await jobs.listLogs(jobId, { after: 1, limit: 1 });
    expect(line).toMatchObject({ seq: 2, level: 'info', component: null, message: 'line 2' });
    expect(line!.at).toBeInstanceOf(Date);

    const c3 = await jobs.listLogs(jobId, { component: 'ApexClass:C3' });
    expect(seqs(c3)).toEqual(range(1, 2600).filter((i) => i % 3 === 0 && i % 9 === 3));
    expect(c3.every((l) => l.component === 'ApexClass:C3')).toBe(true);
    expect(seqs(await jobs.listLogs(jobId, { component: 'ApexClass:C3', after: 2000, limit: 2 }))).toEqual(
      seqs(c3.filter((l) => l.seq > 2000).slice(0, 2)),
    );
  });

  it('writes a batch once when its insert went through but the answer was lost, with the lines written after it', async () => {
    let lose = true;
    const flaky = {
      query: async (sql: string, params?: unknown[]) => {
        const result = await database().query(sql, params);
        if (sql.startsWith('INSERT') && lose) {
          lose = false;
          throw new Error('Connection terminated unexpectedly');
        }
        return result;
      },
    };
    const writer = await JobLogWriter.open(flaky, jobId, { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 });
    for (let i = 1; i <= 400; i++) writer.write('info', `line ${i}`);
    await expect(writer.flush()).rejects.toThrow(/Connection terminated/); // lines 1–400 are in the database
    // the kept lines go again with the newer ones: the block [1, 400] becomes [1, 1000], then [1001, 1700]
    for (let i = 401; i <= 1_700; i++) writer.write('info', `line ${i}`);
    await writer.flush();
    const lines = await reader().listLogs(jobId, { limit: 5000 });
    expect(seqs(lines)).toEqual(range(1, 1700));
    expect(lines[1_599]!.message).toBe('line 1600');
    const rows: { n: number }[] = await database().query(`SELECT count(*)::int AS n FROM job_logs WHERE job_id = $1`, [
      jobId,
    ]);
    expect(rows[0]!.n).toBe(1700);
  });

  it('shows one line per seq when two writers gave the same seq: the one in the block that starts first', async () => {
    const worker = await JobLogWriter.open(database(), jobId);
    const other = await JobLogWriter.open(database(), jobId);
    worker.write('info', 'worker 1');
    worker.write('info', 'worker 2');
    await worker.flush();
    other.write('warn', 'other 1');
    await other.flush(); // starts where the worker's block did: not written over a longer block
    const again = await JobLogWriter.open(database(), jobId);
    again.write('info', 'after');
    await again.flush();
    // blocks that overlap from different starts: seq 6 is in both
    const late = await JobLogWriter.open(database(), jobId);
    late.write('info', 'late 4');
    late.write('info', 'late 5');
    const early = await JobLogWriter.open(database(), jobId);
    for (const n of [4, 5, 6]) early.write('info', `early ${n}`);
    await early.flush();
    await late.flush(); // [4, 5] is not written over [4, 6]
    late.write('info', 'late 6');
    late.write('info', 'late 7');
    await late.flush();
    const lines = await reader().listLogs(jobId, {});
    expect(lines.map((l) => [l.seq, l.message])).toEqual([
      [1, 'worker 1'],
      [2, 'worker 2'],
      [3, 'after'],
      [4, 'early 4'],
      [5, 'early 5'],
      [6, 'early 6'],
      [7, 'late 7'],
    ]);
    const view: { seq: number; message: string }[] = await database().query(
      `SELECT seq, message FROM job_logs WHERE job_id = $1 ORDER BY seq`,
      [jobId],
    );
    expect(view.map((l) => [l.seq, l.message])).toEqual(lines.map((l) => [l.seq, l.message]));
  });

  it('gives whole pages when a block lies inside another (a retried batch grew past a line another writer wrote)', async () => {
    // seq 1-5 by the worker, written over its earlier [1, 2]; seq 3 by a cancel request's writer, opened after [1, 2]
    const block = (first: number, last: number, who: string) =>
      database().query(
        `INSERT INTO job_log_blocks (job_id, first_seq, last_seq, lines)
         SELECT $1, $2::int, $3::int, jsonb_agg(jsonb_build_object('seq', n, 'at', now(), 'level', 'info', 'component', NULL,
                  'message', $4::text || ' ' || n) ORDER BY n)
           FROM generate_series($2::int, $3::int) n`,
        [jobId, first, last, who],
      );
    await block(1, 5, 'worker');
    await block(3, 3, 'other');
    await block(6, 8, 'worker');
    const jobs = reader();
    const page = await jobs.listLogs(jobId, { limit: 6 });
    expect(page.map((l) => [l.seq, l.message])).toEqual([
      [1, 'worker 1'],
      [2, 'worker 2'],
      [3, 'worker 3'],
      [4, 'worker 4'],
      [5, 'worker 5'],
      [6, 'worker 6'],
    ]);
    expect(seqs(await jobs.listLogs(jobId, { after: 2, limit: 3 }))).toEqual([3, 4, 5]);
    expect(seqs(await jobs.listLogs(jobId, { after: 6 }))).toEqual([7, 8]);
  });

  it('writes a line holding a NUL character (which PostgreSQL text and jsonb refuse) with U+FFFD in its place', async () => {
    const writer = await JobLogWriter.open(database(), jobId, { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 });
    writer.write('error', 'Salesforce said: bad\u0000byte', 'ApexClass:Nul\u0000Name');
    writer.write('info', 'next');
    await writer.flush();
    const lines = await reader().listLogs(jobId, {});
    expect(lines.map((l) => [l.message, l.component])).toEqual([
      ['Salesforce said: bad\uFFFDbyte', 'ApexClass:Nul\uFFFDName'],
      ['next', null],
    ]);
  });
});

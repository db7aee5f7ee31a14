import crypto from 'node:crypto';
import { describe, it, expect, beforeEach } from '@jest/globals';
import { JobComponentsWriter } from '../../src/jobs/job-components.writer.js';
import { JobLogWriter } from '../../src/jobs/job-log.writer.js';
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
});

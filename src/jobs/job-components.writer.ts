import type { DataSource } from 'typeorm';
import type { ComponentResult } from './job-component.entity.js';
import type { ComponentRow } from './job-handler.js';
import type { MemberRef } from '../salesforce/component.types.js';

/** Inserts or replaces a job's per-component rows in batches; `details` are merged into what the row had. */
export class JobComponentsWriter {
  constructor(
    private readonly db: DataSource,
    private readonly jobId: string,
  ) {}

  /** One statement per 5,000 rows, the rows as one JSON parameter (a bound parameter per value costs more). */
  async upsert(rows: ComponentRow[]): Promise<void> {
    const once = lastOfEach(rows);
    for (let start = 0; start < once.length; start += 5000) {
      const slice = once.slice(start, start + 5000).map((row) => ({
        type: row.type,
        full_name: row.fullName,
        parent_type: row.parentType ?? null,
        parent_full_name: row.parentFullName ?? null,
        action: row.action,
        status: row.status,
        problem: row.problem ?? null,
        problem_type: row.problemType ?? null,
        line_number: row.lineNumber ?? null,
        column_number: row.columnNumber ?? null,
        details: row.details ?? {},
      }));
      await this.db.query(
        `INSERT INTO job_components (job_id, type, full_name, parent_type, parent_full_name, action, status, problem, problem_type,
                                     line_number, column_number, details, updated_at)
         SELECT $1, r.type, r.full_name, r.parent_type, r.parent_full_name, r.action, r.status, r.problem, r.problem_type,
                r.line_number, r.column_number, r.details, now()
           FROM jsonb_to_recordset($2::jsonb) AS r(type text, full_name text, parent_type text, parent_full_name text,
                action text, status text, problem text, problem_type text, line_number integer, column_number integer,
                details jsonb)
         ON CONFLICT (job_id, type, full_name) DO UPDATE SET
           parent_type = EXCLUDED.parent_type, parent_full_name = EXCLUDED.parent_full_name, action = EXCLUDED.action,
           status = EXCLUDED.status, problem = EXCLUDED.problem, problem_type = EXCLUDED.problem_type,
           line_number = EXCLUDED.line_number, column_number = EXCLUDED.column_number,
           details = job_components.details || EXCLUDED.details, updated_at = now()`,
        [this.jobId, JSON.stringify(slice)],
      );
    }
  }

  /**
   * Every row of the job still Pending, except those of `except` (by type and full name), gets the status and merges
   * the details of `change`, in one statement: after a deploy, the components that ended as planned (10,000 rows in
   * about 30 ms on PGlite, against about 150 ms sent one by one as JSON); after a drift check, the components that
   * did not drift.
   */
  async settlePending(
    change: { status?: ComponentResult; details?: Record<string, unknown> },
    except: MemberRef[] = [],
  ): Promise<void> {
    await this.db.query(
      `UPDATE job_components jc SET status = coalesce($2, jc.status), details = jc.details || $3::jsonb, updated_at = now()
        WHERE jc.job_id = $1 AND jc.status = 'Pending'
          AND NOT EXISTS (SELECT 1 FROM jsonb_to_recordset($4::jsonb) AS r(type text, full_name text)
                           WHERE r.type = jc.type AND r.full_name = jc.full_name)`,
      [
        this.jobId,
        change.status ?? null,
        JSON.stringify(change.details ?? {}),
        JSON.stringify(except.map((r) => ({ type: r.type, full_name: r.fullName }))),
      ],
    );
  }
}

/**
 * One row per component, as upserting the rows one after the other would leave it: the last row's columns, the
 * details of all of them merged in order (one statement cannot touch the same row twice).
 */
function lastOfEach(rows: ComponentRow[]): ComponentRow[] {
  const byKey = new Map<string, ComponentRow>();
  for (const row of rows) {
    const key = `${row.type}\u0000${row.fullName}`;
    const earlier = byKey.get(key);
    byKey.delete(key);
    byKey.set(key, earlier ? { ...row, details: { ...earlier.details, ...row.details } } : row);
  }
  return [...byKey.values()];
}

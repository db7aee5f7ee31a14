import type { DataSource } from 'typeorm';
import type { ComponentRow } from './job-handler.js';

/** Inserts or replaces a job's per-component rows in batches; `details` are merged into what the row had. */
export class JobComponentsWriter {
  constructor(
    private readonly db: DataSource,
    private readonly jobId: string,
  ) {}

  async upsert(rows: ComponentRow[]): Promise<void> {
    const columns = 12;
    for (let start = 0; start < rows.length; start += 400) {
      const slice = rows.slice(start, start + 400);
      const values: unknown[] = [];
      const tuples = slice.map((row, i) => {
        values.push(
          this.jobId,
          row.type,
          row.fullName,
          row.parentType ?? null,
          row.parentFullName ?? null,
          row.action,
          row.status,
          row.problem ?? null,
          row.problemType ?? null,
          row.lineNumber ?? null,
          row.columnNumber ?? null,
          JSON.stringify(row.details ?? {}),
        );
        const b = i * columns;
        return `(${Array.from({ length: columns - 1 }, (_, k) => `$${b + k + 1}`).join(', ')}, $${b + columns}::jsonb, now())`;
      });
      await this.db.query(
        `INSERT INTO job_components (job_id, type, full_name, parent_type, parent_full_name, action, status, problem, problem_type,
                                     line_number, column_number, details, updated_at)
         VALUES ${tuples.join(', ')}
         ON CONFLICT (job_id, type, full_name) DO UPDATE SET
           parent_type = EXCLUDED.parent_type, parent_full_name = EXCLUDED.parent_full_name, action = EXCLUDED.action,
           status = EXCLUDED.status, problem = EXCLUDED.problem, problem_type = EXCLUDED.problem_type,
           line_number = EXCLUDED.line_number, column_number = EXCLUDED.column_number,
           details = job_components.details || EXCLUDED.details, updated_at = now()`,
        values,
      );
    }
  }
}

import type { DataSource } from 'typeorm';
import type { LogLevel } from './job-log.entity.js';

export interface LogLine {
  level: LogLevel;
  message: string;
  component: string | null;
  at: Date;
}

/**
 * Appends a job's log lines in order with consecutive `seq`, batching inserts (a 10,000-component job writes tens of
 * thousands of lines). Only the worker holding the job's lease writes its log, so the sequence is its own.
 */
export class JobLogWriter {
  private buffer: (LogLine & { seq: number })[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();

  private constructor(
    private readonly db: DataSource,
    private readonly jobId: string,
    private nextSeq: number,
  ) {}

  static async open(db: DataSource, jobId: string): Promise<JobLogWriter> {
    const rows: { max: number | null }[] = await db.query(`SELECT max(seq) AS max FROM job_logs WHERE job_id = $1`, [jobId]);
    return new JobLogWriter(db, jobId, (rows[0]?.max ?? 0) + 1);
  }

  write(level: LogLevel, message: string, component: string | null = null): void {
    this.buffer.push({ seq: this.nextSeq++, level, message, component, at: new Date() });
    if (this.buffer.length >= 1000) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), 200);
  }

  /** Writes what is buffered; resolves when every line written so far is in the database. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.buffer;
    this.buffer = [];
    this.flushing = this.flushing.then(() => (batch.length ? this.insert(batch) : undefined));
    return this.flushing;
  }

  private async insert(batch: (LogLine & { seq: number })[]): Promise<void> {
    for (let start = 0; start < batch.length; start += 500) {
      const slice = batch.slice(start, start + 500);
      const values: unknown[] = [];
      const tuples = slice.map((line, i) => {
        values.push(this.jobId, line.seq, line.at, line.level, line.component, line.message);
        const b = i * 6;
        return `($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}, $${b + 5}, $${b + 6})`;
      });
      await this.db.query(
        `INSERT INTO job_logs (job_id, seq, at, level, component, message) VALUES ${tuples.join(', ')} ON CONFLICT (job_id, seq) DO NOTHING`,
        values,
      );
    }
  }
}

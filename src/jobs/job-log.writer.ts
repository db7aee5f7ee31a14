/** What the writer needs of the DataSource (a stand-in in specs). */
export interface LogDatabase {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}
import { withRetry, type RetryPolicy } from '../common/retry.js';
import type { LogLevel } from './job-log.js';

/** A line as it is stored: `at` is the time as JSON writes a Date (an ISO 8601 string). */
interface LogLine {
  seq: number;
  level: LogLevel;
  message: string;
  component: string | null;
  at: string;
}

/** Lines per stored block: a page of `GET /api/jobs/:id/logs` reads one or two. */
const BLOCK_LINES = 1000;

/**
 * The text with U+FFFD for each NUL character: PostgreSQL's text and jsonb cannot hold one, and a line that cannot be
 * written would hold back every line after it (an error message from an outside system may carry one).
 */
function storable(text: string): string {
  return text.includes('\u0000') ? text.replaceAll('\u0000', '\uFFFD') : text;
}

/** A failed INSERT (the database restarting, a dropped connection) is tried again for about ten seconds. */
const INSERT_RETRY: RetryPolicy = { attempts: 6, baseDelayMs: 300, maxDelayMs: 4_000 };

/**
 * Appends a job's log lines in order with consecutive `seq`, batching inserts (a 10,000-component job writes tens of
 * thousands of lines). Only the worker holding the job's lease writes its log, so the sequence is its own.
 *
 * Writes in the background never reject unhandled: a failed insert is retried, its lines are kept for the next
 * flush (`seq` is fixed; a block written before is replaced only by a longer one), and when the database stays
 * away `onUnavailable` is told — the runner then pauses the job (it is resumed once the database answers) instead
 * of the process dying.
 */
export class JobLogWriter {
  private buffer: LogLine[] = [];
  private stampedAt = 0;
  private stamp = '';
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();
  private unavailable: ((error: unknown) => void) | null = null;

  private constructor(
    private readonly db: LogDatabase,
    private readonly jobId: string,
    private nextSeq: number,
    private readonly retry: RetryPolicy,
  ) {}

  static async open(db: LogDatabase, jobId: string, retry: RetryPolicy = INSERT_RETRY): Promise<JobLogWriter> {
    const rows = (await db.query(`SELECT max(last_seq) AS max FROM job_log_blocks WHERE job_id = $1`, [jobId])) as {
      max: number | null;
    }[];
    return new JobLogWriter(db, jobId, (rows[0]?.max ?? 0) + 1, retry);
  }

  /** Called (once per failed background flush) when the database stayed away through every retry. */
  onUnavailable(callback: (error: unknown) => void): void {
    this.unavailable = callback;
  }

  write(level: LogLevel, message: string, component: string | null = null): void {
    this.buffer.push({
      seq: this.nextSeq++,
      level,
      message: storable(message),
      component: component === null ? null : storable(component),
      at: this.now(),
    });
    if (this.buffer.length >= 1000) this.flushInBackground();
    else this.timer ??= setTimeout(() => this.flushInBackground(), 200);
  }

  /** Writes what is buffered; resolves when every line written so far is in the database. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.buffer;
    this.buffer = [];
    const run = this.flushing.then(() => (batch.length ? this.insertOrKeep(batch) : undefined));
    // The chain goes on after a failure: a later flush tries the kept lines again.
    this.flushing = run.catch(() => undefined);
    return run;
  }

  /** Drops the pending timer (the job's attempt is over and its lines could not be written). */
  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /**
   * The time now as text, made once per millisecond: lines come thousands at a time, and a Date object per line made
   * their JSON two to three times slower to write (27,000 lines: 75 ms against 23–45 ms).
   */
  private now(): string {
    const ms = Date.now();
    if (ms !== this.stampedAt) {
      this.stampedAt = ms;
      this.stamp = new Date(ms).toISOString();
    }
    return this.stamp;
  }

  private flushInBackground(): void {
    this.flush().catch((error: unknown) => this.unavailable?.(error));
  }

  private async insertOrKeep(batch: LogLine[]): Promise<void> {
    try {
      await withRetry(() => this.insert(batch), { policy: this.retry, retryable: () => true });
    } catch (error) {
      this.buffer = [...batch, ...this.buffer];
      throw error;
    }
  }

  /**
   * The lines as blocks of up to 1,000 (ADR 0029), in one statement. A batch tried again after a failure starts at
   * the same line and holds at least the lines it held (`insertOrKeep` puts them back before newer ones), so each of
   * its blocks starts where the earlier try's did: a block already written is replaced only by a longer one.
   */
  private async insert(batch: LogLine[]): Promise<void> {
    const params: unknown[] = [this.jobId];
    const values: string[] = [];
    for (let start = 0; start < batch.length; start += BLOCK_LINES) {
      const lines = batch.slice(start, start + BLOCK_LINES);
      const n = params.length;
      values.push(`($1, $${n + 1}, $${n + 2}, $${n + 3}::jsonb)`);
      params.push(lines[0]!.seq, lines[lines.length - 1]!.seq, JSON.stringify(lines));
    }
    await this.db.query(
      `INSERT INTO job_log_blocks (job_id, first_seq, last_seq, lines) VALUES ${values.join(', ')}
       ON CONFLICT (job_id, first_seq) DO UPDATE SET last_seq = EXCLUDED.last_seq, lines = EXCLUDED.lines
        WHERE job_log_blocks.last_seq < EXCLUDED.last_seq`,
      params,
    );
  }
}

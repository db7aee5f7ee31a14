export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** One line of a job's log. Lines are stored in blocks of consecutive lines (`job_log_blocks`, ADR 0029). */
export interface JobLog {
  /** A line is its job's `seq`-th (ADR 0025). */
  seq: number;
  at: Date;
  level: LogLevel;
  /** `Type:FullName` when the line belongs to one component's thread. */
  component: string | null;
  message: string;
}

/** The columns of a block's line objects, for `jsonb_to_recordset(lines) AS l(…)`. */
export const LOG_LINE_COLUMNS = 'seq integer, at timestamptz, level text, component text, message text';

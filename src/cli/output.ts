import { ExitCode } from './api-client.js';
import type { Job, JobComponent, LogLine } from './job.types.js';

/** Where output goes: stdout for results, stderr for progress and errors. */
export interface Streams {
  stdout: Writable;
  stderr: Writable;
}
export interface Writable {
  write(text: string): unknown;
  isTTY?: boolean;
}

export function exitCodeForJob(job: Pick<Job, 'status'>): ExitCode {
  return job.status === 'Exception' ? ExitCode.Exception : ExitCode.Ok;
}

/** "Deploy 2e20a3ca In Progress · Deploying (InProgress) · 3/11 components (27%)" */
export function describeProgress(job: Job): string {
  const { phase, componentsDone, componentsTotal, percent } = job.progress;
  const parts = [`${job.kind} ${job.id.slice(0, 8)} ${job.status}`];
  if (phase && phase !== job.status) parts.push(phase);
  if (componentsTotal > 0) parts.push(`${componentsDone}/${componentsTotal} components (${percent}%)`);
  return parts.join(' · ');
}

/** "Deploy 2e20a3ca-… Completed in 3 s: 11 created, 1 failed." plus the error and where to see the job. */
export function describeOutcome(job: Job, baseUrl: string): string {
  const counts = Object.entries(job.counts)
    .filter(([key, n]) => key !== 'total' && n > 0)
    .map(([key, n]) => `${n} ${key}`);
  const seconds =
    job.startedAt && job.finishedAt
      ? Math.round((Date.parse(job.finishedAt) - Date.parse(job.startedAt)) / 1000)
      : null;
  const lines = [
    `${job.kind} ${job.id} ${job.status}${seconds === null ? '' : ` in ${seconds} s`}${counts.length ? `: ${counts.join(', ')}` : ''}.`,
  ];
  if (job.error) lines.push(`Error: ${job.error}`);
  lines.push(`Details: ${new URL(`/#/jobs/${job.id}`, baseUrl).href}`);
  return lines.join('\n');
}

/** Columns padded to their widest cell; the last column is not padded. */
export function formatTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

/** "line 3:5 Unexpected token" — Salesforce's problem with where it is. */
export function describeProblem(c: Pick<JobComponent, 'problem' | 'lineNumber' | 'columnNumber'>): string {
  if (!c.problem) return '';
  if (!c.lineNumber) return c.problem;
  return `line ${c.lineNumber}${c.columnNumber ? `:${c.columnNumber}` : ''} ${c.problem}`;
}

export function formatComponents(rows: JobComponent[]): string {
  if (rows.length === 0) return 'No component results.';
  return formatTable(
    ['TYPE', 'NAME', 'ACTION', 'STATUS', 'PROBLEM'],
    rows.map((c) => [c.type, c.fullName, c.action, c.status, describeProblem(c)]),
  );
}

/** "2025-01-31T10:00:00.000Z INFO  ApexClass:Foo  Deployed: created" */
export function formatLogLine(line: LogLine): string {
  return [line.at, line.level.toUpperCase().padEnd(5), line.component, line.message].filter(Boolean).join('  ');
}

/**
 * Shows a job's progress while the CLI waits: one line rewritten in place on a terminal, or a timestamped line
 * per change when the output is a log (CI).
 */
export class ProgressDisplay {
  private last = '';

  constructor(
    private readonly out: Writable,
    private readonly now: () => Date = () => new Date(),
  ) {}

  update(job: Job): void {
    this.show(describeProgress(job));
  }

  /** Shows one progress line (an execution's, say), unless it is the same as the last one. */
  show(text: string): void {
    if (text === this.last) return;
    this.last = text;
    if (this.out.isTTY) this.out.write(`\r\x1b[2K${text}`);
    else this.out.write(`${this.now().toISOString()} ${text}\n`);
  }

  /** Ends the in-place line so what follows starts on its own line. */
  finish(): void {
    if (this.out.isTTY && this.last) this.out.write('\n');
  }
}

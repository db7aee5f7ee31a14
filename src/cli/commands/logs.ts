import { CliError, ExitCode } from '../api-client.js';
import { formatExecutionLogLine } from '../execution-output.js';
import type { ExecutionLogLine } from '../execution.types.js';
import type { Job, LogLine } from '../job.types.js';
import { exitCodeForJob, formatLogLine } from '../output.js';
import { parseComponentRef, type CommandContext } from './command.js';
import { findExecution } from './execution.js';

export interface LogsOptions {
  component?: string;
  stage?: string;
  follow?: boolean;
}

const PAGE = 5000;
const RECONNECT_MS = 1000;

/**
 * backtrack logs JOB [--component Type:Name] [--follow] — the job's log (one component's thread with --component).
 * --follow streams new lines until the job finished and exits with its code, resuming if the connection drops.
 */
export async function logs(ctx: CommandContext, jobId: string, options: LogsOptions): Promise<ExitCode> {
  if (options.component) parseComponentRef(options.component);
  if (options.component && options.stage)
    throw new CliError(ExitCode.Usage, '--component is for a Salesforce job, --stage for an execution: give one.');
  const execution = options.component ? null : await findExecution(ctx, jobId);
  if (execution) return executionLogs(ctx, execution.id, options);
  if (options.stage)
    throw new CliError(
      ExitCode.Usage,
      `${jobId} is not an execution of a pipeline, so it has no --stage: leave it out.`,
    );
  const print = (line: LogLine) =>
    ctx.streams.stdout.write(`${ctx.json ? JSON.stringify(line) : formatLogLine(line)}\n`);
  const query = (after: number) =>
    new URLSearchParams({ after: String(after), ...(options.component ? { component: options.component } : {}) });
  const base = `/api/jobs/${encodeURIComponent(jobId)}`;

  if (!options.follow) {
    for (let after = 0; ;) {
      const page = await ctx.client.request<{ items: LogLine[]; nextAfter: number }>(
        'GET',
        `${base}/logs?${query(after).toString()}&limit=${PAGE}`,
      );
      page.items.forEach(print);
      if (page.items.length < PAGE) return ExitCode.Ok;
      after = page.nextAfter;
    }
  }
  for (let after = 0; ; await new Promise((resolve) => setTimeout(resolve, RECONNECT_MS))) {
    try {
      for await (const event of ctx.client.events(`${base}/logs/stream?${query(after).toString()}`)) {
        if (event.event === 'log') {
          const line = JSON.parse(event.data) as LogLine;
          after = line.seq;
          print(line);
        } else if (event.event === 'end') {
          return exitCodeForJob(JSON.parse(event.data) as Pick<Job, 'status'>);
        }
      }
    } catch (error) {
      if (error instanceof CliError) throw error;
      // The connection dropped mid-stream: resume after the last line printed.
    }
  }
}

/**
 * An execution's log (one stage's with --stage): every stored line, or with --follow the live stream until the
 * execution finished (exiting with its code), resuming after the last line printed if the connection drops.
 */
async function executionLogs(ctx: CommandContext, id: string, options: LogsOptions): Promise<ExitCode> {
  const print = (line: ExecutionLogLine) =>
    ctx.streams.stdout.write(`${ctx.json ? JSON.stringify(line) : formatExecutionLogLine(line)}\n`);
  const query = (after: number) =>
    new URLSearchParams({ after: String(after), ...(options.stage ? { stage: options.stage } : {}) });
  const base = `/api/executions/${encodeURIComponent(id)}`;
  if (!options.follow) {
    for (let after = 0; ;) {
      const page = await ctx.client.request<{ logs: ExecutionLogLine[] }>(
        'GET',
        `${base}/logs?${query(after).toString()}&limit=${PAGE}`,
      );
      page.logs.forEach(print);
      if (page.logs.length < PAGE) return ExitCode.Ok;
      after = page.logs.at(-1)!.seq;
    }
  }
  for (let after = 0; ; await new Promise((resolve) => setTimeout(resolve, RECONNECT_MS))) {
    try {
      for await (const event of ctx.client.events(`${base}/events?${query(after).toString()}`)) {
        if (event.event === 'log') {
          const line = JSON.parse(event.data) as ExecutionLogLine;
          after = line.seq;
          print(line);
        } else if (event.event === 'end') {
          return exitCodeForJob(JSON.parse(event.data) as Pick<Job, 'status'>);
        }
      }
    } catch (error) {
      if (error instanceof CliError) throw error;
      // The connection dropped mid-stream: resume after the last line printed.
    }
  }
}

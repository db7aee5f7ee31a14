import { CliError, ExitCode } from '../api-client.js';
import type { Job, LogLine } from '../job.types.js';
import { exitCodeForJob, formatLogLine } from '../output.js';
import { parseComponentRef, type CommandContext } from './command.js';

export interface LogsOptions {
  component?: string;
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

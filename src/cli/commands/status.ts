import type { ExitCode } from '../api-client.js';
import type { Job } from '../job.types.js';
import { reportJob, type CommandContext } from './command.js';

/** backtrack status JOB — the job's state, and its per-component results once it finished. */
export async function status(ctx: CommandContext, jobId: string): Promise<ExitCode> {
  return reportJob(ctx, await ctx.client.request<Job>('GET', `/api/jobs/${encodeURIComponent(jobId)}`), false);
}

import type { ExitCode } from '../api-client.js';
import type { Job } from '../job.types.js';
import { reportJob, type CommandContext } from './command.js';

/**
 * backtrack cancel JOB [--wait] — cancels a Queued or In Progress job. A Queued job ends at once; a running one stops
 * (a deploy Salesforce is running is canceled there). With --wait, waits for how it ended.
 */
export async function cancel(ctx: CommandContext, jobId: string, options: { wait?: boolean }): Promise<ExitCode> {
  const job = await ctx.client.request<Job>('POST', `/api/jobs/${encodeURIComponent(jobId)}/cancel`);
  return reportJob(ctx, job, options.wait ?? false);
}

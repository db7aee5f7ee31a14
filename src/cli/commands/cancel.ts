import { ExitCode } from '../api-client.js';
import type { Job } from '../job.types.js';
import { reportJob, type CommandContext } from './command.js';

/**
 * backtrack cancel JOB [--wait] — cancels a Queued or In Progress job. A Queued job ends at once; a running one stops
 * (a deploy Salesforce is running is canceled there). Exits 0 once the cancel is accepted; with --wait, waits for how
 * the job ended and exits with its code (1 for a canceled job, 0 when it completed before the cancel took effect).
 */
export async function cancel(ctx: CommandContext, jobId: string, options: { wait?: boolean }): Promise<ExitCode> {
  const job = await ctx.client.request<Job>('POST', `/api/jobs/${encodeURIComponent(jobId)}/cancel`);
  const code = await reportJob(ctx, job, options.wait ?? false);
  return options.wait ? code : ExitCode.Ok;
}

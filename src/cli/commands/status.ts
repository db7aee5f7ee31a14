import type { ExitCode } from '../api-client.js';
import type { Job } from '../job.types.js';
import { reportJob, type CommandContext } from './command.js';
import { findExecution, reportExecution } from './execution.js';

/**
 * backtrack status ID — the job's state, and its per-component results once it finished; for an execution of a
 * pipeline (or its rollback), its stage table.
 */
export async function status(ctx: CommandContext, id: string): Promise<ExitCode> {
  const execution = await findExecution(ctx, id);
  if (execution) return reportExecution(ctx, execution, false);
  return reportJob(ctx, await ctx.client.request<Job>('GET', `/api/jobs/${encodeURIComponent(id)}`), false);
}

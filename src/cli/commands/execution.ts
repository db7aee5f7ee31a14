import { CliError, ExitCode } from '../api-client.js';
import { describeExecutionOutcome, describeExecutionProgress, formatStages } from '../execution-output.js';
import type { Execution } from '../execution.types.js';
import { isFinished } from '../job.types.js';
import { exitCodeForJob } from '../output.js';
import { waitUntilFinished, type CommandContext } from './command.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The id of the one item named `nameOrId` (an id as it is, else an exact name match in `items`), or a usage error
 * listing the names there are.
 */
export function resolveByName(
  items: { id: string; name: string }[],
  nameOrId: string,
  what: string,
): { id: string; name: string } {
  const byId = items.find((i) => i.id === nameOrId);
  if (byId) return byId;
  const byName = items.filter((i) => i.name === nameOrId);
  if (byName.length === 1) return byName[0]!;
  if (byName.length > 1)
    throw new CliError(ExitCode.Usage, `${byName.length} ${what}s are named "${nameOrId}": give the id instead.`);
  if (UUID.test(nameOrId)) return { id: nameOrId, name: nameOrId };
  const known = items.map((i) => i.name).join(', ');
  throw new CliError(ExitCode.Usage, `No ${what} named "${nameOrId}"${known ? ` (there are: ${known})` : ''}.`);
}

/**
 * The execution with this id, or null when the id is a job that is not an execution (a Salesforce deploy) or no id
 * at all (the jobs route then says what is wrong with it, as before).
 */
export async function findExecution(ctx: CommandContext, id: string): Promise<Execution | null> {
  if (!UUID.test(id)) return null;
  try {
    return await ctx.client.request<Execution>('GET', `/api/executions/${encodeURIComponent(id)}`);
  } catch (error) {
    if (error instanceof CliError && error.httpStatus === 404) return null;
    throw error;
  }
}

/**
 * Reports an execution (or its rollback) the command started or looked up: waits for it when asked (stage progress on
 * stderr), prints the outcome and, once it finished, the stage table (or {execution} as JSON); answers the exit code.
 */
export async function reportExecution(ctx: CommandContext, started: Execution, wait: boolean): Promise<ExitCode> {
  const execution = wait
    ? await waitUntilFinished(ctx, `/api/executions/${started.id}`, started, describeExecutionProgress)
    : started;
  if (ctx.json) {
    ctx.streams.stdout.write(`${JSON.stringify({ execution }, null, 2)}\n`);
  } else {
    ctx.streams.stdout.write(`${describeExecutionOutcome(execution, ctx.client.baseUrl)}\n`);
    if (isFinished(execution)) ctx.streams.stdout.write(`${formatStages(execution.stages)}\n`);
  }
  return isFinished(execution) ? exitCodeForJob(execution) : ExitCode.Ok;
}

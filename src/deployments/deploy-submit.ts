import type { JobContext } from '../jobs/job-handler.js';
import { classifyFault } from '../jobs/fault-decision.js';
import { SalesforceApiError } from '../salesforce/metadata-api.gateway.js';

/**
 * Submits a deploy (a Deploy job's package or a rollback's restore package) exactly once. `submitting` and the time
 * are saved first, so a worker that dies before the id arrives is known to have maybe submitted; the id is saved as
 * soon as Salesforce returns it. A refusal clears `submitting` and is thrown (nothing was started); a lost answer
 * (a dropped connection, a timeout, no id in the answer) returns null: Salesforce may have started the deploy, so
 * it is never sent again — the caller finds out what happened instead.
 */
export async function submitOnce(
  ctx: JobContext,
  what: 'deploy' | 'rollback',
  start: () => Promise<string>,
): Promise<string | null> {
  await ctx.saveState({ submitting: true, submittedAt: new Date().toISOString() });
  let asyncId: string;
  try {
    asyncId = await start();
  } catch (error) {
    const lost =
      classifyFault(error) === 'transient' ||
      (error instanceof SalesforceApiError && error.faultCode === 'NO_ASYNC_ID');
    if (!lost) {
      await ctx.saveState({ submitting: false });
      throw error;
    }
    const why = error instanceof Error ? error.message : String(error);
    ctx.log(
      'warn',
      `The answer to the ${what} submission was lost (${why}); Salesforce may have started it. It is not submitted again.`,
    );
    return null;
  }
  await ctx.saveState({ asyncId });
  return asyncId;
}

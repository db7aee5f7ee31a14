import type { DeployStatus, MetadataSession } from '../salesforce/metadata-api.gateway.js';
import { pollDelayMs, sleep } from '../common/polling.js';

/**
 * Polls a Salesforce deploy (a Backtrack deploy or a rollback) until it is done, with back-off up to the ceiling.
 * While it runs, polls ask for counts only (a 10,000-component answer with details costs a third of a second to
 * parse); once it is done, one more call fetches the per-component results, which is what is returned.
 * `onStatus` sees every answer (for progress and log lines). Safe to call again after a restart with the same id.
 */
export async function pollDeploy(
  session: MetadataSession,
  asyncId: string,
  options: { signal: AbortSignal; ceilingMs: number; onStatus: (status: DeployStatus) => Promise<void> },
): Promise<DeployStatus> {
  for (let attempt = 0; ; attempt++) {
    const light = await session.checkDeploy(asyncId, { details: false });
    const status = light.done ? await session.checkDeploy(asyncId, { details: true }) : light;
    await options.onStatus(status);
    if (status.done) return status;
    await sleep(pollDelayMs(attempt, options.ceilingMs), options.signal);
  }
}

import type { JobContext } from '../jobs/job-handler.js';
import type { DeployStatus, MetadataSession } from '../salesforce/metadata-api.gateway.js';
import { pollDelayMs, sleep } from '../common/polling.js';

/** Why a running deploy is canceled: someone asked (POST /api/jobs/:id/cancel), or the deadline passed. */
export interface CancelWatch {
  /** Epoch ms after which the deploy is canceled (submission + DEPLOY_TIMEOUT_MINUTES). */
  deadlineAt: number;
  /** A sentence when a cancel was asked for (read from the job row), null otherwise. */
  requested: () => Promise<string | null>;
  /** Already sent by an earlier attempt: not sent again. */
  alreadySent: boolean;
  /** Called once cancelDeploy was accepted, with the reason (to log it and save it before relying on it). */
  onSent: (reason: string) => Promise<void>;
}

/** The sentence for a cancel someone asked for. */
export function cancelReason(request: { by: string } | null): string | null {
  return request ? `${request.by} asked to cancel it` : null;
}

/** The sentence for a deploy canceled because it passed its deadline. */
export function deadlineReason(minutes: number): string {
  return `Salesforce had not finished it after ${minutes} minute(s) (DEPLOY_TIMEOUT_MINUTES)`;
}

/**
 * The cancel options of pollDeploy for a Deploy or Rollback job: its deadline counts from the submission (or the
 * job's start), a cancel someone asked for is read from the job row, and a cancel once sent is saved in the job's
 * state (`cancelSent`) and logged, so that a resumed job neither sends it again nor forgets why.
 */
export function jobCancelOptions(
  ctx: JobContext,
  timeoutMinutes: number,
  what: 'deploy' | 'rollback',
): { cancel: CancelWatch; deadlineReason: string } {
  const state: { submittedAt?: string; cancelSent?: string } = ctx.job.state;
  return {
    deadlineReason: deadlineReason(timeoutMinutes),
    cancel: {
      deadlineAt:
        Date.parse(state.submittedAt ?? (ctx.job.startedAt ?? ctx.job.createdAt).toISOString()) +
        timeoutMinutes * 60_000,
      requested: async () => cancelReason(await ctx.cancelRequested()),
      alreadySent: Boolean(state.cancelSent),
      onSent: async (reason) => {
        await ctx.saveState({ cancelSent: reason });
        ctx.log('warn', `Canceling the ${what} in Salesforce: ${reason}`);
      },
    },
  };
}

/**
 * Polls a Salesforce deploy (a Backtrack deploy or a rollback) until it is done, with back-off up to the ceiling.
 * Polls ask for counts only (a 10,000-component answer with details costs a third of a second to parse); once it is
 * done, one more call fetches the per-component results, which is what is returned. `onStatus` sees every counts-only
 * answer, the one saying done included (for progress and log lines); `onDone` is then called with that answer before
 * the results are fetched, so work that needs only the verdict (a rollback's verification retrieves) starts beside
 * the fetch. Safe to call again after a restart with the same id.
 * With `cancel`, a deploy past its deadline or asked to stop is canceled (cancelDeploy) and polled until Salesforce
 * says how it ended (Canceled, or done before the cancel took effect).
 */
export async function pollDeploy(
  session: MetadataSession,
  asyncId: string,
  options: {
    signal: AbortSignal;
    ceilingMs: number;
    onStatus: (status: DeployStatus) => Promise<void>;
    onDone?: (status: DeployStatus) => void;
    cancel?: CancelWatch;
    deadlineReason?: string;
  },
): Promise<DeployStatus> {
  let cancelSent = options.cancel?.alreadySent ?? false;
  for (let attempt = 0; ; attempt++) {
    const status = await session.checkDeploy(asyncId, { details: false });
    await options.onStatus(status);
    if (status.done) {
      options.onDone?.(status);
      return session.checkDeploy(asyncId, { details: true });
    }
    if (options.cancel && !cancelSent) {
      const reason =
        Date.now() > options.cancel.deadlineAt
          ? (options.deadlineReason ?? 'it passed its deadline')
          : await options.cancel.requested();
      if (reason) {
        await session.cancelDeploy(asyncId);
        cancelSent = true;
        await options.cancel.onSent(reason);
        continue;
      }
    }
    await sleep(pollDelayMs(attempt, options.ceilingMs), options.signal);
  }
}

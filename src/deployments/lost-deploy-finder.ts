import { sleep } from '../common/polling.js';
import { classifyFault } from '../jobs/fault-decision.js';
import type { JobContext } from '../jobs/job-handler.js';
import type { MetadataSession } from '../salesforce/metadata-api.gateway.js';
import { LOST_DEPLOY_SKEW_MS, matchLostDeploy } from './lost-deploy-match.js';

/** How many times the org's recent deploys are listed before a lost deploy is said not to show. */
export const RECENT_DEPLOY_CHECKS = 3;

/**
 * Asks the org's recent deploys (Tooling API DeployRequest) for the deploy whose submit answer was lost, a few
 * times `waitMs` apart, and logs what Salesforce showed. Returns the id of the one matching deploy (see
 * matchLostDeploy); null when none shows, several match, the submission time is unknown or the org refuses the
 * query (the Tooling API not allowed). An unreachable org or expired credentials are thrown as they are.
 */
export async function findLostDeployId(
  ctx: Pick<JobContext, 'log' | 'signal'>,
  session: MetadataSession,
  options: {
    submittedAt: string | undefined;
    checkOnly: boolean;
    what: 'deploy' | 'rollback';
    waitMs: number;
    /** Deploy ids other Backtrack jobs on this org saved: not this job's. */
    knownIds: () => Promise<ReadonlySet<string>>;
  },
): Promise<string | null> {
  const submittedAt = options.submittedAt ? new Date(options.submittedAt) : null;
  if (!submittedAt || Number.isNaN(submittedAt.getTime())) {
    ctx.log('warn', `The time the ${options.what} was submitted was not saved: its deploy cannot be told from others.`);
    return null;
  }
  for (let check = 1; check <= RECENT_DEPLOY_CHECKS; check++) {
    let recent;
    try {
      recent = await session.recentDeploys(new Date(submittedAt.getTime() - LOST_DEPLOY_SKEW_MS));
    } catch (error) {
      // Unreachable org or expired credentials: the job stays resumable and the next attempt asks again.
      if (ctx.signal.aborted || classifyFault(error) !== 'other') throw error;
      const why = error instanceof Error ? error.message : String(error);
      ctx.log('warn', `Could not list the org's recent deploys (${why}).`);
      return null;
    }
    const match = matchLostDeploy(recent, submittedAt, {
      checkOnly: options.checkOnly,
      knownIds: await options.knownIds(),
    });
    if (match.kind === 'found') {
      const { id, createdDate, status } = match.deploy;
      ctx.log(
        'info',
        `Salesforce's recent deploys show deploy ${id} started at ${createdDate.toISOString()} (${status}); ` +
          'following it',
      );
      return id;
    }
    if (match.kind === 'several') {
      const list = match.deploys.map((d) => `${d.id} at ${d.createdDate.toISOString()}`).join(', ');
      ctx.log(
        'warn',
        `Salesforce's recent deploys show ${match.deploys.length} deploys started when this ${options.what} was ` +
          `submitted (${list}): Backtrack cannot tell which one is this ${options.what}'s, so it follows none.`,
      );
      return null;
    }
    ctx.log(
      'info',
      `Recent deploys check ${check}/${RECENT_DEPLOY_CHECKS}: no deploy started at ${submittedAt.toISOString()} ` +
        'shows in the org yet',
    );
    if (check < RECENT_DEPLOY_CHECKS) await sleep(options.waitMs, ctx.signal);
  }
  ctx.log('warn', `Salesforce's recent deploys do not show this ${options.what}.`);
  return null;
}

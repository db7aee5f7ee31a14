import type { RecentDeploy } from '../salesforce/metadata-api.gateway.js';

/**
 * How far before `submittedAt` a deploy may have been created and still be ours: Backtrack notes the time just
 * before calling deploy(), and Salesforce's clock may run a little behind Backtrack's.
 */
export const LOST_DEPLOY_SKEW_MS = 30_000;
/** How long after `submittedAt` Salesforce may record our deploy's CreatedDate (a slow upload of a large zip). */
export const LOST_DEPLOY_WINDOW_MS = 5 * 60_000;

export type LostDeployMatch =
  { kind: 'found'; deploy: RecentDeploy } | { kind: 'none' } | { kind: 'several'; deploys: RecentDeploy[] };

/**
 * Which of the org's recent deploys is the one whose submit answer was lost. Candidates are the deploys created
 * between `submittedAt - skew` and `submittedAt + window`, of the same kind (validation or not), leaving out the
 * ids Backtrack already knows belong to other jobs, and — once Salesforce has planned a deploy — those whose
 * component count differs from the package's (when the caller knows it). Exactly one candidate is adopted;
 * none or several are said as such: it never guesses.
 */
export function matchLostDeploy(
  candidates: readonly RecentDeploy[],
  submittedAt: Date,
  expect: { checkOnly: boolean; componentCount?: number; knownIds?: ReadonlySet<string> },
): LostDeployMatch {
  const from = submittedAt.getTime() - LOST_DEPLOY_SKEW_MS;
  const to = submittedAt.getTime() + LOST_DEPLOY_WINDOW_MS;
  const matching = candidates.filter((d) => {
    const created = d.createdDate.getTime();
    if (created < from || created > to) return false;
    if (d.checkOnly !== expect.checkOnly) return false;
    if (expect.knownIds?.has(d.id)) return false;
    const planned = d.numberComponentsTotal > 0;
    return !(planned && expect.componentCount !== undefined && d.numberComponentsTotal !== expect.componentCount);
  });
  if (matching.length === 1) return { kind: 'found', deploy: matching[0]! };
  if (matching.length === 0) return { kind: 'none' };
  return { kind: 'several', deploys: matching };
}

import {
  PENDING_STATUSES,
  deployedRevision,
  latestRevision,
  parseDeployDescription,
  rollbackDescription,
  type DeployMarker,
} from './helm-history.js';
import type { HelmData, HelmOutputs, HelmRevision } from './helm-records.js';

export type DeployPlan =
  /** Nothing to send: the revision already there (this stage's own, or one holding the same chart and values). */
  | { action: 'done'; revision: HelmRevision; reason: string }
  /** Helm is busy with the release (a pending-* latest revision): call again later. */
  | { action: 'wait'; reason: string }
  /** This stage's own revision failed: said as it is, never sent again. */
  | { action: 'failed'; reason: string }
  | { action: 'send' };

/**
 * What a deploy does given the release's history (read first, on every call): a revision marked with this job and
 * stage means the upgrade was sent by an earlier attempt (done, or failed, or still pending); a deployed latest
 * revision with the same content key is the same chart and values (a second deploy sends nothing); a pending latest
 * revision of anyone's means wait; otherwise send `helm upgrade --install`.
 */
export function planDeploy(
  history: HelmRevision[],
  marker: DeployMarker,
  release: string,
  sentAfter: number | null = null,
): DeployPlan {
  const latest = latestRevision(history);
  // Helm replaces a failed revision's description with its error: a failed revision above the one seen before this
  // stage sent its upgrade is the stage's own too.
  const own = history
    .filter((r) => {
      const m = parseDeployDescription(r.description);
      if (m !== null) return m.jobId === marker.jobId && m.stageId === marker.stageId;
      return sentAfter !== null && r.revision > sentAfter && r.status === 'failed';
    })
    .at(-1);
  if (own && PENDING_STATUSES.has(own.status))
    return {
      action: 'wait',
      reason: `helm is still applying revision ${own.revision} of release ${release} (${own.status})`,
    };
  if (latest && PENDING_STATUSES.has(latest.status))
    return {
      action: 'wait',
      reason: `release ${release} is busy: revision ${latest.revision} is ${latest.status} (another helm call is running or was stopped)`,
    };
  if (own?.status === 'failed')
    return {
      action: 'failed',
      reason: `Helm revision ${own.revision} of release ${release} failed: ${own.description}`,
    };
  if (own) return { action: 'done', revision: own, reason: `revision ${own.revision} was already sent by this stage` };
  if (latest?.status === 'deployed' && parseDeployDescription(latest.description)?.contentKey === marker.contentKey)
    return {
      action: 'done',
      revision: latest,
      reason: `revision ${latest.revision} already runs the same chart and values`,
    };
  return { action: 'send' };
}

export type RollbackPlan =
  /** The release did not exist before the deploy: uninstall it. */
  | { action: 'uninstall' }
  /** Nothing left to do: the reason says why (already uninstalled, already at the captured revision). */
  | { action: 'nothing'; reason: string }
  /** The rollback's revision exists (sent by an earlier attempt): never send it again. */
  | { action: 'sent'; revision: HelmRevision }
  | { action: 'rollback'; to: number }
  | { action: 'wait'; reason: string }
  | { action: 'failed'; reason: string };

/**
 * What a rollback does given the history read now and what capture recorded. `helm rollback` creates its revision
 * ("Rollback to N", pending-rollback) before applying anything, so a revision above the captured latest with that
 * description proves the rollback was sent; its absence proves nothing was applied, and it is safe to send.
 */
export function planRollback(history: HelmRevision[], data: HelmData): RollbackPlan {
  const latest = latestRevision(history);
  if (!data.existed) {
    if (!latest) return { action: 'nothing', reason: `release ${data.release} is already uninstalled` };
    if (PENDING_STATUSES.has(latest.status))
      return { action: 'wait', reason: `release ${data.release}: revision ${latest.revision} is ${latest.status}` };
    return { action: 'uninstall' };
  }
  if (data.revision === null)
    return {
      action: 'failed',
      reason: `release ${data.release} had no deployed revision before the execution (nothing to return to)`,
    };
  const description = rollbackDescription(data.revision);
  // Helm replaces a failed rollback's description with `Rollback "<release>" failed: …`: sent all the same.
  const sent = history
    .filter(
      (r) =>
        r.revision > data.latest &&
        (r.description === description ||
          (r.status === 'failed' && r.description.startsWith(`Rollback "${data.release}" failed`))),
    )
    .at(-1);
  if (sent) {
    if (PENDING_STATUSES.has(sent.status))
      return {
        action: 'wait',
        reason: `helm is still applying revision ${sent.revision} (${description}, ${sent.status})`,
      };
    if (sent.status === 'failed')
      return {
        action: 'failed',
        reason: `Helm's rollback revision ${sent.revision} (${description}) failed: ${sent.description} (it is not sent again)`,
      };
    return { action: 'sent', revision: sent };
  }
  if (!latest)
    return {
      action: 'failed',
      reason: `release ${data.release} no longer exists (uninstalled since the execution): revision ${data.revision} cannot be restored`,
    };
  if (PENDING_STATUSES.has(latest.status))
    return {
      action: 'wait',
      reason: `release ${data.release} is busy: revision ${latest.revision} is ${latest.status} (another helm call is running or was stopped)`,
    };
  const deployed = deployedRevision(history);
  if (latest.revision <= data.latest && deployed?.revision === data.revision)
    return {
      action: 'nothing',
      reason: `release ${data.release} is still at revision ${data.revision}, as captured (the execution changed nothing)`,
    };
  if (!history.some((r) => r.revision === data.revision))
    return {
      action: 'failed',
      reason: `revision ${data.revision} of release ${data.release} is no longer in its history (Helm keeps --history-max revisions): it cannot be restored`,
    };
  return { action: 'rollback', to: data.revision };
}

/** How the release differs from what the stage left: someone ran helm since (or removed the release). */
export function driftSentences(history: HelmRevision[], outputs: HelmOutputs): string[] {
  const where = `Helm release ${outputs.namespace}/${outputs.release}`;
  const latest = latestRevision(history);
  if (outputs.uninstalled)
    return latest ? [`${where}, which the execution uninstalled, exists again (revision ${latest.revision}).`] : [];
  if (outputs.revision === null) return [];
  if (!latest) return [`${where}, which the execution left at revision ${outputs.revision}, is gone (uninstalled).`];
  if (latest.revision !== outputs.revision)
    return [
      `${where} is at revision ${latest.revision} (${latest.status}, "${latest.description}"), not revision ${outputs.revision} that the execution left: someone ran helm since.`,
    ];
  return [];
}

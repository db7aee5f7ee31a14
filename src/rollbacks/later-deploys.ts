import { memberKey, type MemberRef } from '../salesforce/component.types.js';
import { componentKey } from '../salesforce/component-key.js';

/** A later deploy of the same org that changed a component (its snapshot row: created, updated or deleted). */
export interface LaterChange extends MemberRef {
  jobId: string;
  at: Date;
  by: string | null;
}

/** What a rollback candidate says about the newest later deploy that changed it. */
export interface ChangedLaterBy {
  jobId: string;
  at: string;
  by: string | null;
  /** The deploy's page in the web UI. */
  link: string;
}

/** The web UI's page of a job. */
export function jobLink(jobId: string): string {
  return `/#/jobs/${jobId}`;
}

/** `2026-12-01 21:40 UTC`: the minute a deploy was started, as the sentences show it. */
export function deployDate(at: Date): string {
  return `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** The newest later change of each component, by componentKey (names match case-insensitively). */
export function newestLaterChanges(changes: LaterChange[]): Map<string, LaterChange> {
  const out = new Map<string, LaterChange>();
  for (const change of changes) {
    const key = componentKey(change);
    const known = out.get(key);
    if (!known || known.at < change.at) out.set(key, change);
  }
  return out;
}

export function changedLaterBy(change: LaterChange): ChangedLaterBy {
  return { jobId: change.jobId, at: change.at.toISOString(), by: change.by, link: jobLink(change.jobId) };
}

/** Each candidate with `changedLaterBy`: the newest later deploy that changed it, or null. */
export function withChangedLaterBy<T extends MemberRef>(
  candidates: T[],
  newest: Map<string, LaterChange>,
): (T & { changedLaterBy: ChangedLaterBy | null })[] {
  return candidates.map((c) => {
    const change = newest.get(componentKey(c));
    return { ...c, changedLaterBy: change ? changedLaterBy(change) : null };
  });
}

/**
 * The drift sentence of a component a later Backtrack deploy changed: it names that deploy and what to do. A drift
 * no later deploy explains keeps the generic sentence (describeDrift).
 */
export function laterDeployDrift(change: LaterChange): string {
  return (
    `Drift: changed by the later Deploy ${change.jobId} on ${deployDate(change.at)}` +
    `${change.by ? ` by ${change.by}` : ''}; roll that deploy back first, or roll back with force to overwrite its change.`
  );
}

/** The later deploys that changed some of the picked components, newest change per component, grouped by deploy. */
export interface LaterDeployConflict {
  jobId: string;
  at: string;
  by: string | null;
  link: string;
  components: MemberRef[];
}

export function laterDeployConflicts(picked: MemberRef[], newest: Map<string, LaterChange>): LaterDeployConflict[] {
  const byJob = new Map<string, LaterDeployConflict>();
  for (const ref of picked) {
    const change = newest.get(componentKey(ref));
    if (!change) continue;
    const conflict = byJob.get(change.jobId) ?? {
      ...changedLaterBy(change),
      components: [],
    };
    conflict.components.push({ type: ref.type, fullName: ref.fullName });
    byJob.set(change.jobId, conflict);
  }
  return [...byJob.values()].sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
}

/**
 * Why a rollback is refused before it is queued: each later deploy named with the components it changed, the way
 * out (roll that deploy back first) and the override (force).
 */
export function laterDeployRefusal(conflicts: LaterDeployConflict[]): string {
  return conflicts
    .map((c) => {
      const names = c.components.slice(0, 3).map(memberKey).join(', ');
      const more = c.components.length > 3 ? ` and ${c.components.length - 3} more` : '';
      const verb = c.components.length === 1 ? 'was' : 'were';
      return (
        `${names}${more} ${verb} changed by the later Deploy ${c.jobId} on ${deployDate(new Date(c.at))}; ` +
        `roll back that deploy first (POST /api/jobs/${c.jobId}/rollback), or send force: true to overwrite its change.`
      );
    })
    .join(' ');
}

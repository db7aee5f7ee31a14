// Which revision a deployment runs (Cloud Controller's RevisionResolver, for droplet changes only: this emulator
// models no environment variables, process commands or sidecars).

export interface RevisionFacts {
  readonly guid: string;
  readonly version: number;
  readonly dropletGuid: string;
}

export type RevisionDecision =
  | { readonly kind: 'reuse'; readonly guid: string }
  | { readonly kind: 'create'; readonly version: number; readonly description: string };

/** Versions run 1…9999, then start again at 1. */
export const nextVersion = (latest: number | undefined) => (latest === undefined || latest >= 9999 ? 1 : latest + 1);

export const ROLLBACK_SAME_AS_DEPLOYED =
  'Unable to rollback. The code and configuration you are rolling back to is the same as the deployed revision.';

/** Deploying a droplet: a new revision when the droplet changed, else the latest one again. */
export function revisionForDroplet(latest: RevisionFacts | undefined, dropletGuid: string): RevisionDecision {
  if (!latest) return { kind: 'create', version: 1, description: 'Initial revision.' };
  if (latest.dropletGuid === dropletGuid) return { kind: 'reuse', guid: latest.guid };
  return { kind: 'create', version: nextVersion(latest.version), description: 'New droplet deployed.' };
}

/**
 * Rolling back to `target`: always a new revision whose description lists the sorted reasons and then
 * `Rolled back to revision N.`; a string (CF's 422 detail) when nothing would change.
 */
export function revisionForRollback(
  latest: RevisionFacts | undefined,
  deployed: RevisionFacts | undefined,
  target: RevisionFacts,
): RevisionDecision | string {
  if (deployed?.dropletGuid === target.dropletGuid) return ROLLBACK_SAME_AS_DEPLOYED;
  const reasons = ['New droplet deployed.'].sort();
  return {
    kind: 'create',
    version: nextVersion(latest?.version),
    description: [...reasons, `Rolled back to revision ${target.version}.`].join(' '),
  };
}

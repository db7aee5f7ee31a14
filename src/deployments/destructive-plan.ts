import { type MemberRef } from '../salesforce/component.types.js';
import { componentKey } from '../salesforce/component-key.js';
import type { DestructiveManifestName, DestructiveMember } from '../salesforce/destructive-manifest.js';

/** A member a deploy will delete, when, and why: one of the revision's manifests, or `deleteRemoved`. */
export interface PlannedDeletion extends MemberRef {
  phase: 'pre' | 'post';
  source: DestructiveManifestName | 'deleteRemoved';
}

/** A component the org got from an earlier deploy (a job_components row of it). */
export interface DeployedComponent extends MemberRef {
  parentType: string | null;
  parentFullName: string | null;
}

/**
 * What a deploy deletes. The revision's manifests apply when the whole revision is deployed (a deploy of picked
 * components deploys only those). `deleteRemoved` adds, after the additions, every component the org got from the
 * branch's last Completed deploy to it that the revision no longer holds — a removed child whose parent is removed
 * too goes with its parent. `notes` say, in sentences, what was left out and why.
 */
export function planDeletions(input: {
  manifests: DestructiveMember[];
  wholeRevision: boolean;
  deleteRemoved: boolean;
  /** Components of the branch's last Completed deploy to the org; null when there is none. */
  lastDeployed: DeployedComponent[] | null;
  /** Everything the revision holds. */
  revision: MemberRef[];
}): { deletions: PlannedDeletion[]; notes: string[] } {
  const notes: string[] = [];
  const deletions: PlannedDeletion[] = [];
  if (input.manifests.length) {
    if (input.wholeRevision)
      deletions.push(
        ...input.manifests.map(({ type, fullName, phase, manifest }) => ({ type, fullName, phase, source: manifest })),
      );
    else
      notes.push(
        `The revision's delete manifests (${input.manifests.length} member(s)) apply only when the whole revision is deployed.`,
      );
  }
  if (input.deleteRemoved) {
    if (!input.lastDeployed) {
      notes.push('deleteRemoved: this branch has no Completed deploy to this org yet, so nothing was removed since.');
    } else {
      const held = new Set(input.revision.map(componentKey));
      const already = new Set(deletions.map(componentKey));
      const removed = input.lastDeployed.filter((c) => !held.has(componentKey(c)));
      const removedKeys = new Set(removed.map(componentKey));
      for (const c of removed) {
        const parent = c.parentType ? { type: c.parentType, fullName: c.parentFullName! } : null;
        if (parent && removedKeys.has(componentKey(parent))) continue;
        if (already.has(componentKey(c))) continue;
        deletions.push({ type: c.type, fullName: c.fullName, phase: 'post', source: 'deleteRemoved' });
      }
    }
  }
  return { deletions, notes };
}

/** The members for destructiveChangesPre.xml and destructiveChangesPost.xml. */
export function destructiveManifests(deletions: PlannedDeletion[]): { pre: MemberRef[]; post: MemberRef[] } {
  const pick = (phase: 'pre' | 'post') =>
    deletions.filter((d) => d.phase === phase).map(({ type, fullName }) => ({ type, fullName }));
  return { pre: pick('pre'), post: pick('post') };
}

export interface DeployPlan {
  create: MemberRef[];
  update: MemberRef[];
  /** In the revision, but whether the org has it could not be read (folder-based types, or the org did not answer). */
  deploy: MemberRef[];
  delete: (PlannedDeletion & { inOrg: boolean | null })[];
}

/**
 * Sorts what a deploy sends into create (the org does not have it) and update (it does; Salesforce may still find
 * it unchanged), and marks each deletion with whether the org has it (one it does not have is a no-op that Salesforce
 * answers with a warning). `inOrg` holds, per type, the lower-cased names the org listed; a type missing from it
 * could not be listed.
 */
export function classifyPlan(
  deploying: MemberRef[],
  deletions: PlannedDeletion[],
  inOrg: Map<string, Set<string>>,
): DeployPlan {
  const has = (ref: MemberRef): boolean | null => {
    const names = inOrg.get(ref.type);
    return names ? names.has(ref.fullName.toLowerCase()) : null;
  };
  const plan: DeployPlan = { create: [], update: [], deploy: [], delete: [] };
  for (const ref of deploying) {
    const known = has(ref);
    const target = known === null ? plan.deploy : known ? plan.update : plan.create;
    target.push({ type: ref.type, fullName: ref.fullName });
  }
  plan.delete = deletions.map((d) => ({ ...d, inOrg: has(d) }));
  return plan;
}

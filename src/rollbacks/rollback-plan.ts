import { type MemberRef } from '../salesforce/component.types.js';
import { componentKey } from '../salesforce/component-key.js';
import { deletionOrder } from '../salesforce/deletion-order.js';
import type { SnapshotComponent } from '../snapshots/snapshot-component.entity.js';
import type { SnapshotRowFacts } from '../snapshots/snapshots.service.js';

export type DeployAction = 'created' | 'updated' | 'deleted';
export type RollbackAction = 'delete' | 'restore' | 'recreate';

/** What the snapshot knows of one component of the deploy. */
export interface SnapshotEntry extends MemberRef {
  parentType: string | null;
  parentFullName: string | null;
  existed: boolean;
  /** create | update | delete | unchanged, as the deploy recorded it (null when the deploy never finished). */
  deployAction: string | null;
  hasFiles: boolean;
}

/** What planCandidates needs of a snapshot's row, read with its file list or without (`SnapshotRowFacts`). */
export function snapshotEntry(row: SnapshotComponent | SnapshotRowFacts): SnapshotEntry {
  return {
    type: row.type,
    fullName: row.fullName,
    parentType: row.parentType,
    parentFullName: row.parentFullName,
    existed: row.existed,
    deployAction: row.deployAction,
    hasFiles: 'hasFiles' in row ? row.hasFiles : Boolean(row.files?.length),
  };
}

export interface Candidate extends MemberRef {
  parent: MemberRef | null;
  deployAction: DeployAction;
  rollbackAction: RollbackAction;
  available: boolean;
  reason: string | null;
}

export interface DeployFacts {
  kind: string;
  status: string;
  checkOnly: boolean;
  /** Salesforce's final status of the deploy (Succeeded, SucceededPartial, Failed, …) when known. */
  salesforceStatus: string | null;
  snapshotStatus: string | null;
  snapshotExpiresAt: Date | null;
  /** The deploy was (or may have been) submitted to Salesforce: `submitting` or an id was saved. */
  submitted?: boolean;
  /** 'org': the answer to the submission was lost and the outcome was read from the org's components. */
  outcomeSource?: string | null;
}

/**
 * Whether a deploy job can be rolled back at all, and the sentence saying why not. A Completed deploy rolls back,
 * and so does any deploy Salesforce applied at least in part (SucceededPartial, or an outcome read from the org):
 * its changed components may be reverted. An Exception says what is known — Salesforce applied none of it, it never
 * reached Salesforce, or the outcome is unknown. A validation changed nothing; an expired snapshot is gone (410).
 */
export function rollbackability(
  facts: DeployFacts,
  retentionDays: number,
  now = new Date(),
): { rollbackable: boolean; reason: string | null; gone: boolean } {
  if (facts.kind !== 'Deploy')
    return {
      rollbackable: false,
      reason: `Only Deploy jobs can be rolled back; this is a ${facts.kind} job.`,
      gone: false,
    };
  if (facts.checkOnly)
    return {
      rollbackable: false,
      reason: 'This deploy was a validation (check only): it changed nothing, so there is nothing to roll back.',
      gone: false,
    };
  const refuse = (why: string) => ({
    rollbackable: false,
    reason: `Only a Completed deploy can be rolled back: ${why}.`,
    gone: false,
  });
  if (facts.status === 'Queued' || facts.status === 'In Progress') {
    return refuse(`it is ${facts.status}; wait until it is Completed`);
  }
  if (facts.status !== 'Completed') {
    const applied =
      facts.salesforceStatus === 'Succeeded' ||
      facts.salesforceStatus === 'SucceededPartial' ||
      facts.outcomeSource === 'org';
    if (!applied) {
      if (facts.salesforceStatus) {
        return refuse(
          `it ended in Exception and Salesforce applied none of it (Salesforce: ${facts.salesforceStatus})`,
        );
      }
      if (!facts.submitted) return refuse('it ended in Exception before reaching Salesforce, so nothing was deployed');
      return refuse(
        'it ended in Exception and whether Salesforce applied it is unknown (the answer to its submission was lost ' +
          "before its id was saved); check the org's Deployment Status page",
      );
    }
  }
  if (facts.snapshotStatus === 'pruned' || (facts.snapshotExpiresAt && facts.snapshotExpiresAt < now)) {
    return {
      rollbackable: false,
      reason: `The backup snapshot of this deploy has expired (snapshots are kept ${retentionDays} days, SNAPSHOT_RETENTION_DAYS); it can no longer be rolled back.`,
      gone: true,
    };
  }
  if (facts.snapshotStatus !== 'complete')
    return { rollbackable: false, reason: 'This deploy has no complete backup snapshot.', gone: false };
  return { rollbackable: true, reason: null, gone: false };
}

const ROLLBACK_OF: Record<DeployAction, RollbackAction> = {
  created: 'delete',
  updated: 'restore',
  deleted: 'recreate',
};
const DEPLOY_ACTION: Record<string, DeployAction | undefined> = {
  create: 'created',
  update: 'updated',
  delete: 'deleted',
};

/**
 * The candidates are exactly the components the deploy changed: created → delete, updated → restore,
 * deleted → recreate. Components the deploy left unchanged (or failed on) are listed apart and never offered.
 * A component already taken by a rollback of this deploy is listed but unavailable. `claimed` maps `Type:FullName`
 * (any case) to the rollback job holding it.
 */
export function planCandidates(
  entries: SnapshotEntry[],
  claimed: Map<string, string>,
  jobUnavailable: string | null,
): { candidates: Candidate[]; unchanged: MemberRef[] } {
  const candidates: Candidate[] = [];
  const unchanged: MemberRef[] = [];
  const claims = new Map([...claimed].map(([key, job]) => [keyOfText(key), job]));
  for (const e of entries) {
    const deployAction = e.deployAction ? DEPLOY_ACTION[e.deployAction] : undefined;
    if (!deployAction) {
      unchanged.push({ type: e.type, fullName: e.fullName });
      continue;
    }
    const rollbackAction = ROLLBACK_OF[deployAction];
    const claimedBy = claims.get(componentKey(e));
    let reason = jobUnavailable;
    if (!reason && claimedBy) reason = `Already rolled back by job ${claimedBy}.`;
    if (!reason && rollbackAction !== 'delete' && !e.hasFiles) reason = 'The snapshot holds no files for it.';
    candidates.push({
      type: e.type,
      fullName: e.fullName,
      parent: e.parentType ? { type: e.parentType, fullName: e.parentFullName! } : null,
      deployAction,
      rollbackAction,
      available: reason === null,
      reason,
    });
  }
  return { candidates, unchanged };
}

export type SelectionProblem<T extends Candidate = Candidate> =
  { kind: 'unknown'; refs: MemberRef[] } | { kind: 'unavailable'; candidates: T[] } | { kind: 'empty' };

/**
 * The candidates a request picks: `all` (every available one) or the named ones. Naming something that is not a
 * candidate is `unknown` (400); naming an unavailable one is `unavailable` (409, already rolled back).
 */
export function selectCandidates<T extends Candidate>(
  candidates: T[],
  request: { all?: boolean; components?: MemberRef[] },
): { selected: T[] } | { problem: SelectionProblem<T> } {
  if (request.all) {
    const selected = candidates.filter((c) => c.available);
    return selected.length
      ? { selected }
      : { problem: candidates.length ? { kind: 'unavailable', candidates } : { kind: 'empty' } };
  }
  const byKey = new Map(candidates.map((c) => [componentKey(c), c]));
  const wanted = dedupe(request.components ?? []);
  const unknown = wanted.filter((w) => !byKey.has(componentKey(w)));
  if (unknown.length) return { problem: { kind: 'unknown', refs: unknown } };
  const picked = wanted.map((w) => byKey.get(componentKey(w))!);
  const unavailable = picked.filter((c) => !c.available);
  if (unavailable.length) return { problem: { kind: 'unavailable', candidates: unavailable } };
  if (picked.length === 0) return { problem: { kind: 'empty' } };
  return { selected: picked };
}

/**
 * Destructive members for the components to delete, in the order Salesforce needs (deletionOrder): referrers before
 * what they use, so a created class that uses a created field is deleted before the field. A created child whose
 * created parent is deleted too goes with its parent (listing both would make Salesforce delete the child of an
 * object already gone). `uses(a, b)`: a references b (orders members of one type).
 */
export function destructiveMembers(toDelete: Candidate[], uses?: (a: MemberRef, b: MemberRef) => boolean): MemberRef[] {
  const deleting = new Set(toDelete.map(componentKey));
  return deletionOrder(
    toDelete
      .filter((c) => !(c.parent && deleting.has(componentKey(c.parent))))
      .map((c) => ({ type: c.type, fullName: c.fullName })),
    uses,
  );
}

export type DriftVerdict = 'unchanged' | 'drifted' | 'absent' | 'reappeared';

/**
 * Compares a component's live state with what the deploy left there. A deleted-by-deploy component that exists
 * again, or a created/updated one that is gone or different, was changed by someone after the deploy.
 */
export function driftVerdict(
  candidate: Pick<Candidate, 'rollbackAction'>,
  fingerprintAfter: string | null,
  live: string | null,
): DriftVerdict {
  if (candidate.rollbackAction === 'recreate') return live === null ? 'unchanged' : 'reappeared';
  if (live === null) return 'absent';
  return live === fingerprintAfter ? 'unchanged' : 'drifted';
}

export function describeDrift(verdict: DriftVerdict): string {
  return {
    unchanged: 'No drift: the org still has what the deploy put there.',
    drifted: 'Drift: the component was changed in the org after the deploy.',
    absent: 'Drift: the component is no longer in the org.',
    reappeared: 'Drift: the component the deploy deleted exists again in the org.',
  }[verdict];
}

/** `componentKey` of a `Type:FullName` text. */
function keyOfText(key: string): string {
  const colon = key.indexOf(':');
  return colon < 0 ? key : componentKey({ type: key.slice(0, colon), fullName: key.slice(colon + 1) });
}

function dedupe(refs: MemberRef[]): MemberRef[] {
  const seen = new Set<string>();
  return refs.filter((r) => !seen.has(componentKey(r)) && seen.add(componentKey(r)));
}

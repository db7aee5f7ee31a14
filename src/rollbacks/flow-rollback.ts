// How a flow is rolled back. A Metadata API deploy of a flow adds a version; deploying the old XML would add yet
// another. So a flow the deploy updated is put back by re-activating the version that was active before (or by
// deactivating it when none was), and a flow the deploy created is deactivated; on request the versions the deploy
// created are then deleted. Each step's outcome can be read back from the org (FlowDefinition and its versions),
// which is how a resumed rollback learns what an interrupted step did.
import type { FlowFacts, FlowVersionNumbers } from '../deployments/flow-backup.js';
import type { MemberRef } from '../salesforce/component.types.js';
import type { FlowDefinitionState } from '../salesforce/metadata-api.gateway.js';
import type { Candidate } from './rollback-plan.js';

export type { FlowFacts };

export type FlowStep = { kind: 'activate'; versionNumber: number } | { kind: 'delete'; versionNumber: number };

/** `details.flow` read back from a snapshot row; undefined when it holds none (or not in this shape). */
export function flowFactsOf(details: Record<string, unknown> | null | undefined): FlowFacts | undefined {
  const flow = details?.flow;
  if (typeof flow !== 'object' || flow === null) return undefined;
  const numbers = (value: unknown): FlowVersionNumbers | undefined => {
    if (typeof value !== 'object' || value === null) return undefined;
    const { activeVersionNumber: a, latestVersionNumber: l } = value as Record<string, unknown>;
    const ok = (n: unknown) => n === null || (typeof n === 'number' && Number.isInteger(n));
    return ok(a) && ok(l)
      ? { activeVersionNumber: a as number | null, latestVersionNumber: l as number | null }
      : undefined;
  };
  const before = numbers(flow);
  if (!before) return undefined;
  const after = numbers((flow as Record<string, unknown>).after);
  return after ? { ...before, after } : before;
}

/**
 * Whether a candidate is rolled back through the flow's versions rather than a Metadata API deploy: a Flow the
 * deploy created or updated whose backup recorded the version numbers before and after. (A flow backed up before
 * Backtrack recorded versions is restored from its XML, as any component.)
 */
export function rolledBackByVersions(candidate: Candidate, facts: FlowFacts | undefined): facts is FlowFacts {
  return (
    candidate.type === 'Flow' &&
    candidate.rollbackAction !== 'recreate' &&
    facts?.after !== undefined &&
    facts.after.latestVersionNumber !== null
  );
}

/** The versions the deploy created: after its own latest version, up to the latest it left. */
export function versionsCreated(facts: FlowFacts): number[] {
  const from = (facts.latestVersionNumber ?? 0) + 1;
  const to = facts.after?.latestVersionNumber ?? 0;
  return Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
}

/** The version to be active once rolled back: the one active before (0: none). */
export function targetActiveVersion(facts: FlowFacts): number {
  return facts.activeVersionNumber ?? 0;
}

/** Every step of a flow's rollback, in order: activation first (an active version cannot be deleted), newest last. */
export function flowSteps(facts: FlowFacts, deleteVersions: boolean): FlowStep[] {
  const steps: FlowStep[] = [{ kind: 'activate', versionNumber: targetActiveVersion(facts) }];
  if (deleteVersions) {
    for (const versionNumber of versionsCreated(facts).reverse()) steps.push({ kind: 'delete', versionNumber });
  }
  return steps;
}

/** Whether the org already shows the step's outcome (so it is not sent again). */
export function stepDone(step: FlowStep, live: FlowDefinitionState | undefined): boolean {
  if (step.kind === 'delete') return !live?.versions.some((v) => v.versionNumber === step.versionNumber);
  return (live?.activeVersionNumber ?? 0) === step.versionNumber || (!live && step.versionNumber === 0);
}

/**
 * Drift of a flow since the deploy, read through the Tooling API: its active version (or its latest, when another
 * deploy added one) differs from what the deploy left. Undefined: as the deploy left it.
 */
export function flowDrift(facts: FlowFacts, live: FlowDefinitionState | undefined): string | undefined {
  const after = facts.after;
  if (!after) return undefined;
  if (!live) return 'Drift: the flow is no longer in the org.';
  if ((live.activeVersionNumber ?? null) !== after.activeVersionNumber) {
    return (
      `Drift: version ${live.activeVersionNumber ?? 'none'} of the flow is active, the deploy left ` +
      `${after.activeVersionNumber === null ? 'none active' : `version ${after.activeVersionNumber} active`}.`
    );
  }
  if ((live.latestVersionNumber ?? null) !== after.latestVersionNumber) {
    return `Drift: the flow's latest version is ${live.latestVersionNumber ?? 'none'}, the deploy left version ${after.latestVersionNumber}.`;
  }
  return undefined;
}

/** A version Salesforce refused to delete, with its reason. */
export interface RefusedDeletion {
  versionNumber: number;
  reason: string;
}

/** What a flow's rollback did, for its component row and log line. */
export interface FlowOutcome {
  ref: MemberRef;
  facts: FlowFacts;
  deleted: number[];
  refused: RefusedDeletion[];
}

const versionList = (numbers: number[]) =>
  numbers.length === 1 ? `version ${numbers[0]}` : `versions ${numbers.slice(0, -1).join(', ')} and ${numbers.at(-1)}`;

const createdClause = (numbers: number[], predicate: string) =>
  `${versionList(numbers)}, created by the deploy, ${numbers.length === 1 ? 'is' : 'are'} ${predicate}`;

/**
 * The sentence a flow's rollback logs and puts on its row: `Re-activated version 2 (version 3, created by the
 * deploy, is now inactive)`, `Deactivated: no version was active before the deploy (…)`, deletions and refusals.
 */
export function flowOutcomeMessage(outcome: FlowOutcome): string {
  const { facts, deleted, refused } = outcome;
  const created = versionsCreated(facts);
  const target = targetActiveVersion(facts);
  const head =
    target > 0
      ? `Re-activated version ${target}`
      : facts.latestVersionNumber === null
        ? 'Deactivated the flow the deploy created'
        : 'Deactivated: no version was active before the deploy';
  const kept = created.filter((n) => !deleted.includes(n));
  const parts: string[] = [];
  if (kept.length) parts.push(createdClause(kept, 'now inactive'));
  if (deleted.length) parts.push(`deleted ${versionList(deleted)}, created by the deploy`);
  const tail = parts.length ? ` (${parts.join('; ')})` : '';
  const refusals = refused.map((r) => ` Version ${r.versionNumber} was not deleted: ${r.reason.replace(/\.+$/, '')}.`);
  const gone = facts.latestVersionNumber === null && deleted.length === created.length && created.length > 0;
  return `${head}${tail}${gone ? '; the flow is no longer in the org' : ''}.${refusals.join('')}`;
}

/**
 * Whether the org shows the flow as before the deploy: the recorded version active (none when none was), and, when
 * every version the deploy created was deleted, no later version (a flow the deploy created: no flow at all).
 */
export function flowVerified(
  facts: FlowFacts,
  live: FlowDefinitionState | undefined,
  deletedAll: boolean,
): { ok: boolean; message: string } {
  const target = targetActiveVersion(facts);
  if (deletedAll && facts.latestVersionNumber === null) {
    return live
      ? { ok: false, message: 'Verification failed: the flow is still in the org' }
      : { ok: true, message: 'Verified: the flow is no longer in the org, as before the deploy' };
  }
  const active = live?.activeVersionNumber ?? 0;
  if (active !== target) {
    return {
      ok: false,
      message: `Verification failed: version ${active || 'none'} is active, expected ${target ? `version ${target}` : 'none'}`,
    };
  }
  if (deletedAll && (live?.latestVersionNumber ?? null) !== facts.latestVersionNumber) {
    return {
      ok: false,
      message: `Verification failed: the latest version is ${live?.latestVersionNumber ?? 'none'}, expected ${facts.latestVersionNumber}`,
    };
  }
  return {
    ok: true,
    message: target ? `Verified: version ${target} is active, as before the deploy` : 'Verified: no version is active',
  };
}

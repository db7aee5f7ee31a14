// Runs the flow part of a rollback through the Tooling API (see flow-rollback.ts for the decisions). Before each
// step the job state says which flow and step are in flight, and the org is read before any step is sent: a step
// whose outcome the org already shows is never sent again, and a step whose answer was lost is read back, not
// guessed.
import type { ComponentRow, JobContext } from '../jobs/job-handler.js';
import { componentKey } from '../salesforce/component-key.js';
import {
  SalesforceApiError,
  SalesforceUnavailableError,
  type FlowDefinitionState,
  type MetadataSession,
} from '../salesforce/metadata-api.gateway.js';
import {
  flowOutcomeMessage,
  flowSteps,
  flowVerified,
  stepDone,
  targetActiveVersion,
  versionsCreated,
  type FlowFacts,
  type FlowStep,
  type RefusedDeletion,
} from './flow-rollback.js';
import type { Candidate } from './rollback-plan.js';

export interface FlowTarget {
  candidate: Candidate;
  facts: FlowFacts;
}

/** What a flow's rollback did, kept in the job state once the flow is done. */
interface FlowDone {
  deleted: number[];
  refused: RefusedDeletion[];
  failed?: string;
}

interface FlowRollbackState {
  flowsDone?: Record<string, FlowDone>;
  /** The step sent last and not yet known done (a resumed job reads the flow back before going on). */
  flowStep?: { flow: string; step: FlowStep } | null;
}

/** Whether a flow rollback changed (or may have changed) the org: the claims then stay. */
export function flowStepsStarted(state: Record<string, unknown>): boolean {
  const flows = state as FlowRollbackState;
  return Boolean(flows.flowStep) || Object.keys(flows.flowsDone ?? {}).length > 0;
}

async function readFlows(session: MetadataSession, names: string[]): Promise<Map<string, FlowDefinitionState>> {
  if (names.length === 0) return new Map();
  const found = await session.flowDefinitions(names);
  return new Map(found.map((f) => [f.developerName.toLowerCase(), f]));
}

function row(target: FlowTarget, extra: Partial<ComponentRow>): ComponentRow {
  const c = target.candidate;
  return {
    type: c.type,
    fullName: c.fullName,
    parentType: null,
    parentFullName: null,
    action: c.rollbackAction,
    status: 'Succeeded',
    ...extra,
  };
}

const stepWords = (step: FlowStep) =>
  step.kind === 'delete'
    ? `deleting version ${step.versionNumber}`
    : step.versionNumber
      ? `activating version ${step.versionNumber}`
      : 'deactivating the flow';

/**
 * Puts each flow back through its versions; returns its component row (Succeeded with a Warning when Salesforce
 * refused to delete a version, Failed when it refused the activation). `checkOnly` changes nothing.
 */
export async function rollBackFlows(
  ctx: JobContext,
  session: MetadataSession,
  targets: FlowTarget[],
  options: { deleteVersions: boolean; checkOnly: boolean },
): Promise<ComponentRow[]> {
  if (targets.length === 0) return [];
  if (options.checkOnly) {
    return targets.map((t) => {
      const target = targetActiveVersion(t.facts);
      const message = `Validated: would ${target ? `re-activate version ${target}` : 'deactivate the flow'}`;
      ctx.log('info', message, t.candidate);
      return row(t, {});
    });
  }
  const state = ctx.job.state as FlowRollbackState;
  const done: Record<string, FlowDone> = { ...(state.flowsDone ?? {}) };
  const live = await readFlows(
    session,
    targets.filter((t) => !done[componentKey(t.candidate)]).map((t) => t.candidate.fullName),
  );
  const rows: ComponentRow[] = [];
  for (const target of targets) {
    const key = componentKey(target.candidate);
    if (!done[key]) {
      if (state.flowStep?.flow === key) {
        ctx.log(
          'warn',
          `An earlier attempt stopped while ${stepWords(state.flowStep.step)}: the flow was read back from the org, and only what it does not show yet is sent`,
          target.candidate,
        );
      }
      done[key] = await rollBackFlow(ctx, session, target, live.get(target.candidate.fullName.toLowerCase()), options);
      await ctx.saveState({ flowsDone: done, flowStep: null });
    }
    const outcome = done[key];
    if (outcome.failed) {
      ctx.log('error', `Failed: ${outcome.failed}`, target.candidate);
      rows.push(row(target, { status: 'Failed', problem: outcome.failed, problemType: 'Error' }));
      continue;
    }
    const message = flowOutcomeMessage({ ref: target.candidate, facts: target.facts, ...outcome });
    ctx.log(outcome.refused.length ? 'warn' : 'info', `Rolled back: ${message}`, target.candidate);
    rows.push(
      row(target, {
        details: { flow: { message, deleted: outcome.deleted, refused: outcome.refused } },
        ...(outcome.refused.length ? { problem: message, problemType: 'Warning' } : {}),
      }),
    );
  }
  return rows;
}

async function rollBackFlow(
  ctx: JobContext,
  session: MetadataSession,
  target: FlowTarget,
  found: FlowDefinitionState | undefined,
  options: { deleteVersions: boolean },
): Promise<FlowDone> {
  const name = target.candidate.fullName;
  const key = componentKey(target.candidate);
  const created = versionsCreated(target.facts);
  const deleted: number[] = [];
  const refused: RefusedDeletion[] = [];
  let current = found;
  for (const step of flowSteps(target.facts, options.deleteVersions)) {
    if (stepDone(step, current)) {
      if (step.kind === 'delete' && created.includes(step.versionNumber)) deleted.push(step.versionNumber);
      continue;
    }
    if (!current) return { deleted, refused, failed: 'The flow is no longer in the org: nothing to re-activate.' };
    const version = current.versions.find((v) => v.versionNumber === step.versionNumber);
    if (step.kind === 'delete' && !version) continue;
    await ctx.saveState({ flowStep: { flow: key, step } });
    try {
      if (step.kind === 'activate') await session.setActiveFlowVersion(current.definitionId, step.versionNumber);
      else await session.deleteFlowVersion(version!.id);
    } catch (error) {
      if (error instanceof SalesforceApiError) {
        if (step.kind === 'activate') return { deleted, refused, failed: error.message };
        refused.push({ versionNumber: step.versionNumber, reason: error.message });
        continue;
      }
      if (!(error instanceof SalesforceUnavailableError)) throw error;
      // the answer was lost: the org says whether the step happened
      current = (await readFlows(session, [name])).get(name.toLowerCase());
      if (!stepDone(step, current)) throw error;
    }
    current = (await readFlows(session, [name])).get(name.toLowerCase());
    if (step.kind === 'delete') deleted.push(step.versionNumber);
  }
  return { deleted: deleted.sort((a, b) => a - b), refused };
}

/** Reads the flows again and checks each against what the backup recorded; returns the ones that differ. */
export async function verifyFlows(
  ctx: JobContext,
  session: MetadataSession,
  targets: FlowTarget[],
): Promise<{ mismatches: Candidate[]; asBefore: Candidate[] }> {
  const live = await readFlows(
    session,
    targets.map((t) => t.candidate.fullName),
  );
  const state = ctx.job.state as FlowRollbackState;
  const mismatches: Candidate[] = [];
  const asBefore: Candidate[] = [];
  for (const target of targets) {
    const outcome = state.flowsDone?.[componentKey(target.candidate)];
    if (!outcome || outcome.failed) continue;
    const current = live.get(target.candidate.fullName.toLowerCase());
    const deletedAll = versionsCreated(target.facts).every((n) => outcome.deleted.includes(n));
    const verdict = flowVerified(target.facts, current, deletedAll);
    ctx.log(verdict.ok ? 'info' : 'error', verdict.message, target.candidate);
    if (!verdict.ok) mismatches.push(target.candidate);
    // the latest version is the one active before again: a retrieve returns it, and it must match the snapshot
    else if (current && current.latestVersionNumber === target.facts.latestVersionNumber)
      asBefore.push(target.candidate);
  }
  return { mismatches, asBefore };
}

import { memberKey, type MemberRef } from '../salesforce/component.types.js';
import { componentKey } from '../salesforce/component-key.js';
import type { DeployMessage, DeployStatus } from '../salesforce/metadata-api.gateway.js';
import type { ComponentAction, ComponentResult } from '../jobs/job-component.entity.js';

export interface ComponentOutcome {
  ref: MemberRef;
  action: ComponentAction;
  status: ComponentResult;
  problem: string | null;
  problemType: string | null;
  lineNumber: number | null;
  columnNumber: number | null;
}

/**
 * What happened to each component of a finished deploy, from Salesforce's messages. A component with a failure
 * message failed; with a success message it was created, updated, deleted or left unchanged as the flags say; with
 * no message it was not applied when the deploy failed (Salesforce rolled everything back) and unchanged otherwise.
 * `existedBefore` (from the backup) decides create vs update when Salesforce's flags say neither.
 */
export function deployOutcomes(
  members: MemberRef[],
  status: DeployStatus,
  existedBefore: (ref: MemberRef) => boolean | undefined,
): ComponentOutcome[] {
  const failures = new Map<string, DeployMessage>();
  const successes = new Map<string, DeployMessage>();
  for (const message of status.messages) {
    if (!message.componentType) continue;
    const key = componentKey({ type: message.componentType, fullName: message.fullName });
    if (!message.success || message.problemType === 'Error') {
      if (!failures.has(key)) failures.set(key, message);
    } else {
      successes.set(key, message);
    }
  }
  const applied = status.success && !status.checkOnly;
  const partial = status.status === 'SucceededPartial';
  return members.map((ref) => {
    const key = componentKey(ref);
    const failure = failures.get(key);
    if (failure) {
      return {
        ref,
        action: plannedAction(existedBefore(ref)),
        status: 'Failed',
        problem: failure.problem ?? 'Salesforce reported a failure without a message',
        problemType: failure.problemType ?? 'Error',
        lineNumber: failure.lineNumber ?? null,
        columnNumber: failure.columnNumber ?? null,
      };
    }
    const success = successes.get(key);
    const notApplied = !(applied || partial) || status.checkOnly;
    let action: ComponentAction;
    if (success?.deleted) action = 'delete';
    // The backup is the authority on existence: a component the org had (under any case of its name) was updated,
    // even when Salesforce flags it created; recording `create` would make its rollback delete it with its data.
    else if (success?.created) action = existedBefore(ref) === true ? 'update' : 'create';
    else if (success?.changed) action = 'update';
    else if (success) action = 'unchanged';
    else action = notApplied ? plannedAction(existedBefore(ref)) : 'unchanged';
    return {
      ref,
      action,
      status: notApplied ? (status.checkOnly && status.success ? 'Succeeded' : 'Skipped') : 'Succeeded',
      problem:
        notApplied && !status.checkOnly
          ? 'Not applied: the deploy failed, and Salesforce rolled back all of its changes.'
          : null,
      problemType: null,
      lineNumber: null,
      columnNumber: null,
    };
  });
}

/**
 * Change detection on what Salesforce stores: a component the deploy "updated" whose backup fingerprint equals the
 * fingerprint of what the deploy sent was left as it was, whatever Salesforce's `changed` flag says (it flags every
 * static resource it receives, for instance). It is `unchanged`, and so never offered for rollback.
 */
export function settleUnchanged(
  outcomes: ComponentOutcome[],
  before: (ref: MemberRef) => string | null,
  after: (ref: MemberRef) => string | null,
): ComponentOutcome[] {
  return outcomes.map((o) => {
    if (o.status !== 'Succeeded' || o.action !== 'update') return o;
    const was = before(o.ref);
    return was !== null && was === after(o.ref) ? { ...o, action: 'unchanged' } : o;
  });
}

/** Before Salesforce answers: a component the org had is an update, one it did not have is a create. */
export function plannedAction(existed: boolean | undefined): ComponentAction {
  return existed === false ? 'create' : 'update';
}

/**
 * Whether an outcome is what the component's Pending row planned, with nothing to add (no problem, no position):
 * such a row only changes status, and all of them are settled in one statement.
 */
export function endedAsPlanned(o: ComponentOutcome, planned: ComponentAction | undefined): boolean {
  return (
    o.status === 'Succeeded' &&
    o.action === planned &&
    o.problem === null &&
    o.problemType === null &&
    o.lineNumber === null &&
    o.columnNumber === null
  );
}

/** A problem Salesforce reported for the deploy as a whole, or for no component of it (kept, never dropped). */
export interface JobProblem {
  problem: string;
  problemType: string;
  fileName: string | null;
  componentType: string | null;
  fullName: string | null;
  lineNumber: number | null;
  columnNumber: number | null;
}

/**
 * The problems of a finished deploy that belong to no member of it: messages without a component type (an unknown
 * folder, a package-level error) and failures naming a component the deploy did not list. Each becomes a job-level
 * problem: in the job's error, its log and `problems` of GET /api/jobs/:id.
 */
export function jobLevelProblems(members: MemberRef[], status: DeployStatus): JobProblem[] {
  const keys = new Set(members.map(componentKey));
  const unmatched = status.messages.filter(
    (m) =>
      (!m.success || m.problemType === 'Error') &&
      !keys.has(componentKey({ type: m.componentType, fullName: m.fullName })),
  );
  return [...(status.problems ?? []), ...unmatched].map((m) => ({
    problem: m.problem ?? 'Salesforce reported a failure without a message',
    problemType: m.problemType ?? (m.success ? 'Warning' : 'Error'),
    fileName: m.fileName || null,
    componentType: m.componentType || null,
    fullName: m.fullName || null,
    lineNumber: m.lineNumber ?? null,
    columnNumber: m.columnNumber ?? null,
  }));
}

/** The log line of a job-level problem: `Salesforce: <problem> (file widgets/W.widget)`. */
export function jobProblemLogLine(problem: JobProblem): string {
  const line = problem.lineNumber ? `, line ${problem.lineNumber}` : '';
  const where = problem.fileName ? ` (file ${problem.fileName}${line})` : '';
  const what = problem.componentType ? `${problem.componentType} ${problem.fullName ?? ''}`.trim() + ': ' : '';
  return `Salesforce ${problem.problemType === 'Warning' ? 'warned' : 'reported'}: ${what}${problem.problem}${where}`;
}

/**
 * A component's outcome when the deploy's backup could not be indexed (ADR 0027): Salesforce's result stands, and a
 * component it applied says that what the org had before is not known.
 */
export function notIndexedOutcome<T extends { status: ComponentResult; problem: string | null }>(outcome: T): T {
  if (outcome.status !== 'Succeeded' || outcome.problem) return outcome;
  return {
    ...outcome,
    problem:
      'Whether the org had this component before this deploy, and what it was, is not known: the backup was not indexed.',
  };
}

/**
 * The job's error when Salesforce's outcome is known but the backup could not be indexed after the submission: what
 * Salesforce did, that the deploy cannot be rolled back component by component, and where the backup is kept.
 */
export function notIndexedSummary(
  result: DeployStatus,
  outcomes: { status: ComponentResult }[],
  why: string,
  kept: { jobId: string; retrieves: number },
): string {
  const succeeded = outcomes.filter((o) => o.status === 'Succeeded').length;
  const deployed = result.success
    ? `Salesforce deployed ${succeeded} of ${outcomes.length} component(s) (${result.status})`
    : `Salesforce's deploy ended ${result.status}, ${succeeded} of ${outcomes.length} component(s) succeeded`;
  const where =
    kept.retrieves === 1
      ? `GET /api/jobs/${kept.jobId}/snapshot/retrieved/1`
      : `GET /api/jobs/${kept.jobId}/snapshot/retrieved/1 to ${kept.retrieves}`;
  return (
    `${deployed}, but Backtrack could not index its backup (${why}), so this deploy cannot be rolled back ` +
    `component by component. The backup is kept as Salesforce returned it (${where}): a deployable package of what ` +
    'the org had before.'
  );
}

/** A one-line summary of a failed deploy, naming the first problems (component and job-level ones). */
export function deployFailureSummary(
  status: DeployStatus,
  outcomes: ComponentOutcome[],
  problems: JobProblem[] = [],
): string {
  const failed = outcomes.filter((o) => o.status === 'Failed');
  const errors = problems.filter((p) => p.problemType !== 'Warning');
  const named = errors.slice(0, 3).map((p) => `${p.problem}${p.fileName ? ` (${p.fileName})` : ''}`);
  const packageLevel = errors.length
    ? `${named.join('; ')}${errors.length > 3 ? ` and ${errors.length - 3} more` : ''}`
    : '';
  if (failed.length === 0) {
    if (packageLevel) return `Salesforce ended the deploy as ${status.status}: ${packageLevel}.`;
    return status.errorMessage ?? `Salesforce ended the deploy as ${status.status}.`;
  }
  const first = failed
    .slice(0, 3)
    .map(
      (o) =>
        `${memberKey(o.ref)}: ${o.problem}${o.lineNumber ? ` (line ${o.lineNumber}${o.columnNumber ? `:${o.columnNumber}` : ''})` : ''}`,
    );
  const more = failed.length > 3 ? ` and ${failed.length - 3} more` : '';
  const verb = status.status === 'SucceededPartial' ? 'partly succeeded' : 'failed';
  const also = packageLevel ? ` Also: ${packageLevel}.` : '';
  return `The deploy ${verb}: ${failed.length} component(s) failed — ${first.join('; ')}${more}.${also}`;
}

/** The log line for one component's result. */
export function outcomeLogLine(outcome: ComponentOutcome): { level: 'info' | 'warn' | 'error'; message: string } {
  if (outcome.status === 'Failed') {
    const where = outcome.lineNumber
      ? ` at line ${outcome.lineNumber}${outcome.columnNumber ? `:${outcome.columnNumber}` : ''}`
      : '';
    return { level: 'error', message: `Failed: ${outcome.problem}${where}` };
  }
  if (outcome.status === 'Skipped') return { level: 'warn', message: outcome.problem ?? 'Not applied' };
  const verb = {
    create: 'created',
    update: 'updated',
    delete: 'deleted',
    unchanged: 'unchanged',
    restore: 'restored',
    recreate: 'recreated',
  }[outcome.action];
  return { level: 'info', message: `Deployed: ${verb}` };
}

/** Counts for the job summary. */
export function countOutcomes(outcomes: ComponentOutcome[]): Record<string, number> {
  const counts: Record<string, number> = {
    total: outcomes.length,
    created: 0,
    updated: 0,
    deleted: 0,
    unchanged: 0,
    failed: 0,
    skipped: 0,
  };
  for (const o of outcomes) {
    if (o.status === 'Failed') counts.failed! += 1;
    else if (o.status === 'Skipped') counts.skipped! += 1;
    else if (o.action === 'create') counts.created! += 1;
    else if (o.action === 'update') counts.updated! += 1;
    else if (o.action === 'delete') counts.deleted! += 1;
    else counts.unchanged! += 1;
  }
  return counts;
}

import { can, missingPermissionMessage, type Permission, type Scope } from '../../auth/permissions.js';

/** What decides whether an execution can be rolled back (issue 13, "Post-deployment rollback"). */
export interface ExecutionRollbackFacts {
  id: string;
  kind: string;
  status: string;
  finishedAt: Date | null;
  /** Stages that ended in Exception under `failureStrategy: ignore` (the execution is Completed only through them). */
  ignoredFailures: string[];
  /** The rollback holding this execution's claim (running or Completed); null when none does. */
  rollbackJobId: string | null;
  /**
   * The kind of that job: a `Rollback`, or a `Deploy` when a release was redeployed over this execution in mode
   * rollback (Octopus's "redeploy the previous release", src/platform/releases); null when there is no claim.
   */
  rollbackJobKind?: 'Deploy' | 'Rollback' | null;
  /**
   * The stages whose service now runs on that infrastructure from another execution: the current deployment there
   * (the most recent Completed stage in a Completed execution that was not rolled back).
   */
  superseded: { stage: string; service: string; infrastructure: string; currentExecutionId: string }[];
  /** The environment of every stage. */
  environments: string[];
}

export type ExecutionRollbackVerdict =
  | { available: true }
  | { available: false; status: 403 | 409 | 410; reason: string; rollbackJobId?: string; currentExecutionId?: string };

const NEEDED: Permission[] = ['deploy', 'rollback'];

/**
 * Whether the token may roll the execution back now, and if not the status and sentence of the refusal. The
 * permission comes first (a read-only token learns no more than that it cannot), then the execution's own state.
 * Drift is not decided here: the Rollback job checks it live before it changes anything.
 */
export function executionRollbackability(
  facts: ExecutionRollbackFacts,
  principal: Scope,
  retentionDays: number,
  now = new Date(),
): ExecutionRollbackVerdict {
  const forbidden = rollbackPermissionRefusal(principal, facts.environments, 'Rolling back an execution');
  if (forbidden) return forbidden;
  if (facts.kind !== 'Deploy')
    return refuse(409, `Only an execution (a Deploy) can be rolled back; ${facts.id} is a ${facts.kind}.`);
  if (facts.status !== 'Completed') {
    const wait = facts.status === 'Queued' || facts.status === 'In Progress' ? '; wait until it is Completed' : '';
    return refuse(409, `Only a Completed execution can be rolled back: this one is ${facts.status}${wait}.`);
  }
  if (facts.ignoredFailures.length)
    return refuse(
      409,
      `This execution was marked successful by ignoring a failure (stage ${facts.ignoredFailures.map((s) => `"${s}"`).join(', ')} failed under failureStrategy: ignore): ` +
        'it cannot be rolled back; run the pipeline again instead.',
    );
  if (facts.rollbackJobId) {
    const by =
      facts.rollbackJobKind === 'Deploy'
        ? `by redeploying a previous release, execution ${facts.rollbackJobId}`
        : `Rollback ${facts.rollbackJobId}`;
    return {
      ...refuse(
        409,
        `This execution was already rolled back (${by}); it cannot be re-run or rolled back again — run the pipeline again instead.`,
      ),
      rollbackJobId: facts.rollbackJobId,
    };
  }
  if (facts.finishedAt && pastRetention(facts.finishedAt, retentionDays, now))
    return refuse(
      410,
      `This execution finished on ${facts.finishedAt.toISOString()}, more than ${retentionDays} days ago (SNAPSHOT_RETENTION_DAYS): it can no longer be rolled back.`,
    );
  const first = facts.superseded[0];
  if (first)
    return {
      ...refuse(
        409,
        `This execution is not the current deployment of service "${first.service}" on "${first.infrastructure}" (stage "${first.stage}"): ` +
          `execution ${first.currentExecutionId} is. Roll that one back first.`,
      ),
      currentExecutionId: first.currentExecutionId,
    };
  return { available: true };
}

/** A refusal of the rules (409 or 410) with its sentence. */
export function refuse(status: 409 | 410, reason: string) {
  return { available: false as const, status, reason };
}

/**
 * The 403 of a rollback (of an execution, or a release's redeployment as one) when the token lacks `deploy` or
 * `rollback` in one of the environments; null when it holds both everywhere. `action` starts the sentence.
 */
export function rollbackPermissionRefusal(
  principal: Scope,
  environments: string[],
  action: string,
): { available: false; status: 403; reason: string } | null {
  for (const environment of [...new Set(environments)]) {
    for (const permission of NEEDED) {
      if (!can(principal, permission, environment)) {
        return {
          available: false,
          status: 403,
          reason: `${action} needs both "deploy" and "rollback" in the environment of every stage: ${missingPermissionMessage(principal, permission, environment)}`,
        };
      }
    }
  }
  return null;
}

/** Whether what finished at `finishedAt` is older than the retention (SNAPSHOT_RETENTION_DAYS): its rollback is gone. */
export function pastRetention(finishedAt: Date, retentionDays: number, now: Date): boolean {
  return now.getTime() - finishedAt.getTime() > retentionDays * 86_400_000;
}

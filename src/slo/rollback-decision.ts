/**
 * Whether a breach of an SLO rolls back the current deployment (issue 16, docs/slo-rollback.md). Pure: the service
 * reads the facts (the policy, the current deployment of the monitored service's infrastructure, whether this
 * delivery claimed the breach) and acts on the answer; every answer is recorded as a decision.
 */

/** A breach as Backtrack learns of it: an Alertmanager alert, or its own evaluation of the SLO. */
export interface Breach {
  source: 'alertmanager' | 'evaluation';
  status: 'firing' | 'resolved';
  /** Alertmanager's fingerprint of the alert (its label set); an evaluation's is `slo:<id>`. */
  fingerprint: string;
  /** When the breach started (Alertmanager's `startsAt`, or the first evaluation that saw it). */
  startsAt: Date;
}

export interface PolicyFacts {
  name: string;
  enabled: boolean;
  /** How long after a deployment finished a breach rolls it back. */
  windowMinutes: number;
}

/**
 * The current deployment of the service on the infrastructure: its latest execution (a pipeline's Deploy job that ran
 * a stage of the service there), whatever its status, and the rollback holding its claim.
 */
export interface CurrentDeployment {
  executionId: string;
  status: string;
  finishedAt: Date | null;
  /** The job holding the execution's rollback claim (a Rollback running or Completed); null when none. */
  rollbackJobId: string | null;
}

export interface DecisionFacts {
  breach: Breach;
  policy: PolicyFacts;
  deployment: CurrentDeployment | null;
  /**
   * Whether this delivery inserted the row of (policy, fingerprint, startsAt): false for a repeat of the same alert or
   * for the losers of concurrent deliveries, which then never act.
   */
  firstDelivery: boolean;
}

export const OUTCOMES = [
  'rollback',
  'resolved',
  'repeat',
  'policy-disabled',
  'no-deployment',
  'not-completed',
  'already-rolled-back',
  'before-deployment',
  'outside-window',
] as const;
export type Outcome = (typeof OUTCOMES)[number];

export interface Decision {
  outcome: Outcome;
  /** The execution rolled back (outcome `rollback`) or considered; null when there is none. */
  executionId: string | null;
  /** The sentence the audit event, the UI and the job's log show. */
  reason: string;
}

/** The one decision (issue 16): roll back only a Completed current deployment not yet rolled back, inside the window. */
export function rollbackDecision(facts: DecisionFacts): Decision {
  const { breach, policy, deployment } = facts;
  const started = breach.startsAt.toISOString();
  if (breach.status === 'resolved')
    return none('resolved', deployment, `The breach that started at ${started} is resolved: nothing to roll back.`);
  if (!facts.firstDelivery)
    return none(
      'repeat',
      deployment,
      `The breach that started at ${started} (fingerprint ${breach.fingerprint}) was already decided on: a repeat never acts twice.`,
    );
  if (!policy.enabled)
    return none('policy-disabled', deployment, `Policy "${policy.name}" is disabled: it rolls nothing back.`);
  if (!deployment)
    return none('no-deployment', null, 'No deployment of the service on this infrastructure: nothing to roll back.');
  const id = deployment.executionId;
  if (deployment.rollbackJobId)
    return none(
      'already-rolled-back',
      deployment,
      `The current deployment, execution ${id}, was already rolled back (Rollback ${deployment.rollbackJobId}).`,
    );
  if (deployment.status !== 'Completed' || !deployment.finishedAt)
    return none(
      'not-completed',
      deployment,
      `The current deployment, execution ${id}, is ${deployment.status}, not Completed: only a Completed deployment is rolled back.`,
    );
  const finished = deployment.finishedAt;
  if (breach.startsAt.getTime() < finished.getTime())
    return none(
      'before-deployment',
      deployment,
      `The breach started at ${started}, before the current deployment (execution ${id}) finished at ${finished.toISOString()}: that deployment did not cause it.`,
    );
  const windowEnd = new Date(finished.getTime() + policy.windowMinutes * 60_000);
  if (breach.startsAt.getTime() > windowEnd.getTime())
    return none(
      'outside-window',
      deployment,
      `The breach started at ${started}, ${minutesBetween(finished, breach.startsAt)} min after execution ${id} finished: outside the ${policy.windowMinutes}-minute rollback window of policy "${policy.name}" (it ended at ${windowEnd.toISOString()}).`,
    );
  return {
    outcome: 'rollback',
    executionId: id,
    reason: `The breach started at ${started}, ${minutesBetween(finished, breach.startsAt)} min after execution ${id} finished, inside the ${policy.windowMinutes}-minute rollback window of policy "${policy.name}": rolling it back.`,
  };
}

function none(outcome: Exclude<Outcome, 'rollback'>, deployment: CurrentDeployment | null, reason: string): Decision {
  return { outcome, executionId: deployment?.executionId ?? null, reason };
}

/** Whole minutes, one decimal below ten ("0.4", "12"). */
function minutesBetween(from: Date, to: Date): string {
  const minutes = (to.getTime() - from.getTime()) / 60_000;
  return minutes < 10 ? minutes.toFixed(1) : String(Math.round(minutes));
}

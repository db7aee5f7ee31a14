// How a deployment moves over simulated time (plain functions over plain values). Rolling: batches of
// `max_in_flight` new instances, each batch healthy after `instanceSeconds`, FINALIZED/DEPLOYED once all web
// instances run the new droplet. Canary: the same up to each step's instance count, then ACTIVE/PAUSED until
// `continue`; after the last step it rolls the rest. Instances of an unhealthy droplet never pass their health
// check, so the deployment stays ACTIVE/DEPLOYING. Cancel: ACTIVE/CANCELING, then FINALIZED/CANCELED.

export type StatusValue = 'ACTIVE' | 'FINALIZED';
export type StatusReason = 'DEPLOYING' | 'PAUSED' | 'CANCELING' | 'DEPLOYED' | 'CANCELED' | 'SUPERSEDED';
export type Strategy = 'rolling' | 'canary';

export interface Progress {
  readonly value: StatusValue;
  readonly reason: StatusReason;
  readonly strategy: Strategy;
  /** Web instances the app runs; the deployment is done when this many run the new droplet. */
  readonly targetInstances: number;
  readonly maxInFlight: number;
  /** New instances running and healthy. */
  readonly newInstances: number;
  /** Canary: the new-instance count at which each step pauses. Empty for rolling. */
  readonly canarySteps: readonly number[];
  /** Canary: the 1-based step being deployed or paused at. */
  readonly currentStep: number;
  /** When (ms) the batch in flight becomes healthy, or canceling ends. */
  readonly nextAt: number;
  readonly lastHealthyAt: number | null;
  readonly lastStatusChangeAt: number;
}

export interface Timing {
  readonly instanceSeconds: number;
  readonly healthy: boolean;
}

/** The InvalidStatus sentence CF uses when an action does not fit the deployment's status. */
export class DeploymentStatusError extends Error {}

/** New-instance counts of the canary steps: each `instance_weight` percent of the target, at least 1, rising. */
export function canaryStepCounts(weights: readonly number[] | undefined, targetInstances: number): number[] {
  if (!weights?.length) return [1];
  return weights.map((w) => Math.min(targetInstances, Math.max(1, Math.ceil((targetInstances * w) / 100))));
}

export function startProgress(
  options: { strategy: Strategy; targetInstances: number; maxInFlight: number; canaryWeights?: readonly number[] },
  now: number,
  timing: Timing,
): Progress {
  return {
    value: 'ACTIVE',
    reason: 'DEPLOYING',
    strategy: options.strategy,
    targetInstances: options.targetInstances,
    maxInFlight: options.maxInFlight,
    newInstances: 0,
    canarySteps: options.strategy === 'canary' ? canaryStepCounts(options.canaryWeights, options.targetInstances) : [],
    currentStep: 1,
    nextAt: now + timing.instanceSeconds * 1000,
    lastHealthyAt: null,
    lastStatusChangeAt: now,
  };
}

/** A deployment of a stopped app: the app starts on the new droplet at once. */
export function deployedAtOnce(progress: Progress, now: number): Progress {
  return {
    ...progress,
    value: 'FINALIZED',
    reason: 'DEPLOYED',
    newInstances: progress.targetInstances,
    lastHealthyAt: now,
    lastStatusChangeAt: now,
  };
}

const stepTarget = (p: Progress) =>
  p.strategy === 'canary' && p.currentStep <= p.canarySteps.length
    ? p.canarySteps[p.currentStep - 1]!
    : p.targetInstances;

/** The deployment as it stands at `now`. */
export function advance(progress: Progress, now: number, timing: Timing): Progress {
  let p = progress;
  while (p.value === 'ACTIVE' && now >= p.nextAt) {
    if (p.reason === 'CANCELING') return { ...p, value: 'FINALIZED', reason: 'CANCELED', lastStatusChangeAt: p.nextAt };
    if (p.reason !== 'DEPLOYING' || !timing.healthy) return p;
    const at = p.nextAt;
    const target = stepTarget(p);
    const newInstances = Math.min(target, p.newInstances + p.maxInFlight);
    p = { ...p, newInstances, lastHealthyAt: at };
    if (newInstances >= p.targetInstances)
      return { ...p, value: 'FINALIZED', reason: 'DEPLOYED', lastStatusChangeAt: at };
    if (p.strategy === 'canary' && p.currentStep <= p.canarySteps.length && newInstances >= target)
      return { ...p, reason: 'PAUSED', lastStatusChangeAt: at };
    p = { ...p, nextAt: at + timing.instanceSeconds * 1000 };
  }
  return p;
}

export function cancel(progress: Progress, now: number, timing: Timing): Progress {
  if (progress.value !== 'ACTIVE' || progress.reason === 'CANCELING')
    throw new DeploymentStatusError(`Cannot cancel a ${progress.reason} deployment`);
  return { ...progress, reason: 'CANCELING', nextAt: now + timing.instanceSeconds * 1000, lastStatusChangeAt: now };
}

export function resume(progress: Progress, now: number, timing: Timing): Progress {
  if (progress.reason !== 'PAUSED')
    throw new DeploymentStatusError(
      `Cannot continue a deployment with status: ${progress.value} and reason: ${progress.reason}`,
    );
  return {
    ...progress,
    reason: 'DEPLOYING',
    currentStep: progress.currentStep + 1,
    nextAt: now + timing.instanceSeconds * 1000,
    lastStatusChangeAt: now,
  };
}

/** A newer deployment of the same app replaces this one. */
export function supersede(progress: Progress, now: number): Progress {
  return { ...progress, value: 'FINALIZED', reason: 'SUPERSEDED', lastStatusChangeAt: now };
}

/** The deprecated top-level `state` CF still sends beside `status`. */
export function legacyState(progress: Progress): string {
  if (progress.value === 'FINALIZED') return progress.reason === 'SUPERSEDED' ? 'DEPLOYED' : progress.reason;
  return progress.reason;
}

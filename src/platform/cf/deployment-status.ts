// How a CF deployment's `status` reads as a stage's health, and what a canary deployment needs next.
import type { StageHealth } from '../provider.js';

/** The part of a v3 deployment these decisions read. */
export interface DeploymentStatus {
  status: {
    value: string;
    reason: string;
    canary?: { steps?: { current?: number; total?: number } };
  };
  strategy?: string;
}

/**
 * FINALIZED/DEPLOYED is steady; FINALIZED with any other reason (CANCELED, SUPERSEDED) can never become steady:
 * failed at once; ACTIVE goes on (with the canary step when there is one).
 */
export function deploymentHealth(deployment: DeploymentStatus, what = 'the deployment'): StageHealth {
  const { value, reason } = deployment.status;
  if (value === 'FINALIZED' && reason === 'DEPLOYED') return { steady: true };
  if (value === 'FINALIZED')
    return {
      steady: false,
      failed: true,
      reason:
        reason === 'SUPERSEDED'
          ? `${what} was superseded by a newer deployment of the app before it finished`
          : `${what} ended ${reason} before every instance ran the new droplet`,
    };
  const steps = deployment.status.canary?.steps;
  const step = steps?.total ? ` (canary step ${steps.current ?? 0} of ${steps.total})` : '';
  if (reason === 'PAUSED') return { steady: false, reason: `${what} is paused${step}` };
  return { steady: false, reason: `${what} is ${value}/${reason}${step}` };
}

/** What a deploy does next with its canary deployment: continue the pause at `step`, wait, or nothing more. */
export type CanaryNext = { action: 'continue'; step: number } | { action: 'wait'; reason: string } | { action: 'done' };

/**
 * `continued` = the highest step whose pause this stage already asked CF to continue (0: none). A pause at a step
 * already continued means that continue never took effect (a crash or a dropped call before CF saw it), so it is sent
 * again — a continue CF applied moves `current` on and cannot be sent twice for the same step.
 */
export function canaryNext(deployment: DeploymentStatus, continued: number): CanaryNext {
  const { value, reason } = deployment.status;
  if (value !== 'ACTIVE') return { action: 'done' };
  const steps = deployment.status.canary?.steps;
  const current = steps?.current ?? 0;
  const total = steps?.total ?? 0;
  if (reason === 'PAUSED') return { action: 'continue', step: current };
  if (continued >= total && total > 0) return { action: 'done' };
  return { action: 'wait', reason: `the canary deployment is ${reason} (step ${current} of ${total})` };
}

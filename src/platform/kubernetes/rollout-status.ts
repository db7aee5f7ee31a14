import { isObject } from '../../common/json.js';
import type { StageHealth } from '../provider.js';
import { replicaCounts, type KubeObject } from './kube-objects.js';

export type RolloutStatus = { done: true } | { done: false; reason: string; failed?: true };

/**
 * One stage's health from the rollout status of each of its Deployments: failed when one can never finish (every
 * such reason), waiting while one is still going (every reason), else steady.
 */
export function healthOf(statuses: readonly RolloutStatus[]): StageHealth {
  const waiting = statuses.flatMap((s) => (s.done ? [] : [s]));
  const failed = waiting.filter((s) => s.failed);
  if (failed.length) return { steady: false, failed: true, reason: failed.map((s) => s.reason).join('; ') };
  if (waiting.length) return { steady: false, reason: waiting.map((s) => s.reason).join('; ') };
  return { steady: true };
}

/**
 * `kubectl rollout status` for one Deployment (kubectl pkg/polymorphichelpers/rollout_status.go), answered from one
 * read: nothing counts until the controller has observed the latest generation; then a Progressing condition with
 * reason ProgressDeadlineExceeded is a failure (the controller never rolls back by itself); otherwise the rollout is
 * done once updated = available = ready = desired replicas and no old replica is left.
 */
export function rolloutStatus(deployment: KubeObject): RolloutStatus {
  const name = `deployment "${deployment.metadata?.name ?? ''}"`;
  const generation = numberOr(deployment.metadata?.generation, 0);
  const status = isObject(deployment.status) ? deployment.status : {};
  const observed = numberOr(status.observedGeneration, 0);
  if (observed < generation) return { done: false, reason: `${name}: waiting for the spec update to be observed` };
  const conditions = Array.isArray(status.conditions) ? status.conditions.filter(isObject) : [];
  const progressing = conditions.find((c) => c.type === 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded')
    return { done: false, failed: true, reason: `${name} exceeded its progress deadline` };
  const { desired, replicas, updated, ready, available } = replicaCounts(deployment);
  if (updated < desired)
    return { done: false, reason: `${name}: ${updated} out of ${desired} new replicas have been updated` };
  if (replicas > updated)
    return { done: false, reason: `${name}: ${replicas - updated} old replicas are pending termination` };
  if (available < updated || ready < desired)
    return {
      done: false,
      reason: `${name}: ${Math.min(available, ready)} of ${desired} updated replicas are available`,
    };
  return { done: true };
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' ? value : fallback;
}

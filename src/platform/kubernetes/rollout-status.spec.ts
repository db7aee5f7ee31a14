import { describe, expect, test } from '@jest/globals';
import { healthOf, rolloutStatus } from './rollout-status.js';

const deployment = (status: Record<string, unknown>, generation = 2, replicas = 3) => ({
  metadata: { name: 'web', generation },
  spec: { replicas },
  status,
});

describe('rolloutStatus (kubectl rollout status for a Deployment)', () => {
  test('waits until the controller has observed the latest generation', () => {
    const answer = rolloutStatus(deployment({ observedGeneration: 1, replicas: 3, updatedReplicas: 3 }));
    expect(answer).toEqual({ done: false, reason: expect.stringContaining('spec update to be observed') });
  });

  test('waits while new replicas are missing, old ones remain, or updated ones are not available and ready', () => {
    expect(rolloutStatus(deployment({ observedGeneration: 2, replicas: 3, updatedReplicas: 1 }))).toMatchObject({
      done: false,
      reason: expect.stringContaining('1 out of 3 new replicas'),
    });
    expect(
      rolloutStatus(deployment({ observedGeneration: 2, replicas: 4, updatedReplicas: 3, availableReplicas: 3 })),
    ).toMatchObject({ done: false, reason: expect.stringContaining('1 old replicas are pending termination') });
    expect(
      rolloutStatus(
        deployment({ observedGeneration: 2, replicas: 3, updatedReplicas: 3, availableReplicas: 2, readyReplicas: 3 }),
      ),
    ).toMatchObject({ done: false, reason: expect.stringContaining('2 of 3 updated replicas are available') });
  });

  test('done when updated = available = ready = desired', () => {
    const counts = { replicas: 3, updatedReplicas: 3, availableReplicas: 3, readyReplicas: 3 };
    expect(rolloutStatus(deployment({ observedGeneration: 2, ...counts }))).toEqual({ done: true });
  });

  test('zero replicas: done at once (absent counts are 0)', () => {
    expect(rolloutStatus(deployment({ observedGeneration: 2 }, 2, 0))).toEqual({ done: true });
  });

  test('ProgressDeadlineExceeded fails the rollout, once the generation is observed', () => {
    const conditions = [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }];
    expect(rolloutStatus(deployment({ observedGeneration: 2, updatedReplicas: 1, conditions }))).toEqual({
      done: false,
      failed: true,
      reason: 'deployment "web" exceeded its progress deadline',
    });
    expect(rolloutStatus(deployment({ observedGeneration: 1, conditions }))).not.toHaveProperty('failed');
  });
});

describe('healthOf (a stage from its Deployments’ rollouts)', () => {
  test('is steady only when every rollout is done', () => {
    expect(healthOf([])).toEqual({ steady: true });
    expect(healthOf([{ done: true }, { done: true }])).toEqual({ steady: true });
  });

  test('waits with every reason while one is going, and fails with every failing reason when one cannot finish', () => {
    const going = { done: false as const, reason: 'a: 1 of 2 updated' };
    const stuck = { done: false as const, reason: 'b: progress deadline exceeded', failed: true as const };
    expect(healthOf([{ done: true }, going, { ...going, reason: 'c: 0 of 1' }])).toEqual({
      steady: false,
      reason: 'a: 1 of 2 updated; c: 0 of 1',
    });
    expect(healthOf([going, stuck])).toEqual({ steady: false, failed: true, reason: 'b: progress deadline exceeded' });
  });
});

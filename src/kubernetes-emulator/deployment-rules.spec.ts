import { describe, expect, it } from '@jest/globals';
import {
  HASH_LABEL,
  newReplicaSetAnnotations,
  newReplicaSetScale,
  nextRevision,
  oldReplicaSetScales,
  podTemplateHash,
  replicaSetsToCleanUp,
  resolveFenceposts,
  REVISION,
  REVISION_HISTORY,
  rolloutConditions,
  scaledValue,
  setCondition,
  splitReplicaSets,
  type Condition,
  type DeploymentCounts,
  type ReplicaSetView,
} from './deployment-rules.js';

const template = (image: string, hash?: string) => ({
  metadata: { labels: { app: 'web', ...(hash ? { [HASH_LABEL]: hash } : {}) } },
  spec: { containers: [{ name: 'app', image }] },
});

function rs(name: string, fields: Partial<ReplicaSetView> & { revision?: number } = {}): ReplicaSetView {
  const { revision, ...rest } = fields;
  return {
    name,
    creationTimestamp: '2026-01-01T00:00:00Z',
    annotations: revision ? { [REVISION]: String(revision) } : {},
    template: template('web:1'),
    specReplicas: 0,
    replicas: 0,
    readyReplicas: 0,
    availableReplicas: 0,
    ...rest,
  };
}

describe('podTemplateHash', () => {
  it('is stable, ignores the hash label, and changes with the template or the collision count', () => {
    const hash = podTemplateHash(template('web:1'), 0);
    expect(hash).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]+$/);
    expect(podTemplateHash(template('web:1', 'abc'), 0)).toBe(hash);
    expect(podTemplateHash(template('web:2'), 0)).not.toBe(hash);
    expect(podTemplateHash(template('web:1'), 1)).not.toBe(hash);
  });
});

describe('splitReplicaSets', () => {
  it('takes the oldest ReplicaSet whose template matches (hash label ignored) as the new one', () => {
    const older = rs('web-a', { creationTimestamp: '2026-01-01T00:00:00Z', template: template('web:2', 'a') });
    const newer = rs('web-b', { creationTimestamp: '2026-01-02T00:00:00Z', template: template('web:2', 'b') });
    const other = rs('web-c', { template: template('web:1', 'c') });
    const { newRs, oldRss } = splitReplicaSets(template('web:2'), [newer, other, older]);
    expect(newRs?.name).toBe('web-a');
    expect(oldRss.map((r) => r.name)).toEqual(['web-c', 'web-b']);
    expect(splitReplicaSets(template('web:3'), [older]).newRs).toBeUndefined();
  });
});

describe('revisions', () => {
  it('numbers the next revision after the highest old one', () => {
    expect(nextRevision([])).toBe(1);
    expect(nextRevision([rs('a', { revision: 3 }), rs('b', { revision: 7 }), rs('c')])).toBe(8);
  });

  it('raises a re-adopted ReplicaSet to the new revision and records its old number', () => {
    const annotations = newReplicaSetAnnotations(
      { [REVISION]: '1', [REVISION_HISTORY]: '0' },
      {
        'kubernetes.io/change-cause': 'undo',
        [REVISION]: '2',
        'kubectl.kubernetes.io/last-applied-configuration': '{}',
      },
      3,
      4,
      1,
    );
    expect(annotations).toEqual({
      [REVISION]: '3',
      [REVISION_HISTORY]: '0,1',
      'kubernetes.io/change-cause': 'undo',
      'deployment.kubernetes.io/desired-replicas': '4',
      'deployment.kubernetes.io/max-replicas': '5',
    });
  });

  it('leaves a revision that is already current, and starts a new ReplicaSet without history', () => {
    expect(newReplicaSetAnnotations({ [REVISION]: '5' }, {}, 5, 1, 0)[REVISION]).toBe('5');
    const fresh = newReplicaSetAnnotations({}, {}, 1, 1, 0);
    expect(fresh[REVISION]).toBe('1');
    expect(fresh[REVISION_HISTORY]).toBeUndefined();
  });
});

describe('rolling update arithmetic', () => {
  it('resolves int-or-percent values, rounding surge up and unavailability down', () => {
    expect(scaledValue('25%', 10, true)).toBe(3);
    expect(scaledValue('25%', 10, false)).toBe(2);
    expect(scaledValue(2, 10, false)).toBe(2);
    expect(scaledValue('3', 10, false)).toBe(3);
    expect(resolveFenceposts('25%', '25%', 4)).toEqual({ surge: 1, unavailable: 1 });
    expect(resolveFenceposts(0, 0, 4)).toEqual({ surge: 0, unavailable: 1 });
  });

  it('scales the new ReplicaSet up by at most the surge room', () => {
    const newRs = rs('new', { specReplicas: 0 });
    const old = rs('old', { specReplicas: 4, availableReplicas: 4 });
    expect(newReplicaSetScale(4, 1, newRs, [newRs, old])).toBe(1);
    expect(newReplicaSetScale(4, 1, rs('new', { specReplicas: 1 }), [rs('new', { specReplicas: 1 }), old])).toBe(1);
    expect(newReplicaSetScale(2, 1, rs('new', { specReplicas: 4 }), [rs('new', { specReplicas: 4 })])).toBe(2);
  });

  it('scales old ReplicaSets down while enough pods stay available, unhealthy pods first', () => {
    const newRs = rs('new', { specReplicas: 1 });
    const old = rs('old', { specReplicas: 4, availableReplicas: 4, creationTimestamp: '2025-01-01T00:00:00Z' });
    expect(oldReplicaSetScales(4, 1, newRs, [old])).toEqual(new Map([['old', 3]]));
    const ready = rs('new', { specReplicas: 2, availableReplicas: 2 });
    expect(oldReplicaSetScales(4, 1, ready, [rs('old', { specReplicas: 3, availableReplicas: 3 })])).toEqual(
      new Map([['old', 1]]),
    );
    const broken = rs('broken', { specReplicas: 2, availableReplicas: 0, creationTimestamp: '2025-01-01T00:00:00Z' });
    const healthy = rs('healthy', { specReplicas: 4, availableReplicas: 4, creationTimestamp: '2025-06-01T00:00:00Z' });
    expect(oldReplicaSetScales(4, 1, rs('new', { specReplicas: 0 }), [healthy, broken]).get('broken')).toBe(0);
    expect(
      oldReplicaSetScales(4, 0, rs('new', { specReplicas: 1 }), [rs('old', { specReplicas: 4, availableReplicas: 4 })])
        .size,
    ).toBe(0);
  });
});

describe('replicaSetsToCleanUp', () => {
  it('deletes the lowest revisions beyond the limit, never a ReplicaSet that still has pods', () => {
    const olds = [
      rs('r1', { revision: 1 }),
      rs('r2', { revision: 2, replicas: 1 }),
      rs('r3', { revision: 3 }),
      rs('r4', { revision: 4 }),
    ];
    expect(replicaSetsToCleanUp(2, olds)).toEqual(['r1', 'r3']);
    expect(replicaSetsToCleanUp(10, olds)).toEqual([]);
    expect(replicaSetsToCleanUp(0, olds)).toEqual(['r1', 'r3', 'r4']);
  });
});

describe('conditions', () => {
  const counts = (updated: number, replicas: number, available: number): DeploymentCounts => ({
    replicas,
    updatedReplicas: updated,
    readyReplicas: available,
    availableReplicas: available,
    unavailableReplicas: Math.max(0, replicas - available),
  });
  const base = {
    replicas: 3,
    maxUnavailable: 0,
    progressDeadlineSeconds: 600,
    newRsName: 'web-abc',
    conditions: [] as Condition[],
  };
  const progressing = (conditions: Condition[]) => conditions.find((c) => c.type === 'Progressing');

  it('keeps the transition time when only the reason changes, and changes nothing for the same reason', () => {
    const first: Condition = {
      type: 'Progressing',
      status: 'True',
      reason: 'A',
      message: '',
      lastUpdateTime: 't1',
      lastTransitionTime: 't1',
    };
    expect(setCondition([first], { ...first, lastUpdateTime: 't2', lastTransitionTime: 't2' })).toEqual([first]);
    expect(
      setCondition([first], { ...first, reason: 'B', lastUpdateTime: 't2', lastTransitionTime: 't2' })[0],
    ).toMatchObject({
      reason: 'B',
      lastUpdateTime: 't2',
      lastTransitionTime: 't1',
    });
  });

  it('reports a complete rollout as available and successfully progressed', () => {
    const result = rolloutConditions({
      ...base,
      previous: counts(1, 4, 3),
      counts: counts(3, 3, 3),
      now: '2026-01-01T00:00:00Z',
    });
    expect(result.map((c) => [c.type, c.status, c.reason])).toEqual([
      ['Available', 'True', 'MinimumReplicasAvailable'],
      ['Progressing', 'True', 'NewReplicaSetAvailable'],
    ]);
    expect(progressing(result)?.message).toBe('ReplicaSet "web-abc" has successfully progressed.');
  });

  it('moves lastUpdateTime on progress and times out once the deadline passes without any', () => {
    const started = rolloutConditions({
      ...base,
      conditions: [
        {
          type: 'Progressing',
          status: 'True',
          reason: 'NewReplicaSetCreated',
          message: '',
          lastUpdateTime: '2026-01-01T00:00:00Z',
          lastTransitionTime: '2026-01-01T00:00:00Z',
        },
      ],
      previous: counts(0, 3, 3),
      counts: counts(1, 4, 3),
      now: '2026-01-01T00:01:00Z',
    });
    expect(progressing(started)).toMatchObject({
      reason: 'ReplicaSetUpdated',
      lastUpdateTime: '2026-01-01T00:01:00Z',
      lastTransitionTime: '2026-01-01T00:00:00Z',
    });
    const waiting = rolloutConditions({
      ...base,
      conditions: started,
      previous: counts(1, 4, 3),
      counts: counts(1, 4, 3),
      now: '2026-01-01T00:10:00Z',
    });
    expect(progressing(waiting)?.reason).toBe('ReplicaSetUpdated');
    const late = rolloutConditions({
      ...base,
      conditions: started,
      previous: counts(1, 4, 3),
      counts: counts(1, 4, 3),
      now: '2026-01-01T00:11:01Z',
    });
    expect(progressing(late)).toMatchObject({
      status: 'False',
      reason: 'ProgressDeadlineExceeded',
      message: 'ReplicaSet "web-abc" has timed out progressing.',
    });
  });

  it('reports missing minimum availability, and no Progressing condition without a deadline', () => {
    const result = rolloutConditions({
      ...base,
      progressDeadlineSeconds: undefined,
      previous: counts(0, 0, 0),
      counts: counts(3, 3, 1),
      now: '2026-01-01T00:00:00Z',
    });
    expect(result.map((c) => [c.type, c.status, c.reason])).toEqual([
      ['Available', 'False', 'MinimumReplicasUnavailable'],
    ]);
  });
});

import { describe, expect, it } from '@jest/globals';
import { isAvailable, isStuck, newPod, podStatusAt, podsToRemove, readySince } from './pod-rules.js';

const owner = {
  name: 'web-abc',
  namespace: 'default',
  uid: 'rs-uid',
  template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'web:1' }] } },
};

describe('pods', () => {
  it('start Pending with the template labels, owned by their ReplicaSet', () => {
    const pod: any = newPod(owner, 'xyz12', '2026-01-01T00:00:00Z', false);
    expect(pod.metadata).toMatchObject({ name: 'web-abc-xyz12', labels: { app: 'web' } });
    expect(pod.metadata.ownerReferences[0]).toMatchObject({ kind: 'ReplicaSet', uid: 'rs-uid', controller: true });
    expect(pod.status.phase).toBe('Pending');
    expect(readySince(pod)).toBeUndefined();
  });

  it('become Running and Ready podReadySeconds after they start, and available after minReadySeconds', () => {
    const pod = newPod(owner, 'a', '2026-01-01T00:00:00Z', false);
    expect(podStatusAt(pod, new Date('2026-01-01T00:00:04Z'), 5, '10.0.0.1')).toBeUndefined();
    const status: any = podStatusAt(pod, new Date('2026-01-01T00:00:09Z'), 5, '10.0.0.1');
    expect(status.phase).toBe('Running');
    const ready = { ...pod, status };
    expect(readySince(ready)).toBe('2026-01-01T00:00:05Z');
    expect(isAvailable(ready, 10, new Date('2026-01-01T00:00:14Z'))).toBe(false);
    expect(isAvailable(ready, 10, new Date('2026-01-01T00:00:15Z'))).toBe(true);
  });

  it('stay in CrashLoopBackOff when stuck', () => {
    const pod = newPod(owner, 'a', '2026-01-01T00:00:00Z', true);
    expect(isStuck(pod)).toBe(true);
    expect(podStatusAt(pod, new Date('2027-01-01T00:00:00Z'), 5, '10.0.0.1')).toBeUndefined();
  });

  it('are removed not-ready first, then newest first', () => {
    const at = (suffix: string, time: string, ready: boolean) => {
      const created = newPod(owner, suffix, time, false);
      // The store stamps creationTimestamp when the pod is created.
      const pod = { ...created, metadata: { ...(created.metadata as object), creationTimestamp: time } };
      return ready ? { ...pod, status: podStatusAt(pod, new Date('2030-01-01T00:00:00Z'), 0, '10.0.0.1')! } : pod;
    };
    const pods = [
      at('old', '2026-01-01T00:00:00Z', true),
      at('new', '2026-01-02T00:00:00Z', true),
      at('pending', '2026-01-01T00:00:00Z', false),
    ];
    expect(podsToRemove(pods, 2).map((p: any) => p.metadata.name)).toEqual(['web-abc-pending', 'web-abc-new']);
    expect(podsToRemove(pods, 0)).toEqual([]);
  });
});

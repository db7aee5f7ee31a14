import { describe, expect, it } from '@jest/globals';
import type { KubeObject, StoreEvent } from './object-store.js';
import { CONFIG_MAPS } from './resource-types.js';
import { initialEventsEndBookmark, watchEventFor } from './watch.js';

const object = (name: string, tier: string): KubeObject => ({
  metadata: { name, namespace: 'default', uid: name, resourceVersion: '1', creationTimestamp: '', labels: { tier } },
});
const front = (o: KubeObject) => (o.metadata.labels as Record<string, string>).tier === 'front';
const event = (type: StoreEvent['type'], now: KubeObject, previous?: KubeObject): StoreEvent => ({
  type,
  resourceType: CONFIG_MAPS,
  object: now,
  previous,
  resourceVersion: 2,
});

describe('watchEventFor', () => {
  it('passes events for matching objects through', () => {
    expect(watchEventFor(event('ADDED', object('a', 'front')), front)?.type).toBe('ADDED');
    expect(watchEventFor(event('ADDED', object('a', 'back')), front)).toBeUndefined();
    expect(watchEventFor(event('DELETED', object('a', 'front')), front)?.type).toBe('DELETED');
  });

  it('turns a change across the selector into ADDED or DELETED', () => {
    expect(watchEventFor(event('MODIFIED', object('a', 'front'), object('a', 'front')), front)?.type).toBe('MODIFIED');
    expect(watchEventFor(event('MODIFIED', object('a', 'front'), object('a', 'back')), front)?.type).toBe('ADDED');
    expect(watchEventFor(event('MODIFIED', object('a', 'back'), object('a', 'front')), front)?.type).toBe('DELETED');
    expect(watchEventFor(event('MODIFIED', object('a', 'back'), object('a', 'back')), front)).toBeUndefined();
  });
});

describe('initialEventsEndBookmark', () => {
  it('carries the annotation client-go WatchList waits for', () => {
    expect(initialEventsEndBookmark(CONFIG_MAPS, 'v1', 42)).toEqual({
      type: 'BOOKMARK',
      object: {
        kind: 'ConfigMap',
        apiVersion: 'v1',
        metadata: { resourceVersion: '42', annotations: { 'k8s.io/initial-events-end': 'true' } },
      },
    });
  });
});

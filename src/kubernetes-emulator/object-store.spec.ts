import { describe, expect, it } from '@jest/globals';
import { KubeError } from './status.js';
import { ObjectStore } from './object-store.js';
import { CONFIG_MAPS, DEPLOYMENTS } from './resource-types.js';

const errorOf = (action: () => unknown) => {
  try {
    action();
  } catch (error) {
    return error instanceof KubeError ? `${error.code} ${error.reason}` : 'other';
  }
  return 'none';
};

describe('ObjectStore', () => {
  const store = () => new ObjectStore(() => new Date('2026-01-01T00:00:00.500Z'));

  it('stamps uid, creationTimestamp and a rising resourceVersion', () => {
    const s = store();
    const a = s.create(CONFIG_MAPS, { metadata: { name: 'a', namespace: 'ns' } });
    const b = s.create(CONFIG_MAPS, { metadata: { name: 'b', namespace: 'ns' } });
    expect(a.metadata.creationTimestamp).toBe('2026-01-01T00:00:00Z');
    expect(a.metadata.uid).not.toBe(b.metadata.uid);
    expect(Number(b.metadata.resourceVersion)).toBeGreaterThan(Number(a.metadata.resourceVersion));
    expect(s.resourceVersion()).toBe(Number(b.metadata.resourceVersion));
    expect(a.metadata.generation).toBeUndefined();
    expect(errorOf(() => s.create(CONFIG_MAPS, { metadata: { name: 'a', namespace: 'ns' } }))).toBe(
      '409 AlreadyExists',
    );
  });

  it('refuses a stale resourceVersion, allows none, and keeps the version of a no-op update', () => {
    const s = store();
    const a = s.create(CONFIG_MAPS, { metadata: { name: 'a', namespace: 'ns' }, data: { k: '1' } });
    const updated = s.update(CONFIG_MAPS, { ...a, data: { k: '2' } });
    expect(errorOf(() => s.update(CONFIG_MAPS, { ...a, data: { k: '3' } }))).toBe('409 Conflict');
    const unconditional = s.update(CONFIG_MAPS, { metadata: { name: 'a', namespace: 'ns' }, data: { k: '3' } });
    expect(unconditional.metadata.uid).toBe(a.metadata.uid);
    const same = s.update(CONFIG_MAPS, unconditional);
    expect(same.metadata.resourceVersion).toBe(unconditional.metadata.resourceVersion);
    expect(updated.data).toEqual({ k: '2' });
    expect(errorOf(() => s.update(CONFIG_MAPS, { metadata: { name: 'zz', namespace: 'ns' } }))).toBe('404 NotFound');
  });

  it('raises the generation only when the spec changes', () => {
    const s = store();
    const d = s.create(DEPLOYMENTS, { metadata: { name: 'd', namespace: 'ns' }, spec: { replicas: 1 } });
    expect(d.metadata.generation).toBe(1);
    const status = s.update(DEPLOYMENTS, { ...d, status: { replicas: 1 } });
    expect(status.metadata.generation).toBe(1);
    expect(s.update(DEPLOYMENTS, { ...status, spec: { replicas: 2 } }).metadata.generation).toBe(2);
  });

  it('logs events for watches and says when a resourceVersion is older than the log', () => {
    const s = store();
    const start = s.resourceVersion();
    const a = s.create(CONFIG_MAPS, { metadata: { name: 'a', namespace: 'ns' } });
    s.delete(CONFIG_MAPS, 'ns', 'a');
    expect(s.eventsSince(start)?.map((e) => e.type)).toEqual(['ADDED', 'DELETED']);
    expect(s.eventsSince(Number(a.metadata.resourceVersion))?.map((e) => e.type)).toEqual(['DELETED']);
    expect(s.eventsSince(start - 10)).toBeUndefined();
    expect(s.list(CONFIG_MAPS)).toEqual([]);
  });
});

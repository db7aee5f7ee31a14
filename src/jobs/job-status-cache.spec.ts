import { describe, it, expect } from '@jest/globals';
import { bodyExpiry, jobEtag, JobStatusCache, stillHolds, type JobStatus } from './job-status-cache.js';

const status = (version: number, body = `{"version":${version}}`, expiresAt = Infinity): JobStatus => ({
  version,
  environments: ['uat'],
  body,
  expiresAt,
});

/** A loader the test resolves by hand, counting its calls. */
function manualLoader() {
  const pending: ((s: JobStatus) => void)[] = [];
  const loader = () => new Promise<JobStatus>((resolve) => pending.push(resolve));
  return { loader, pending };
}

describe('job status decisions', () => {
  it('names a version of a job in a weak ETag', () => {
    expect(jobEtag('3f1c', 7)).toBe('W/"3f1c.7"');
  });

  it('keeps a finished or a running job body for ever, a waiting one until its retry time', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(bodyExpiry({ status: 'Completed', state: { retryAt: '2026-01-01T00:01:00Z' } }, now)).toBe(Infinity);
    expect(bodyExpiry({ status: 'In Progress', state: {} }, now)).toBe(Infinity);
    expect(bodyExpiry({ status: 'In Progress', state: { retryAt: '2026-01-01T00:01:00Z' } }, now)).toBe(now + 60_000);
    expect(bodyExpiry({ status: 'In Progress', state: { retryAt: '2025-12-31T23:59:00Z' } }, now)).toBe(Infinity);
    expect(bodyExpiry({ status: 'In Progress', state: { retryAt: 12 } }, now)).toBe(Infinity);
  });

  it('serves a status only before it expires', () => {
    expect(stillHolds(status(1, '{}', 1_000), 999)).toBe(true);
    expect(stillHolds(status(1, '{}', 1_000), 1_000)).toBe(false);
  });
});

describe('JobStatusCache', () => {
  it('loads a job once for every poller asking meanwhile, then serves it from memory', async () => {
    const cache = new JobStatusCache();
    const { loader, pending } = manualLoader();
    const answers = Promise.all([cache.load('a', loader), cache.load('a', loader), cache.load('a', loader)]);
    expect(pending).toHaveLength(1);
    pending[0]!(status(3));
    expect((await answers).map((s) => s.version)).toEqual([3, 3, 3]);
    expect(cache.get('a', 0)?.version).toBe(3);
  });

  it('drops a job that changed', async () => {
    const cache = new JobStatusCache();
    await cache.load('a', async () => status(3));
    cache.changed('a');
    expect(cache.get('a', 0)).toBeUndefined();
  });

  it('does not keep what was loaded while the job changed, and answers later pollers with a new load', async () => {
    const cache = new JobStatusCache();
    const { loader, pending } = manualLoader();
    const before = cache.load('a', loader);
    cache.changed('a');
    const after = cache.load('a', loader);
    expect(pending).toHaveLength(2);
    pending[0]!(status(3));
    expect((await before).version).toBe(3);
    expect(cache.get('a', 0)).toBeUndefined();
    pending[1]!(status(4));
    expect((await after).version).toBe(4);
    expect(cache.get('a', 0)?.version).toBe(4);
  });

  it('does not keep what was loaded when news may have been missed meanwhile', async () => {
    const cache = new JobStatusCache();
    await cache.load('b', async () => status(1));
    const { loader, pending } = manualLoader();
    const loading = cache.load('a', loader);
    cache.clear();
    pending[0]!(status(3));
    await loading;
    expect(cache.get('a', 0)).toBeUndefined();
    expect(cache.get('b', 0)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('keeps no failed load: the next poller loads again', async () => {
    const cache = new JobStatusCache();
    await expect(cache.load('a', () => Promise.reject(new Error('no such job')))).rejects.toThrow('no such job');
    expect((await cache.load('a', async () => status(2))).version).toBe(2);
  });

  it('lets a waiting job body expire at its retry time', async () => {
    const cache = new JobStatusCache();
    await cache.load('a', async () => status(5, '{}', 1_000));
    expect(cache.get('a', 999)?.version).toBe(5);
    expect(cache.get('a', 1_000)).toBeUndefined();
    expect(cache.get('a', 0)).toBeUndefined();
  });

  it('drops the least recently used jobs past its size, and never keeps a body larger than all of it', async () => {
    const cache = new JobStatusCache(10);
    await cache.load('a', async () => status(1, 'aaaa'));
    await cache.load('b', async () => status(1, 'bbbb'));
    expect(cache.get('a', 0)).toBeDefined();
    await cache.load('c', async () => status(1, 'cccc'));
    expect(cache.get('b', 0)).toBeUndefined();
    expect(cache.get('a', 0)).toBeDefined();
    expect(cache.get('c', 0)).toBeDefined();
    await cache.load('d', async () => status(1, 'd'.repeat(11)));
    expect(cache.get('d', 0)).toBeUndefined();
    expect(cache.size).toBe(2);
  });
});

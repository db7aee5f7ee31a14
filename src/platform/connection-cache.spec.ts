import { describe, expect, it } from '@jest/globals';
import { ConnectionCache } from './connection-cache.js';

describe('ConnectionCache', () => {
  it('opens one client per connection and hands the same one back for an equal connection', () => {
    const opened: string[] = [];
    const cache = new ConnectionCache((c: { server: string; token: string }) => {
      opened.push(c.server);
      return { server: c.server };
    });
    const first = cache.get({ server: 'a', token: 't' });
    expect(cache.get({ server: 'a', token: 't' })).toBe(first);
    expect(cache.get({ server: 'a', token: 'rotated' })).not.toBe(first);
    expect(opened).toEqual(['a', 'a']);
  });

  it('drops and closes the oldest client past its size', () => {
    const closed: number[] = [];
    const cache = new ConnectionCache(
      (n: number) => ({ n }),
      (client) => closed.push(client.n),
      2,
    );
    const one = cache.get(1);
    cache.get(2);
    cache.get(3);
    expect(closed).toEqual([1]);
    expect(cache.get(1)).not.toBe(one);
    expect(closed).toEqual([1, 2]);
  });
});

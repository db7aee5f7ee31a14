import { describe, expect, test } from '@jest/globals';
import { mapInSlices, mapWithConcurrency } from './concurrency.js';

describe('mapWithConcurrency', () => {
  test('keeps the order of the items and never runs more than the limit at once', async () => {
    let running = 0;
    let peak = 0;
    const result = await mapWithConcurrency([5, 1, 4, 2, 3], 2, async (n) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, n));
      running--;
      return n * 10;
    });
    expect(result).toEqual([50, 10, 40, 20, 30]);
    expect(peak).toBe(2);
  });

  test('rejects with the first failure and starts nothing after it', async () => {
    const started: number[] = [];
    await expect(
      mapWithConcurrency([1, 2, 3, 4], 1, async (n) => {
        started.push(n);
        if (n === 2) throw new Error('two failed');
        return n;
      }),
    ).rejects.toThrow('two failed');
    expect(started).toEqual([1, 2]);
  });

  test('an empty list gives an empty result', async () => {
    expect(await mapWithConcurrency([], 4, async () => 1)).toEqual([]);
  });
});

describe('mapInSlices', () => {
  test('keeps the order of the items', async () => {
    expect(await mapInSlices([3, 1, 2], (n, i) => `${i}:${n * 10}`)).toEqual(['0:30', '1:10', '2:20']);
  });

  /** What ran, in order: each item, and what each item queued for the event loop's next turn. */
  const order = async (sliceMs: number) => {
    const seen: string[] = [];
    await mapInSlices(
      [1, 2, 3],
      (n) => {
        seen.push(`item ${n}`);
        setImmediate(() => seen.push(`after ${n}`));
      },
      sliceMs,
    );
    return seen;
  };

  test('with 0 ms slices, what one item queued runs before the next item', async () => {
    expect(await order(0)).toEqual(['item 1', 'after 1', 'item 2', 'after 2', 'item 3']);
  });

  test('with long slices, items run back to back', async () => {
    expect((await order(60_000)).slice(0, 3)).toEqual(['item 1', 'item 2', 'item 3']);
  });

  test('a throwing item rejects the whole call', async () => {
    await expect(
      mapInSlices([1, 2], (n) => {
        if (n === 2) throw new Error('two failed');
        return n;
      }),
    ).rejects.toThrow('two failed');
  });
});

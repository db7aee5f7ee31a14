import { describe, it, expect, jest, beforeEach, afterEach } from '@jest/globals';
import { InProcessQueue } from './in-process.queue.js';

// Jest's fake clock drives the queue's delays and the handlers' waits: what the queue does by a given time does not
// depend on how busy the machine is.
const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));
const advance = (ms: number) => jest.advanceTimersByTimeAsync(ms);

describe('InProcessQueue', () => {
  beforeEach(() => {
    jest.useFakeTimers();
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('delivers every id to the handler, at most `concurrency` at once', async () => {
    const queue = new InProcessQueue();
    let inFlight = 0;
    let peak = 0;
    const seen: string[] = [];
    queue.consume(async (id) => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      await tick(5);
      seen.push(id);
      inFlight -= 1;
    }, 2);
    for (const id of ['a', 'b', 'c', 'd', 'e']) await queue.enqueue(id);
    await advance(15); // three rounds of two handlers of 5 ms each
    expect([...seen].sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(peak).toBe(2);
    await queue.close();
  });

  it('keeps one entry for an id added twice while it waits', async () => {
    const queue = new InProcessQueue();
    await queue.enqueue('x');
    await queue.enqueue('x');
    const seen: string[] = [];
    queue.consume(async (id) => void seen.push(id), 1);
    await advance(10);
    expect(seen).toEqual(['x']);
    await queue.close();
  });

  it('delivers a delayed id only after the delay', async () => {
    const queue = new InProcessQueue();
    const seen: string[] = [];
    queue.consume(async (id) => void seen.push(id), 1);
    await queue.enqueue('later', 40);
    await advance(39);
    expect(seen).toEqual([]);
    await advance(1);
    expect(seen).toEqual(['later']);
    await queue.close();
  });

  it('close waits for the job in flight', async () => {
    const queue = new InProcessQueue();
    let finished = false;
    queue.consume(async () => {
      await tick(30);
      finished = true;
    }, 1);
    await queue.enqueue('slow');
    await advance(5);
    let closed = false;
    const closing = queue.close().then(() => (closed = true));
    await advance(20);
    expect(closed).toBe(false); // the handler still runs
    await advance(5);
    await closing;
    expect(finished).toBe(true);
  });
});

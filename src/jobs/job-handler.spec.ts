import { test, expect } from '@jest/globals';
import { secondsSince, startOnce } from './job-handler.js';

test('startOnce starts the work on the first call only and gives every caller the same result', async () => {
  let starts = 0;
  const work = startOnce(async () => ++starts);
  expect(starts).toBe(0); // nothing runs before the first call
  const [a, b] = await Promise.all([work(), work()]);
  expect(await work()).toBe(1);
  expect([a, b, starts]).toEqual([1, 1, 1]);
});

test('startOnce keeps a failure for whoever awaits it, without an unhandled rejection in between', async () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  try {
    const work = startOnce(() => Promise.reject(new Error('zip failed')));
    void work();
    await new Promise((resolve) => setTimeout(resolve, 20));
    await expect(work()).rejects.toThrow(/zip failed/);
    expect(unhandled).toEqual([]);
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
});

test('secondsSince reads as seconds with one decimal', () => {
  expect(secondsSince(Date.now() - 1500)).toMatch(/^1\.[45] s$/);
});

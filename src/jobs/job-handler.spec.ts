import { test } from 'node:test';
import assert from 'node:assert/strict';
import { secondsSince, startOnce } from './job-handler.js';

test('startOnce starts the work on the first call only and gives every caller the same result', async () => {
  let starts = 0;
  const work = startOnce(async () => ++starts);
  assert.equal(starts, 0, 'nothing runs before the first call');
  const [a, b] = await Promise.all([work(), work()]);
  assert.equal(await work(), 1);
  assert.deepEqual([a, b, starts], [1, 1, 1]);
});

test('startOnce keeps a failure for whoever awaits it, without an unhandled rejection in between', async () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  try {
    const work = startOnce(() => Promise.reject(new Error('zip failed')));
    void work();
    await new Promise((resolve) => setTimeout(resolve, 20));
    await assert.rejects(work(), /zip failed/);
    assert.deepEqual(unhandled, []);
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
});

test('secondsSince reads as seconds with one decimal', () => {
  assert.match(secondsSince(Date.now() - 1500), /^1\.[45] s$/);
});

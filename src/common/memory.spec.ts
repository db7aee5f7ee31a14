import { describe, it, expect } from '@jest/globals';
import { collectGarbage, worthFullCollection, FULL_COLLECTION_FROM_COMPONENTS } from './memory.js';

describe('worthFullCollection', () => {
  it('collects before a job of a thousand components or more, not before a small one', () => {
    expect(worthFullCollection(FULL_COLLECTION_FROM_COMPONENTS)).toBe(true);
    expect(worthFullCollection(10_000)).toBe(true);
    expect(worthFullCollection(FULL_COLLECTION_FROM_COMPONENTS - 1)).toBe(false);
    expect(worthFullCollection(1)).toBe(false);
  });
});

describe('collectGarbage', () => {
  it('frees what nothing holds any more, at once', () => {
    let garbage: Buffer[] | undefined = Array.from({ length: 200 }, () => Buffer.alloc(256 * 1024, 1)); // 50 MB
    collectGarbage();
    const held = process.memoryUsage().arrayBuffers;
    expect(garbage.length).toBe(200);
    garbage = undefined;
    collectGarbage();
    expect(garbage).toBeUndefined();
    // V8 gives the buffers' memory back in a sweep that runs beside the program after a collection and that the next
    // collection finishes first: on a busy machine it may still be running when the first call returns (seen in CI)
    collectGarbage();
    // the 50 MB of buffers are gone without waiting for V8 to decide
    expect(held - process.memoryUsage().arrayBuffers).toBeGreaterThan(40 * 1024 * 1024);
  });
});

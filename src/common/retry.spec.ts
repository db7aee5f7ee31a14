import { describe, it, expect } from '@jest/globals';
import { backoffDelayMs, withRetry, withTimeout } from './retry.js';

const policy = { attempts: 4, baseDelayMs: 100, maxDelayMs: 1_000 };

describe('backoffDelayMs', () => {
  it('doubles up to the ceiling, with jitter between half and all of it', () => {
    expect(backoffDelayMs(1, policy, () => 1)).toBe(100);
    expect(backoffDelayMs(2, policy, () => 1)).toBe(200);
    expect(backoffDelayMs(3, policy, () => 0)).toBe(200);
    expect(backoffDelayMs(10, policy, () => 1)).toBe(1_000);
  });
});

describe('withRetry', () => {
  it('retries a retryable error and returns the first success', async () => {
    const waits: number[] = [];
    let calls = 0;
    const value = await withRetry(
      async () => {
        calls++;
        if (calls < 3) throw new Error('flaky');
        return 'ok';
      },
      { policy, retryable: () => true, sleep: async (ms) => void waits.push(ms) },
    );
    expect(value).toBe('ok');
    expect(calls).toBe(3);
    expect(waits).toHaveLength(2);
  });

  it('throws a non-retryable error at once', async () => {
    let calls = 0;
    const failing = withRetry(
      async () => {
        calls++;
        throw new Error('refused');
      },
      { policy, retryable: () => false, sleep: async () => undefined },
    );
    await expect(failing).rejects.toThrow('refused');
    expect(calls).toBe(1);
  });

  it('gives up after the last attempt with the last error', async () => {
    let calls = 0;
    const failing = withRetry(
      async () => {
        calls++;
        throw new Error(`failure ${calls}`);
      },
      { policy, retryable: () => true, sleep: async () => undefined },
    );
    await expect(failing).rejects.toThrow('failure 4');
  });
});

describe('withTimeout', () => {
  it('rejects with the timeout error when the promise is slower', async () => {
    const never = new Promise<never>(() => undefined);
    await expect(withTimeout(never, 10, () => new Error('too slow'))).rejects.toThrow('too slow');
  });

  it('passes the value through when the promise is faster', async () => {
    await expect(withTimeout(Promise.resolve(7), 1_000, () => new Error('too slow'))).resolves.toBe(7);
  });
});

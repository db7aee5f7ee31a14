import { sleep } from './polling.js';

/**
 * Retries for idempotent calls: exponential back-off with full jitter, capped, and a bounded number of attempts.
 * Only errors `retryable` says yes to are retried; the last error is thrown as it was.
 */
export interface RetryPolicy {
  /** Attempts in all, the first included (>= 1). */
  attempts: number;
  /** Delay before the second attempt; doubles each time up to `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 4, baseDelayMs: 500, maxDelayMs: 8_000 };

/** The delay before attempt `attempt + 1` (attempt counts from 1): a random value up to the capped exponential. */
export function backoffDelayMs(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export async function withRetry<T>(
  fn: (attempt: number) => Promise<T>,
  options: {
    policy?: RetryPolicy;
    retryable: (error: unknown) => boolean;
    signal?: AbortSignal;
    onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
    /** Replaced in tests to avoid real waits. */
    sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  },
): Promise<T> {
  const policy = options.policy ?? DEFAULT_RETRY;
  const wait = options.sleep ?? sleep;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      if (attempt >= policy.attempts || !options.retryable(error) || options.signal?.aborted) throw error;
      const delay = backoffDelayMs(attempt, policy);
      options.onRetry?.(error, attempt, delay);
      await wait(delay, options.signal);
    }
  }
}

/** Rejects with `onTimeout()` when `promise` has not settled after `ms`; the timer never outlives the call. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
    // The losing promise may still reject later: handled here so it is never an unhandled rejection.
    promise.catch(() => undefined);
  }
}

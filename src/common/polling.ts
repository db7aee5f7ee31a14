/**
 * Polling interval after `attempt` polls: 100 ms growing by a quarter each time up to the ceiling. Polls of a running
 * deploy ask for counts only, so a quick first look costs little and a small deploy is seen done at once. A quarter,
 * not a half: an operation that takes a second or two is seen done about 0.1 s sooner on average (the interval then
 * is 250–380 ms, not 500–760), for two or three more polls; a long one reaches the ceiling a few polls later, after
 * about 22 s instead of 11 s at the default 5 s, and is then polled as before.
 */
export function pollDelayMs(attempt: number, ceilingMs: number): number {
  return Math.min(ceilingMs, Math.round(100 * 1.25 ** attempt));
}

/** Waits `ms`; rejects with the signal's reason as soon as the signal aborts (the timer is cleared). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason as Error);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

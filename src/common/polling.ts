/**
 * Polling interval after `attempt` polls: 100 ms growing by half each time up to the ceiling. Polls of a running
 * deploy ask for counts only, so a quick first look costs little and a small deploy is seen done at once.
 */
export function pollDelayMs(attempt: number, ceilingMs: number): number {
  return Math.min(ceilingMs, Math.round(100 * 1.5 ** attempt));
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

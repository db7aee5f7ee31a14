/**
 * Polling interval after `attempt` polls: every 100 ms for the first ten (about a second), then growing by a quarter
 * each time up to the ceiling. Polls of a running deploy or retrieve ask for its status only, so a quick look costs
 * the org little, and an operation of a second or two is seen done within 0.1 s instead of 0.2–0.4 s later (the
 * interval of a plain backoff from 100 ms has grown to 300–400 ms by then; a job waits on two to five of them). A
 * quarter, not a half: an operation of a few seconds is seen done sooner still, for two or three more polls; a long
 * one reaches the ceiling about 28 s in at the default 5 s (a plain backoff: 23 s), and is then polled as before: nine
 * calls more than a plain backoff in all, whatever its length.
 */
export function pollDelayMs(attempt: number, ceilingMs: number): number {
  const growth = Math.max(0, attempt - FAST_POLLS + 1);
  return Math.min(ceilingMs, Math.round(100 * 1.25 ** growth));
}

/** Polls 100 ms apart at the start of every wait. */
const FAST_POLLS = 10;

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

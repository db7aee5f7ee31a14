/**
 * The queue carries job ids only; the job row in PostgreSQL is the truth. Contract:
 * - `enqueue` may deliver an id more than once (a restarted Redis, the reconciler re-adding it); consumers claim
 *   the job atomically in the database, so a duplicate delivery does nothing.
 * - `consume` delivers ids to the handler with at most `concurrency` in flight in this process.
 */
export interface JobQueue {
  readonly driver: 'in-process' | 'bull';
  enqueue(jobId: string, delayMs?: number): Promise<void>;
  consume(handler: (jobId: string) => Promise<void>, concurrency: number): void;
  health(): Promise<{ ok: boolean; detail?: string }>;
  close(): Promise<void>;
}

export const JOB_QUEUE = Symbol('JOB_QUEUE');

/**
 * Puts a job whose row is already saved on the queue. The row is the truth: when the queue is down or slow, the job
 * is still accepted and the reconciler enqueues it once the queue answers, so this never throws. True when queued.
 */
export async function enqueueSaved(
  queue: JobQueue,
  jobId: string,
  warn: (message: string) => void,
  delayMs = 0,
): Promise<boolean> {
  try {
    await queue.enqueue(jobId, delayMs);
    return true;
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    warn(`Job ${jobId} is saved but not queued yet (${why}); the reconciler queues it`);
    return false;
  }
}

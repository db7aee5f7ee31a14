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

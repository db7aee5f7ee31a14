import type { ComponentAction, ComponentResult } from './job-component.entity.js';
import type { Job, JobKind, JobTarget } from './job.entity.js';
import type { LogLevel } from './job-log.js';

/**
 * One (job kind, target) pair's work. `run` must be resumable: a job can be run again after its worker died at any
 * point.
 */
export interface JobHandler {
  readonly kind: JobKind;
  readonly target: JobTarget;
  run(context: JobContext): Promise<JobOutcome | JobWait>;
  /**
   * The infrastructures the job changes and must hold alone while it runs (default: the job's `infrastructureId`).
   * The runner takes all of them or waits.
   */
  targets?(job: Job): Promise<string[]>;
  /**
   * Called when the job was ended as Exception without `run` returning an outcome (an error, too many attempts, a
   * cancel while Queued): release what the job holds when Salesforce applied nothing of it.
   */
  afterException?(job: Job): Promise<void>;
}

/**
 * The job cannot go on yet (it waits for another job, say): the runner lets go of it without using up an attempt
 * and runs it again (resumed) after `retryInMs`.
 */
export interface JobWait {
  status: 'Waiting';
  retryInMs: number;
  /** Logged once per distinct reason. */
  reason: string;
}

export interface JobOutcome {
  status: 'Completed' | 'Exception';
  /** For Exception: a sentence saying what went wrong (the per-component rows say where). */
  error?: string;
}

export interface ComponentRow {
  type: string;
  fullName: string;
  parentType?: string | null;
  parentFullName?: string | null;
  action: ComponentAction;
  status: ComponentResult;
  problem?: string | null;
  problemType?: string | null;
  lineNumber?: number | null;
  columnNumber?: number | null;
  details?: Record<string, unknown>;
}

export interface JobContext {
  readonly job: Job;
  /** True when an earlier attempt started this job (read `job.state` to continue where it stopped). */
  readonly resumed: boolean;
  /** Aborted when this worker lost the job's lease or is shutting down: stop without finishing the job. */
  readonly signal: AbortSignal;
  log(level: LogLevel, message: string, component?: { type: string; fullName: string }): void;
  setProgress(progress: { phase?: string; componentsDone?: number; componentsTotal?: number }): Promise<void>;
  /** Persists facts a resumed attempt needs, before they are relied on. */
  saveState(patch: Record<string, unknown>): Promise<void>;
  /** Inserts or replaces per-component rows (keyed by type + fullName). */
  upsertComponents(rows: ComponentRow[]): Promise<void>;
  /**
   * Gives every row still Pending, but those of `except`, the status and details of `change` (one statement: the
   * rows that ended as planned, or did not drift).
   */
  settlePending(
    change: { status?: ComponentResult; details?: Record<string, unknown> },
    except?: { type: string; fullName: string }[],
  ): Promise<void>;
  setCounts(counts: Record<string, number>): Promise<void>;
  /** Who asked to cancel the job (POST /api/jobs/:id/cancel), read from the database; null when nobody did. */
  cancelRequested(): Promise<{ by: string; at: string } | null>;
}

/** Thrown when the lease was lost: another worker owns the job now; this attempt just stops. */
export class LeaseLostError extends Error {
  override readonly name = 'LeaseLostError';
}

/** "1.4 s": the time since `since` (a Date.now()), for job log lines. */
export function secondsSince(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}

/**
 * Work started on the first call and shared by later ones (a package built while the org works, say). A failure
 * is reported to whoever awaits it, never as an unhandled rejection in between.
 */
export function startOnce<T>(start: () => Promise<T>): () => Promise<T> {
  let started: Promise<T> | undefined;
  return () => {
    if (!started) {
      started = start();
      started.catch(() => undefined);
    }
    return started;
  };
}

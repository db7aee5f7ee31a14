import type { JobKind, JobStatus } from '../../jobs/job.entity.js';

/** What a `salesforce` stage knows of the Deploy or Rollback job it started. */
export interface ChildJobFacts {
  id: string;
  kind: JobKind;
  status: JobStatus;
  error: string | null;
  phase?: string;
}

/** Where the stage stands with its child job: still waiting for it, done, or failed with the job's sentence. */
export type ChildJobVerdict = { kind: 'wait'; reason: string } | { kind: 'done' } | { kind: 'failed'; error: string };

/**
 * The child job decides the stage: Queued or In Progress → wait (the engine lets the worker go and calls again),
 * Completed → done (it already waited for Salesforce), Exception → failed, saying which job and its own sentence.
 */
export function childJobVerdict(job: ChildJobFacts): ChildJobVerdict {
  switch (job.status) {
    case 'Completed':
      return { kind: 'done' };
    case 'Exception':
      return {
        kind: 'failed',
        error: `${job.kind} job ${job.id} ended in Exception: ${job.error ?? 'it gave no reason; see its log.'}`,
      };
    default: {
      const phase = job.phase && job.phase !== job.status ? ` (${job.phase})` : '';
      return { kind: 'wait', reason: `${job.kind} job ${job.id} is ${job.status}${phase}.` };
    }
  }
}

import type { DataSource, EntityManager } from 'typeorm';
import { ConflictError, ForbiddenError, GoneError } from '../../common/errors.js';
import type { ExecutionRollbackVerdict } from './execution-rollbackability.js';
import { isUniqueViolation } from '../../database/unique-violation.js';

/**
 * The claim that an execution is rolled back (`execution_rollbacks`, one row per execution): taken in the transaction
 * that creates the job undoing it — a Rollback of the execution, or a Deploy redeploying a previous release over it
 * (mode rollback, src/platform/releases) — so of concurrent requests exactly one gets it. Kept when that job
 * Completes, released when it ends in Exception (it can then be asked for again).
 */
export async function claimExecution(manager: EntityManager, executionId: string, jobId: string): Promise<void> {
  const claimed: unknown[] = await manager.query(
    `INSERT INTO execution_rollbacks (execution_id, rollback_job_id) VALUES ($1, $2)
     ON CONFLICT DO NOTHING RETURNING execution_id`,
    [executionId, jobId],
  );
  if (!claimed.length) throw new ClaimTaken();
}

/** A job that ended in Exception lets go of the execution it claimed, so a rollback can be asked for again. */
export async function releaseClaim(db: DataSource, jobId: string): Promise<void> {
  await db.query(`DELETE FROM execution_rollbacks WHERE rollback_job_id = $1`, [jobId]);
}

/** Whether creating the job failed because another request claimed the execution a moment before. */
export function lostClaimRace(error: unknown): boolean {
  return error instanceof ClaimTaken || isUniqueViolation(error);
}

/** Throws the refusal of a verdict of the rollback rules (403, 409 or 410 with its details); nothing when available. */
export function refuseUnless(verdict: ExecutionRollbackVerdict): void {
  if (verdict.available) return;
  const { status, reason, ...details } = verdict;
  const extra = { ...(details.rollbackJobId ? { rollbackJobId: details.rollbackJobId } : {}) };
  if (details.currentExecutionId) Object.assign(extra, { currentExecutionId: details.currentExecutionId });
  if (status === 403) throw new ForbiddenError(reason);
  if (status === 410) throw new GoneError(reason);
  throw new ConflictError(reason, Object.keys(extra).length ? extra : undefined);
}

class ClaimTaken extends Error {}

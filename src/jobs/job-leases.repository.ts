import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Job } from './job.entity.js';

/**
 * Who runs what, kept in PostgreSQL so that any number of workers agree: a job lease (one worker per job) and a
 * target lock (one running job per infrastructure: Salesforce runs one deploy per org at a time, and two rollouts of
 * one cluster's services must not interleave). Both expire unless renewed, so a killed worker's job and targets
 * become free again.
 */
@Injectable()
export class JobLeases {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Takes the job if it is unfinished and nobody holds a live lease on it. */
  async claim(jobId: string, owner: string, leaseSeconds: number): Promise<Job | null> {
    const rows: unknown[] = await this.db.query(
      `UPDATE jobs SET lease_owner = $2, lease_expires_at = now() + make_interval(secs => $3)
        WHERE id = $1 AND status IN ('Queued', 'In Progress') AND (lease_owner IS NULL OR lease_expires_at < now())
        RETURNING id`,
      [jobId, owner, leaseSeconds],
    );
    if (affected(rows) === 0) return null;
    return this.db.getRepository<Job>('Job').findOneByOrFail({ id: jobId });
  }

  /**
   * Takes every target (infrastructure) of this job, or none of them: false while another job holds a live lock on
   * one (what it took is let go again, so two jobs never wait on each other).
   */
  async lockTargets(infrastructureIds: string[], jobId: string, owner: string, leaseSeconds: number): Promise<boolean> {
    const taken: string[] = [];
    for (const id of [...new Set(infrastructureIds)].sort()) {
      const rows: unknown[] = await this.db.query(
        `INSERT INTO target_locks (infrastructure_id, job_id, owner, expires_at)
         VALUES ($1, $2, $3, now() + make_interval(secs => $4))
         ON CONFLICT (infrastructure_id) DO UPDATE
           SET job_id = EXCLUDED.job_id, owner = EXCLUDED.owner, expires_at = EXCLUDED.expires_at
         WHERE target_locks.expires_at < now() OR target_locks.job_id = EXCLUDED.job_id
         RETURNING infrastructure_id`,
        [id, jobId, owner, leaseSeconds],
      );
      if (rows.length === 0) {
        await this.unlockTargets(jobId);
        return false;
      }
      taken.push(id);
    }
    return true;
  }

  /** The job holding one of these targets, when it is not this one. */
  async targetHolder(infrastructureIds: string[], jobId: string): Promise<string | null> {
    const rows: { job_id: string }[] = await this.db.query(
      `SELECT job_id FROM target_locks WHERE infrastructure_id = ANY($1) AND job_id <> $2 AND expires_at >= now()`,
      [infrastructureIds, jobId],
    );
    return rows[0]?.job_id ?? null;
  }

  /** Extends the job lease and the target locks it holds; false when the lease was lost to another worker. */
  async renew(jobId: string, owner: string, leaseSeconds: number): Promise<boolean> {
    const rows: unknown[] = await this.db.query(
      `UPDATE jobs SET lease_expires_at = now() + make_interval(secs => $3) WHERE id = $1 AND lease_owner = $2 RETURNING id`,
      [jobId, owner, leaseSeconds],
    );
    if (affected(rows) === 0) return false;
    await this.db.query(`UPDATE target_locks SET expires_at = now() + make_interval(secs => $2) WHERE job_id = $1`, [
      jobId,
      leaseSeconds,
    ]);
    return true;
  }

  /** Lets go of the job (it stays unfinished) and of its targets, so another attempt can take it. */
  async release(jobId: string, owner: string): Promise<void> {
    await this.db.query(
      `UPDATE jobs SET lease_owner = NULL, lease_expires_at = NULL WHERE id = $1 AND lease_owner = $2`,
      [jobId, owner],
    );
    await this.unlockTargets(jobId);
  }

  async unlockTargets(jobId: string): Promise<void> {
    await this.db.query(`DELETE FROM target_locks WHERE job_id = $1`, [jobId]);
  }

  /** Unfinished jobs nobody holds a live lease on — the reconciler's work list. */
  async orphans(): Promise<Pick<Job, 'id' | 'status' | 'attempts'>[]> {
    const rows: { id: string; status: Job['status']; attempts: number }[] = await this.db.query(
      `SELECT id, status, attempts FROM jobs
        WHERE status IN ('Queued', 'In Progress') AND (lease_owner IS NULL OR lease_expires_at < now())
          AND coalesce((state->>'retryAt')::timestamptz, '-infinity') <= now()
        ORDER BY created_at`,
    );
    return rows;
  }

  /** On the embedded default one process owns every job: at start-up any lease it finds belonged to a dead process. */
  async expireAllLeases(): Promise<void> {
    await this.db.query(`UPDATE jobs SET lease_expires_at = now() - interval '1 second' WHERE lease_owner IS NOT NULL`);
    await this.db.query(`DELETE FROM target_locks`);
  }
}

/** pg answers an UPDATE … RETURNING through TypeORM as [rows, count]; a SELECT as rows. */
export function affected(result: unknown[]): number {
  if (result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') return result[1];
  return result.length;
}

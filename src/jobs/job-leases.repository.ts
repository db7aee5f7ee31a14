import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Job } from './job.entity.js';

/**
 * Who runs what, kept in PostgreSQL so that any number of workers agree: a job lease (one worker per job) and an
 * org lock (one running job per org, since Salesforce runs one deploy per org at a time). Both expire unless
 * renewed, so a killed worker's job and org become free again.
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

  /** Takes the org for this job, or answers false while another job holds a live lock on it. */
  async lockOrg(orgId: string, jobId: string, owner: string, leaseSeconds: number): Promise<boolean> {
    const rows: unknown[] = await this.db.query(
      `INSERT INTO org_locks (org_id, job_id, owner, expires_at) VALUES ($1, $2, $3, now() + make_interval(secs => $4))
       ON CONFLICT (org_id) DO UPDATE SET job_id = EXCLUDED.job_id, owner = EXCLUDED.owner, expires_at = EXCLUDED.expires_at
        WHERE org_locks.expires_at < now() OR org_locks.job_id = EXCLUDED.job_id
       RETURNING org_id`,
      [orgId, jobId, owner, leaseSeconds],
    );
    return rows.length > 0;
  }

  /** The job holding the org, when it is not this one. */
  async orgHolder(orgId: string): Promise<string | null> {
    const rows: { job_id: string }[] = await this.db.query(
      `SELECT job_id FROM org_locks WHERE org_id = $1 AND expires_at >= now()`,
      [orgId],
    );
    return rows[0]?.job_id ?? null;
  }

  /** Extends the job lease (and the org lock, when held); false when the lease was lost to another worker. */
  async renew(jobId: string, orgId: string | null, owner: string, leaseSeconds: number): Promise<boolean> {
    const rows: unknown[] = await this.db.query(
      `UPDATE jobs SET lease_expires_at = now() + make_interval(secs => $3) WHERE id = $1 AND lease_owner = $2 RETURNING id`,
      [jobId, owner, leaseSeconds],
    );
    if (affected(rows) === 0) return false;
    if (orgId) {
      await this.db.query(
        `UPDATE org_locks SET expires_at = now() + make_interval(secs => $3) WHERE org_id = $1 AND job_id = $2`,
        [orgId, jobId, leaseSeconds],
      );
    }
    return true;
  }

  /** Lets go of the job (it stays unfinished) so another attempt can take it. */
  async release(jobId: string, orgId: string | null, owner: string): Promise<void> {
    await this.db.query(
      `UPDATE jobs SET lease_owner = NULL, lease_expires_at = NULL WHERE id = $1 AND lease_owner = $2`,
      [jobId, owner],
    );
    if (orgId) await this.unlockOrg(orgId, jobId);
  }

  async unlockOrg(orgId: string, jobId: string): Promise<void> {
    await this.db.query(`DELETE FROM org_locks WHERE org_id = $1 AND job_id = $2`, [orgId, jobId]);
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
    await this.db.query(`DELETE FROM org_locks`);
  }
}

/** pg answers an UPDATE … RETURNING through TypeORM as [rows, count]; a SELECT as rows. */
export function affected(result: unknown[]): number {
  if (result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') return result[1];
  return result.length;
}

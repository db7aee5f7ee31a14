import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { StandingDeployment } from './release-rules.js';

/** One deployment of a release, as `GET /api/releases/:id` lists it. */
export interface ReleaseDeployment {
  executionId: string;
  environment: string | null;
  mode: 'deploy' | 'rollback';
  status: string;
  finishedAt: Date | null;
}

/**
 * Whether execution `j` still stands: no Completed job holds its claim (`execution_rollbacks`) — a Rollback of it, or
 * a redeployment of another release over it in mode rollback — unless that redeployment was itself undone by a
 * Completed Rollback (which put back what `j` had deployed).
 */
const STANDS = `NOT EXISTS (
  SELECT 1 FROM execution_rollbacks c JOIN jobs u ON u.id = c.rollback_job_id
   WHERE c.execution_id = j.id AND u.status = 'Completed'
     AND NOT (u.kind = 'Deploy' AND EXISTS (
       SELECT 1 FROM jobs v WHERE v.parent_job_id = u.id AND v.kind = 'Rollback' AND v.status = 'Completed')))`;

/** Executions of a pipeline in an environment: what Octopus's "current" and "previous" releases are read from. */
@Injectable()
export class ReleaseHistory {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * The newest deployment of the pipeline standing in the environment (by when it finished); with `otherThan`, the
   * newest standing deployment of a release other than `otherThan.releaseId` (executions of no release left out).
   */
  async newestStanding(
    pipelineId: string,
    environment: string,
    otherThan?: { releaseId: string | null },
  ): Promise<StandingDeployment | null> {
    const rows: { id: string; release_id: string | null; version: string | null; finished_at: Date }[] =
      await this.db.query(
        `SELECT j.id, j.release_id, r.version, j.finished_at
           FROM jobs j LEFT JOIN releases r ON r.id = j.release_id
          WHERE j.pipeline_id = $1 AND j.kind = 'Deploy' AND j.status = 'Completed'
            AND EXISTS (SELECT 1 FROM execution_stages s WHERE s.job_id = j.id AND s.status = 'Completed'
                          AND lower(s.environment) = lower($2))
            AND ${STANDS}
            AND ($3::boolean IS FALSE OR (j.release_id IS NOT NULL AND j.release_id IS DISTINCT FROM $4::uuid))
          ORDER BY j.finished_at DESC LIMIT 1`,
        [pipelineId, environment, otherThan !== undefined, otherThan?.releaseId ?? null],
      );
    const row = rows[0];
    if (!row) return null;
    return {
      executionId: row.id,
      release: row.release_id ? { id: row.release_id, version: row.version ?? '' } : null,
      finishedAt: new Date(row.finished_at),
    };
  }

  /** The newest job of the pipeline (an execution or a rollback) with a stage in the environment that has not finished. */
  async running(pipelineId: string, environment: string): Promise<{ id: string; kind: string; status: string } | null> {
    const rows: { id: string; kind: string; status: string }[] = await this.db.query(
      `SELECT j.id, j.kind, j.status FROM jobs j
        WHERE j.pipeline_id = $1 AND j.status IN ('Queued', 'In Progress')
          AND EXISTS (SELECT 1 FROM execution_stages s WHERE s.job_id = j.id AND lower(s.environment) = lower($2))
        ORDER BY j.created_at DESC LIMIT 1`,
      [pipelineId, environment],
    );
    return rows[0] ?? null;
  }

  /** When the release's newest Completed deployment to the environment finished (rolled back since or not). */
  async lastCompleted(releaseId: string, environment: string): Promise<Date | null> {
    const rows: { finished_at: Date }[] = await this.db.query(
      `SELECT j.finished_at FROM jobs j
        WHERE j.release_id = $1 AND j.kind = 'Deploy' AND j.status = 'Completed'
          AND EXISTS (SELECT 1 FROM execution_stages s WHERE s.job_id = j.id AND lower(s.environment) = lower($2))
        ORDER BY j.finished_at DESC LIMIT 1`,
      [releaseId, environment],
    );
    return rows[0] ? new Date(rows[0].finished_at) : null;
  }

  /** The job holding the execution's claim (a rollback of it, running or Completed), or null. */
  async claimOf(executionId: string): Promise<string | null> {
    const rows: { rollback_job_id: string }[] = await this.db.query(
      `SELECT rollback_job_id FROM execution_rollbacks WHERE execution_id = $1`,
      [executionId],
    );
    return rows[0]?.rollback_job_id ?? null;
  }

  /** Every deployment of the release, newest first, with its environment (that of its stages). */
  async deployments(releaseId: string): Promise<ReleaseDeployment[]> {
    const rows: {
      id: string;
      status: string;
      finished_at: Date | null;
      mode: string | null;
      environment: string | null;
    }[] = await this.db.query(
      `SELECT j.id, j.status, j.finished_at, j.options->'release'->>'mode' AS mode,
              (SELECT s.environment FROM execution_stages s WHERE s.job_id = j.id ORDER BY s.position LIMIT 1)
                AS environment
         FROM jobs j WHERE j.release_id = $1 AND j.kind = 'Deploy' ORDER BY j.created_at DESC`,
      [releaseId],
    );
    return rows.map((r) => ({
      executionId: r.id,
      environment: r.environment,
      mode: r.mode === 'rollback' ? 'rollback' : 'deploy',
      status: r.status,
      finishedAt: r.finished_at ? new Date(r.finished_at) : null,
    }));
  }
}

import crypto from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import type { DataSource, EntityManager, Repository } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';
import type { JobOutcome } from './job-handler.js';
import { plainRows, selectAllBut } from '../database/plain-rows.js';
import { JobChangeFeed } from './job-change-feed.js';
import { Job, type JobKind, type JobProgress } from './job.entity.js';

export interface NewJob {
  kind: JobKind;
  branchId?: string | null;
  orgId?: string | null;
  /** Defaults to the org's infrastructure for an org's job. */
  infrastructureId?: string | null;
  pipelineId?: string | null;
  pipelineVersion?: number | null;
  releaseId?: string | null;
  revisionId?: string | null;
  parentJobId?: string | null;
  options: Record<string, unknown>;
  createdBy: string | null;
  createdByName: string | null;
}

/**
 * Every change to a job row goes through here, and every change bumps `version` (the ETag pollers compare) and is
 * told to every API process (JobChangeFeed) in the same statement. Leases (JobLeases) change no version: nothing
 * shown of a job depends on them.
 */
@Injectable()
export class JobsRepository {
  constructor(
    @InjectRepository(Job) private readonly jobs: Repository<Job>,
    @InjectDataSource() private readonly db: DataSource,
    private readonly changes: JobChangeFeed,
  ) {}

  async create(input: NewJob, manager: EntityManager = this.db.manager): Promise<Job> {
    const infrastructureId =
      input.infrastructureId ?? (input.orgId ? await orgInfrastructure(manager, input.orgId) : null);
    const job = manager.create(Job, {
      id: crypto.randomUUID(),
      kind: input.kind,
      status: 'Queued',
      branchId: input.branchId ?? null,
      orgId: input.orgId ?? null,
      infrastructureId,
      pipelineId: input.pipelineId ?? null,
      pipelineVersion: input.pipelineVersion ?? null,
      releaseId: input.releaseId ?? null,
      revisionId: input.revisionId ?? null,
      parentJobId: input.parentJobId ?? null,
      options: input.options,
      progress: { phase: 'Queued' },
      counts: {},
      state: {},
      createdBy: input.createdBy,
      createdByName: input.createdByName,
    });
    // Inserted without RETURNING: TypeORM asks back every column with a default, the options among them (525 KB for a
    // rollback of 10,000 components), and merges them into the entity; the row is read once instead.
    await manager
      .createQueryBuilder()
      .insert()
      .into(Job)
      .values(job as QueryDeepPartialEntity<Job>)
      .updateEntity(false)
      .execute();
    return manager.findOneByOrFail(Job, { id: job.id });
  }

  /**
   * The child job of `kind` a pipeline stage started (its options carry the stage's id), or null: what makes a
   * stage's child job start at most once, however often the stage is resumed.
   */
  async findForStage(kind: JobKind, stageId: string, manager: EntityManager = this.db.manager): Promise<Job | null> {
    const rows: { id: string }[] = await manager.query(
      `SELECT id FROM jobs WHERE kind = $1 AND options->>'stageId' = $2 ORDER BY created_at LIMIT 1`,
      [kind, stageId],
    );
    return rows[0] ? manager.findOneByOrFail(Job, { id: rows[0].id }) : null;
  }

  /**
   * Creates a stage's child job once: in one transaction holding a lock on the stage id (two resumed calls never
   * both find nothing and both create one), the job a call made before is returned instead of calling `create`.
   */
  onceForStage(
    kind: JobKind,
    stageId: string,
    create: (manager: EntityManager) => Promise<Job>,
  ): Promise<{ job: Job; created: boolean }> {
    return this.db.transaction(async (manager) => {
      await manager.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [stageId]);
      const found = await this.findForStage(kind, stageId, manager);
      if (found) return { job: found, created: false };
      return { job: await create(manager), created: true };
    });
  }

  /**
   * A worker begins (or resumes) the job it claimed: counts the attempt and makes it In Progress. The row is read
   * again without its options, which never change once the job is made: the claimed job's are kept (a rollback of
   * 10,000 components holds 525 KB of names there).
   */
  async startAttempt(claimed: Job): Promise<Job> {
    await this.bump(
      claimed.id,
      `status = 'In Progress', started_at = coalesce(started_at, now()), attempts = attempts + 1`,
      [],
    );
    const [job] = await plainRows(
      selectAllBut(this.jobs.createQueryBuilder('j'), 'options').where('j.id = :id', { id: claimed.id }),
    );
    if (!job) throw new Error(`Job ${claimed.id} is gone`);
    return Object.assign(job, { options: claimed.options });
  }

  async finish(id: string, outcome: JobOutcome): Promise<void> {
    await this.bump(
      id,
      `status = $2, error = $3, finished_at = now(), lease_owner = NULL, lease_expires_at = NULL,
       progress = progress || jsonb_build_object('phase', $2::text)`,
      [outcome.status, outcome.error ?? null],
    );
  }

  /** After a passing fault: the attempt does not count, and the job is not resumed before `retryAt`. */
  deferRetry(id: string, retryAt: Date): Promise<void> {
    return this.bump(
      id,
      `attempts = greatest(attempts - 1, 0), state = state || jsonb_build_object('retryAt', $2::text)`,
      [retryAt.toISOString()],
    );
  }

  /** Records a cancel request on an unfinished job (the handler acts on it); false when the job is finished. */
  async requestCancel(id: string, by: string): Promise<boolean> {
    const changed = await this.changes.update(
      this.db,
      `UPDATE jobs
          SET state = state || jsonb_build_object('cancelRequested', jsonb_build_object('by', $2::text, 'at', now())),
              version = version + 1, updated_at = now()
        WHERE id = $1 AND status IN ('Queued', 'In Progress') RETURNING id`,
      [id, by],
    );
    return changed.length > 0;
  }

  /** Ends a Queued job nobody has taken yet; false when a worker holds it or it is no longer Queued. */
  async finishIfQueued(id: string, outcome: JobOutcome): Promise<boolean> {
    const changed = await this.changes.update(
      this.db,
      `UPDATE jobs SET status = $2, error = $3, finished_at = now(), lease_owner = NULL, lease_expires_at = NULL,
              progress = progress || jsonb_build_object('phase', $2::text), version = version + 1, updated_at = now()
        WHERE id = $1 AND status = 'Queued' AND (lease_owner IS NULL OR lease_expires_at < now()) RETURNING id`,
      [id, outcome.status, outcome.error ?? null],
    );
    return changed.length > 0;
  }

  async cancelRequest(id: string): Promise<{ by: string; at: string } | null> {
    const rows: { cancel: { by: string; at: string } | null }[] = await this.db.query(
      `SELECT state->'cancelRequested' AS cancel FROM jobs WHERE id = $1`,
      [id],
    );
    return rows[0]?.cancel ?? null;
  }

  /**
   * The Salesforce deploy ids other jobs on this org saved over the last day: a deploy whose submit answer was
   * lost is told apart from them.
   */
  async knownAsyncIds(orgId: string, exceptJobId: string): Promise<Set<string>> {
    const rows: { id: string }[] = await this.db.query(
      `SELECT state->>'asyncId' AS id FROM jobs
        WHERE org_id = $1 AND id <> $2 AND state->>'asyncId' IS NOT NULL AND created_at > now() - interval '1 day'`,
      [orgId, exceptJobId],
    );
    return new Set(rows.map((r) => r.id));
  }

  setProgress(id: string, progress: JobProgress): Promise<void> {
    return this.bump(id, `progress = progress || $2::jsonb`, [JSON.stringify(progress)]);
  }

  saveState(id: string, patch: Record<string, unknown>): Promise<void> {
    return this.bump(id, `state = state || $2::jsonb`, [JSON.stringify(patch)]);
  }

  setCounts(id: string, counts: Record<string, number>): Promise<void> {
    return this.bump(id, `counts = $2::jsonb`, [JSON.stringify(counts)]);
  }

  /** A new version of the job with nothing else changed: something shown with it (an execution's stage) changed. */
  async touch(id: string): Promise<void> {
    await this.changes.update(
      this.db,
      `UPDATE jobs SET version = version + 1, updated_at = now() WHERE id = $1 RETURNING id`,
      [id],
    );
  }

  /** Jobs of this org waiting for working credentials resume now (the reconciler takes them within seconds). */
  async resumeWaitingOn(orgId: string): Promise<void> {
    await this.changes.update(
      this.db,
      `UPDATE jobs SET state = state - 'retryAt', version = version + 1, updated_at = now()
        WHERE org_id = $1 AND status = 'In Progress' RETURNING id`,
      [orgId],
    );
  }

  private async bump(id: string, assignments: string, params: unknown[]): Promise<void> {
    await this.changes.update(
      this.db,
      `UPDATE jobs SET ${assignments}, version = version + 1, updated_at = now() WHERE id = $1 RETURNING id`,
      [id, ...params],
    );
  }
}

async function orgInfrastructure(manager: EntityManager, orgId: string): Promise<string | null> {
  const rows: { id: string }[] = await manager.query(`SELECT id FROM infrastructures WHERE org_id = $1`, [orgId]);
  return rows[0]?.id ?? null;
}

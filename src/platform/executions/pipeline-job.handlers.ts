import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { JobContext, JobHandler, JobOutcome, JobWait } from '../../jobs/job-handler.js';
import { JobHandlers } from '../../jobs/job-handlers.registry.js';
import type { Job } from '../../jobs/job.entity.js';
import { executionOptions } from './execution-options.js';
import { runExecution, skip } from './execution-run.js';
import { ExecutionStagesRepository } from './execution-stages.repository.js';
import { releaseClaim } from './rollback-claims.js';
import { runRollback } from './rollback-run.js';
import { StageEngineDeps } from './stage-engine.deps.js';
import { secretValues } from './stage-engine.js';

/** An execution of a pipeline: its stages in order (execution-run.ts). */
@Injectable()
export class PipelineDeployHandler implements JobHandler, OnModuleInit {
  readonly kind = 'Deploy' as const;
  readonly target = 'pipeline' as const;

  constructor(
    private readonly handlers: JobHandlers,
    private readonly stages: ExecutionStagesRepository,
    private readonly deps: StageEngineDeps,
    @InjectDataSource() private readonly db: DataSource,
  ) {}

  onModuleInit(): void {
    this.handlers.register(this);
  }

  async run(ctx: JobContext): Promise<JobOutcome | JobWait> {
    const rows = await this.stages.forJob(ctx.job.id);
    const names = await serviceNames(
      this.db,
      rows.map((r) => r.serviceId),
    );
    const options = executionOptions(ctx.job.options);
    const outcome = await runExecution(
      ctx,
      rows.map((row) => ({ row, serviceName: row.serviceId ? (names.get(row.serviceId) ?? null) : null })),
      {
        artifacts: options.artifacts,
        variables: options.variables,
        pipeline: options.pipelineName,
        executionId: ctx.job.id,
      },
      this.deps,
    );
    // a release redeployed in mode rollback claimed the execution it replaces; a failed one lets go of it
    if (outcome.status === 'Exception') await releaseClaim(this.db, ctx.job.id);
    return outcome;
  }

  /** The infrastructures of its non-salesforce stages (a salesforce stage's child job takes its org's lock). */
  targets(job: Job): Promise<string[]> {
    return this.stages.lockedTargets(job.id);
  }

  /** Ended without an outcome: its stages end, and the claim of a redeployment in mode rollback is released. */
  async afterException(job: Job): Promise<void> {
    await endStages(this.db, this.stages, this.deps, job);
    await releaseClaim(this.db, job.id);
  }
}

/** A rollback of an execution: its stages in reverse order (rollback-run.ts); its claim goes when it fails. */
@Injectable()
export class PipelineRollbackHandler implements JobHandler, OnModuleInit {
  readonly kind = 'Rollback' as const;
  readonly target = 'pipeline' as const;

  constructor(
    private readonly handlers: JobHandlers,
    private readonly stages: ExecutionStagesRepository,
    private readonly deps: StageEngineDeps,
    @InjectDataSource() private readonly db: DataSource,
  ) {}

  onModuleInit(): void {
    this.handlers.register(this);
  }

  async run(ctx: JobContext): Promise<JobOutcome | JobWait> {
    const rows = await this.stages.forJob(ctx.job.id);
    const sources = await this.stages.byIds(rows.map((r) => r.sourceStageId!).filter(Boolean));
    const outcome = await runRollback(
      ctx,
      rows.map((row) => ({ row, source: sources.get(row.sourceStageId!)! })),
      Boolean(ctx.job.options.force),
      this.deps,
      await this.secretsOf(ctx.job.parentJobId),
    );
    if (outcome.status === 'Exception') await releaseClaim(this.db, ctx.job.id);
    return outcome;
  }

  targets(job: Job): Promise<string[]> {
    return this.stages.lockedTargets(job.id);
  }

  /** The secret values of the execution being rolled back (its variables), for the stage log's masking. */
  private async secretsOf(executionId: string | null): Promise<string[]> {
    if (!executionId) return [];
    const rows: { options: Record<string, unknown> }[] = await this.db.query(`SELECT options FROM jobs WHERE id = $1`, [
      executionId,
    ]);
    return rows[0] ? secretValues(executionOptions(rows[0].options).variables) : [];
  }

  /** Ended without an outcome (an error, too many attempts, a cancel while Queued): it can be asked for again. */
  async afterException(job: Job): Promise<void> {
    await endStages(this.db, this.stages, this.deps, job);
    await releaseClaim(this.db, job.id);
  }
}

/** A job ended by the runner: its running stage ends in Exception with the job's error, the others are Skipped. */
async function endStages(db: DataSource, stages: ExecutionStagesRepository, deps: StageEngineDeps, job: Job) {
  const rows = await stages.forJob(job.id);
  const found: { error: string | null }[] = await db.query(`SELECT error FROM jobs WHERE id = $1`, [job.id]);
  const error = found[0]?.error ?? 'The job ended before this stage finished.';
  for (const row of rows.filter((r) => r.status === 'In Progress'))
    await stages.update(row, { status: 'Exception', error, finishedAt: new Date() });
  await skip(
    rows.map((row) => ({ row })),
    'the job ended in Exception',
    deps,
  );
}

/** Service names by id (removed services included: an execution keeps what it deployed). */
export async function serviceNames(db: DataSource, ids: (string | null)[]): Promise<Map<string, string>> {
  const wanted = [...new Set(ids.filter((id): id is string => Boolean(id)))];
  if (!wanted.length) return new Map();
  const rows: { id: string; name: string }[] = await db.query(`SELECT id, name FROM services WHERE id = ANY($1)`, [
    wanted,
  ]);
  return new Map(rows.map((r) => [r.id, r.name]));
}

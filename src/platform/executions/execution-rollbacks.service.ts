import crypto from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import type { Principal, Scope } from '../../auth/permissions.js';
import { ConflictError } from '../../common/errors.js';
import { CONFIG } from '../../config/config.module.js';
import type { Config } from '../../config/config.js';
import { JobLogWriter } from '../../jobs/job-log.writer.js';
import type { Job } from '../../jobs/job.entity.js';
import { JobsRepository } from '../../jobs/jobs.repository.js';
import { enqueueSaved, JOB_QUEUE, type JobQueue } from '../../queue/job-queue.js';
import { PlatformProviders } from '../provider-registry.js';
import { standingDeployments } from './current-deployments.js';
import type { ExecutionRollbackOptions } from './execution-options.js';
import {
  executionRollbackability,
  type ExecutionRollbackFacts,
  type ExecutionRollbackVerdict,
} from './execution-rollbackability.js';
import { ExecutionStage } from './execution-stage.entity.js';
import { ExecutionStagesRepository } from './execution-stages.repository.js';
import { claimExecution, lostClaimRace, refuseUnless } from './rollback-claims.js';
import { ExecutionsService } from './executions.service.js';
import { engineState, recordedOf } from './stage-engine.js';

/** Who a Rollback is recorded as started by: a token, or an SLO rollback policy (no token). */
export interface StartedBy {
  tokenId: string | null;
  name: string;
}

export const StartExecutionRollbackBody = z.strictObject({
  force: z.boolean().optional(),
  acceptDataLoss: z.boolean().optional(),
});

/** The rollback of an execution: whether it is available (and why not), what each stage will do, and starting it. */
@Injectable()
export class ExecutionRollbacksService {
  private readonly logger = new Logger('ExecutionRollbacks');

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(CONFIG) private readonly config: Pick<Config, 'SNAPSHOT_RETENTION_DAYS'>,
    @Inject(JOB_QUEUE) private readonly queue: JobQueue,
    private readonly jobWrites: JobsRepository,
    private readonly stages: ExecutionStagesRepository,
    private readonly executions: ExecutionsService,
    private readonly providers: PlatformProviders,
  ) {}

  /** The rules of issue 13 applied to the execution as it is now, for this principal. */
  async verdict(execution: Job, principal: Scope): Promise<ExecutionRollbackVerdict> {
    const stages = await this.stages.forJob(execution.id);
    return executionRollbackability(
      await this.facts(execution, stages),
      principal,
      this.config.SNAPSHOT_RETENTION_DAYS,
    );
  }

  /** `GET /api/executions/:id/rollback`: available with what each stage will do, or the refusal. */
  async offer(execution: Job, principal: Principal) {
    const verdict = await this.verdict(execution, principal);
    if (!verdict.available) return verdict;
    const stages = rolledBack(await this.stages.forJob(execution.id));
    const names: { id: string; name: string }[] = stages.length
      ? await this.db.query(`SELECT id, name FROM infrastructures WHERE id = ANY($1)`, [
          [...new Set(stages.map((s) => s.infrastructureId))],
        ])
      : [];
    const infrastructureName = new Map(names.map((r) => [r.id, r.name]));
    return {
      available: true as const,
      stages: await Promise.all(
        stages.map(async (stage) => ({
          name: stage.name,
          kind: stage.kind,
          action: await this.action(stage, infrastructureName.get(stage.infrastructureId) ?? stage.infrastructureId),
        })),
      ),
    };
  }

  /**
   * Queues the Rollback: the rules first (403, 409, 410), then in one transaction the job, its stage rows (reverse
   * order, only stages that started) and the claim — of concurrent requests exactly one inserts it, the others 409.
   */
  async start(execution: Job, body: z.infer<typeof StartExecutionRollbackBody>, principal: Principal): Promise<Job> {
    return this.begin(execution, body, principal, { tokenId: principal.tokenId, name: principal.name }, []);
  }

  /**
   * The Rollback an SLO rollback policy starts (issue 16, src/slo): the same rules and the same claim as
   * `POST /api/executions/:id/rollback` — so of a manual and an automatic request at once exactly one starts — with
   * `scope` in place of a caller, recorded as started by `startedBy` and with `log` (which alert or evaluation, which
   * values) at the head of the job's log.
   */
  async startAutomatic(execution: Job, scope: Scope, startedBy: StartedBy, log: string[]): Promise<Job> {
    return this.begin(execution, {}, scope, startedBy, log);
  }

  private async begin(
    execution: Job,
    body: z.infer<typeof StartExecutionRollbackBody>,
    principal: Scope,
    by: StartedBy,
    log: string[],
  ): Promise<Job> {
    refuseUnless(await this.verdict(execution, principal));
    const all = await this.stages.forJob(execution.id);
    const stages = rolledBack(all);
    const notStarted = all.filter((s) => !stages.includes(s));
    const options: ExecutionRollbackOptions = {
      force: body.force ?? false,
      acceptDataLoss: body.acceptDataLoss ?? false,
      pipelineName: typeof execution.options.pipelineName === 'string' ? execution.options.pipelineName : '',
    };
    let job: Job;
    try {
      job = await this.db.transaction(async (manager) => {
        const created = await this.jobWrites.create(
          {
            kind: 'Rollback',
            pipelineId: execution.pipelineId,
            pipelineVersion: execution.pipelineVersion,
            parentJobId: execution.id,
            options: options as unknown as Record<string, unknown>,
            createdBy: by.tokenId,
            createdByName: by.name,
          },
          manager,
        );
        const rows = stages.map((source, position) =>
          manager.create(ExecutionStage, {
            id: crypto.randomUUID(),
            jobId: created.id,
            position,
            name: source.name,
            kind: source.kind,
            serviceId: source.serviceId,
            infrastructureId: source.infrastructureId,
            environment: source.environment,
            spec: source.spec,
            rollbackSteps: source.rollbackSteps,
            failureStrategy: source.failureStrategy,
            status: 'Queued',
            artifact: null,
            outputs: {},
            rollbackData: null,
            state: { engine: { progressDeadlineSeconds: engineState(source).progressDeadlineSeconds } },
            sourceStageId: source.id,
            childJobId: null,
            error: null,
            startedAt: null,
            finishedAt: null,
          }),
        );
        if (rows.length) await manager.save(ExecutionStage, rows);
        await claimExecution(manager, execution.id, created.id);
        return created;
      });
    } catch (error) {
      if (!lostClaimRace(error)) throw error;
      // another request claimed it a moment ago: the same refusal a later request gets
      refuseUnless(await this.verdict(execution, principal));
      throw new ConflictError('Another rollback of this execution started a moment ago; reload the execution.');
    }
    await this.logStart(job, stages, notStarted, log);
    await enqueueSaved(this.queue, job.id, (m) => this.logger.warn(m));
    return job;
  }

  private async logStart(
    job: Job,
    stages: ExecutionStage[],
    notStarted: ExecutionStage[],
    log: string[],
  ): Promise<void> {
    const writer = await JobLogWriter.open(this.db, job.id);
    for (const line of log) writer.write('info', line);
    writer.write(
      'info',
      `Rolls back execution ${job.parentJobId}: ${stages.map((s) => `"${s.name}"`).join(', ') || 'no stage'}, in this order, from what it recorded.`,
    );
    for (const stage of notStarted)
      writer.write('info', `Stage "${stage.name}" never started in the execution: not rolled back.`);
    await writer.flush();
  }

  /** The facts of executionRollbackability from the rows. */
  private async facts(execution: Job, stages: ExecutionStage[]): Promise<ExecutionRollbackFacts> {
    const claims: { rollback_job_id: string; kind: 'Deploy' | 'Rollback' }[] = await this.db.query(
      `SELECT c.rollback_job_id, j.kind FROM execution_rollbacks c JOIN jobs j ON j.id = c.rollback_job_id
        WHERE c.execution_id = $1`,
      [execution.id],
    );
    const superseded: ExecutionRollbackFacts['superseded'] = [];
    if (execution.kind === 'Deploy' && execution.status === 'Completed') {
      for (const stage of stages) {
        if (stage.status !== 'Completed' || !stage.serviceId) continue;
        const [current] = await standingDeployments(this.db, stage.serviceId, stage.infrastructureId, { limit: 1 });
        if (!current || current.executionId === execution.id) continue;
        const [names]: { service: string; infrastructure: string }[] = await this.db.query(
          `SELECT (SELECT name FROM services WHERE id = $1) AS service,
                  (SELECT name FROM infrastructures WHERE id = $2) AS infrastructure`,
          [stage.serviceId, stage.infrastructureId],
        );
        superseded.push({
          stage: stage.name,
          service: names?.service ?? stage.serviceId,
          infrastructure: names?.infrastructure ?? stage.infrastructureId,
          currentExecutionId: current.executionId,
        });
      }
    }
    return {
      id: execution.id,
      kind: execution.kind,
      status: execution.status,
      finishedAt: execution.finishedAt,
      ignoredFailures: stages
        .filter((s) => s.status === 'Exception' && s.failureStrategy === 'ignore')
        .map((s) => s.name),
      rollbackJobId: claims[0]?.rollback_job_id ?? null,
      rollbackJobKind: claims[0]?.kind ?? null,
      superseded,
      environments: stages.map((s) => s.environment),
    };
  }

  /** The sentence saying what rolling the stage back does, from what the execution recorded. */
  private async action(stage: ExecutionStage, infrastructure: string): Promise<string> {
    if (this.executions.isFirstDeployment(stage)) return 'delete what the first deployment created';
    if (stage.childJobId) return `roll back Deploy job ${stage.childJobId} of org ${infrastructure} (all components)`;
    const [previous] =
      stage.serviceId && stage.finishedAt
        ? await standingDeployments(this.db, stage.serviceId, stage.infrastructureId, {
            limit: 1,
            before: stage.finishedAt,
          })
        : [];
    let revision: string | null = null;
    try {
      revision = this.providers.get(stage.kind as never).describeRollbackTarget?.(recordedOf(stage).data) ?? null;
    } catch {
      revision = null;
    }
    if (revision && previous?.artifact) return `roll back to ${revision} (${previous.artifact})`;
    if (revision) return `roll back to ${revision}`;
    if (previous?.artifact) return `roll back to ${previous.artifact} (as execution ${previous.executionId} left it)`;
    return 'put back what ran before this execution';
  }
}

/** Stages the rollback runs: those the execution started (they captured rollback data), in reverse order. */
function rolledBack(stages: ExecutionStage[]): ExecutionStage[] {
  return stages.filter((s) => s.rollbackData !== null).reverse();
}

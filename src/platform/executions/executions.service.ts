import crypto from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import type { DataSource, EntityManager, Repository } from 'typeorm';
import { z } from 'zod';
import { assertCan } from '../../auth/auth.guard.js';
import type { Principal } from '../../auth/permissions.js';
import { BadRequestError, NotFoundError } from '../../common/errors.js';
import { Job } from '../../jobs/job.entity.js';
import { JobsRepository } from '../../jobs/jobs.repository.js';
import { JobsService } from '../../jobs/jobs.service.js';
import { enqueueSaved, JOB_QUEUE, type JobQueue } from '../../queue/job-queue.js';
import type { PipelineDefinition, StageDefinition } from '../pipelines/definition.js';
import { expressionsIn } from '../pipelines/expressions.js';
import type { Pipeline } from '../pipelines/pipeline.entity.js';
import { PipelinesService } from '../pipelines/pipelines.service.js';
import { PlatformProviders } from '../provider-registry.js';
import { pinnedVersion, type StageRelease } from '../provider.js';
import { executionOptions, type ExecutionOptions } from './execution-options.js';
import { presentExecution, presentExecutionLog, type ExecutionNames } from './execution-presentation.js';
import { ExecutionStage } from './execution-stage.entity.js';
import { ExecutionStagesRepository } from './execution-stages.repository.js';
import { STAGE_COMPONENT_PREFIX } from './stage-engine.js';

export const CreateExecutionBody = z.strictObject({
  artifacts: z.record(z.string().trim().min(1), z.string().trim().min(1).max(1000)).optional(),
  variables: z.record(z.string().trim().min(1), z.string().max(10_000)).optional(),
});
export type CreateExecutionBody = z.infer<typeof CreateExecutionBody>;

export const ListExecutionsQuery = z.strictObject({
  pipeline: z.uuid().optional(),
  service: z.uuid().optional(),
  environment: z.string().trim().min(1).optional(),
  infrastructure: z.uuid().optional(),
  kind: z.enum(['Deploy', 'Rollback']).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  before: z.coerce.date().optional(),
});

export const ExecutionLogsQuery = z.strictObject({
  stage: z.string().min(1).optional(),
  after: z.coerce.number().int().min(0).optional(),
  limit: z.coerce.number().int().min(1).max(5000).optional(),
});

/** What one execution runs: stages of one version of a pipeline, with the artifacts and variables it was given. */
export interface ExecutionPlan {
  pipeline: Pick<Pipeline, 'id' | 'name'>;
  version: number;
  /** All the version's stages, or (a release's deployment) those in one environment; in order. */
  stages: StageDefinition[];
  artifacts: Record<string, string>;
  variables: Record<string, string>;
}

interface InfrastructureRow {
  id: string;
  name: string;
  environment: string;
  kind: string;
  deleted_at: Date | null;
}

/** Executions of pipelines (Deploy jobs with stage rows) and their rollbacks: starting them and reading them. */
@Injectable()
export class ExecutionsService {
  private readonly logger = new Logger('ExecutionsService');

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @InjectRepository(Job) private readonly jobRows: Repository<Job>,
    @Inject(JOB_QUEUE) private readonly queue: JobQueue,
    private readonly jobs: JobsService,
    private readonly jobWrites: JobsRepository,
    private readonly stages: ExecutionStagesRepository,
    private readonly pipelines: PipelinesService,
    private readonly providers: PlatformProviders,
  ) {}

  /**
   * Queues an execution of the pipeline's latest version: `deploy` in every stage's environment, artifacts and
   * variables checked, then the Deploy job with all its stages (start).
   */
  async create(pipelineId: string, body: CreateExecutionBody, principal: Principal): Promise<Job> {
    const { pipeline, version, definition } = await this.pipelines.latest(pipelineId);
    const infrastructures = await this.deployable(pipeline.id, definition.stages, principal);
    const inputs = await this.checkedInputs(definition, body);
    return this.start({ pipeline, version, stages: definition.stages, ...inputs }, infrastructures, principal);
  }

  /**
   * Queues a deployment of a release (src/platform/releases): the stages it runs of the release's pipeline version,
   * with the release's artifacts and variables, the job's `release_id` and `options.release`. `within` runs in the
   * transaction that creates the job (a redeployment in mode rollback claims the execution it replaces there).
   */
  async createForRelease(
    plan: ExecutionPlan & { release: StageRelease },
    principal: Principal,
    within?: (manager: EntityManager, job: Job) => Promise<void>,
  ): Promise<Job> {
    const infrastructures = await this.deployable(plan.pipeline.id, plan.stages, principal);
    return this.start(plan, infrastructures, principal, within);
  }

  /**
   * The artifacts (by service name) and variables an execution of `definition` runs with, checked: an artifact naming
   * no service of the pipeline, an undeclared variable, or a missing artifact that a stage's `<+artifact.image>` needs
   * is a 400. Variables are the declared ones overridden by those given. (A release is checked the same way.)
   */
  async checkedInputs(
    definition: PipelineDefinition,
    body: CreateExecutionBody,
  ): Promise<{ artifacts: Record<string, string>; variables: Record<string, string> }> {
    const services = await this.serviceRows(definition.stages.map((s) => s.serviceId));
    const artifacts = this.artifactsByService(body.artifacts ?? {}, definition.stages, services);
    const variables = { ...definition.variables };
    for (const [name, value] of Object.entries(body.variables ?? {})) {
      if (!Object.hasOwn(definition.variables, name)) {
        const known = Object.keys(definition.variables);
        throw new BadRequestError(
          `variables.${name}: the pipeline declares no variable "${name}" (${known.length ? `it declares ${known.join(', ')}` : 'it declares none'}); declare it in the pipeline's variables first.`,
        );
      }
      variables[name] = value;
    }
    for (const stage of definition.stages) {
      const service = services.get(stage.serviceId)?.name;
      const needs = expressionsIn([stage.spec, stage.rollbackSteps]).includes('artifact.image');
      if (needs && !(service && artifacts[service]))
        throw new BadRequestError(
          `Stage "${stage.name}" uses <+artifact.image>, but no artifact was given for service "${service ?? stage.serviceId}"; send artifacts: {"${service ?? 'SERVICE'}": "image:tag"}.`,
        );
    }
    return { artifacts, variables };
  }

  /**
   * The infrastructures of the stages, checked before anything else: `deploy` in every stage's environment (403), and
   * a stage on a removed infrastructure is a 400.
   */
  private async deployable(
    pipelineId: string,
    stages: StageDefinition[],
    principal: Principal,
  ): Promise<Map<string, InfrastructureRow>> {
    const infrastructures = await this.infrastructureRows(stages.map((s) => s.infrastructureId));
    for (const stage of stages) {
      const infrastructure = infrastructures.get(stage.infrastructureId);
      if (!infrastructure || infrastructure.deleted_at)
        throw new BadRequestError(
          `Stage "${stage.name}" deploys to infrastructure ${stage.infrastructureId}, which was removed; change the pipeline (PUT /api/pipelines/${pipelineId}).`,
        );
      assertCan(principal, 'deploy', infrastructure.environment);
    }
    return infrastructures;
  }

  /**
   * The one way an execution starts (its stages checked by `deployable`): the Deploy job and one stage row per stage
   * (spec unresolved until the stage runs) in one transaction, then the queue.
   */
  private async start(
    plan: ExecutionPlan & { release?: StageRelease },
    infrastructures: Map<string, InfrastructureRow>,
    principal: Principal,
    within?: (manager: EntityManager, job: Job) => Promise<void>,
  ): Promise<Job> {
    const { pipeline, version, stages, artifacts, variables, release } = plan;
    const services = await this.serviceRows(stages.map((s) => s.serviceId));
    const options: ExecutionOptions = {
      artifacts,
      variables,
      pipelineName: pipeline.name,
      ...(release ? { release } : {}),
    };
    const job = await this.db.transaction(async (manager) => {
      const created = await this.jobWrites.create(
        {
          kind: 'Deploy',
          pipelineId: pipeline.id,
          pipelineVersion: version,
          releaseId: release?.id ?? null,
          options: options as unknown as Record<string, unknown>,
          createdBy: principal.tokenId,
          createdByName: principal.name,
        },
        manager,
      );
      const rows = stages.map((stage, position) => {
        const service = services.get(stage.serviceId)?.name;
        return manager.create(ExecutionStage, {
          id: crypto.randomUUID(),
          jobId: created.id,
          position,
          name: stage.name,
          kind: stage.kind,
          serviceId: stage.serviceId,
          infrastructureId: stage.infrastructureId,
          environment: infrastructures.get(stage.infrastructureId)!.environment,
          spec: stage.spec,
          rollbackSteps: stage.rollbackSteps,
          failureStrategy: stage.failureStrategy,
          status: 'Queued',
          artifact: (service ? artifacts[service] : undefined) ?? pinnedPackage(stage.spec, release) ?? null,
          outputs: {},
          rollbackData: null,
          state: {
            engine: { progressDeadlineSeconds: stage.progressDeadlineSeconds },
          },
          sourceStageId: null,
          childJobId: null,
          error: null,
          startedAt: null,
          finishedAt: null,
        });
      });
      await manager.save(ExecutionStage, rows);
      await within?.(manager, created);
      return created;
    });
    await enqueueSaved(this.queue, job.id, (m) => this.logger.warn(m));
    return job;
  }

  /** An execution or rollback of a pipeline (404 for any other job). */
  async get(id: string): Promise<Job> {
    const job = await this.jobRows.findOneBy({ id });
    if (!job?.pipelineId) throw new NotFoundError('Execution', id);
    return job;
  }

  /** An execution the principal may read: `read` in the environment of every stage (403 naming one otherwise). */
  async getReadable(id: string, principal: Principal): Promise<Job> {
    const job = await this.get(id);
    await this.jobs.getReadable(id, principal);
    return job;
  }

  /** Only the version of a readable execution (null: no such execution), for the cheapest 304. */
  async readableVersion(id: string, principal: Principal): Promise<number | null> {
    const rows: { version: number }[] = await this.db.query(
      `SELECT version FROM jobs WHERE id = $1 AND pipeline_id IS NOT NULL`,
      [id],
    );
    if (!rows[0]) return null;
    return this.jobs.readableVersion(id, principal);
  }

  /** Executions and rollbacks, newest first, only those whose every stage is in the principal's environments. */
  async list(query: z.infer<typeof ListExecutionsQuery>, principal: Principal): Promise<Job[]> {
    const qb = this.jobRows.createQueryBuilder('j').where('j.pipeline_id IS NOT NULL');
    const stage = (condition: string) =>
      `EXISTS (SELECT 1 FROM execution_stages s WHERE s.job_id = j.id AND ${condition})`;
    if (query.pipeline) qb.andWhere('j.pipeline_id = :pipeline', { pipeline: query.pipeline });
    if (query.kind) qb.andWhere('j.kind = :kind', { kind: query.kind });
    if (query.service) qb.andWhere(stage('s.service_id = :service'), { service: query.service });
    if (query.infrastructure)
      qb.andWhere(stage('s.infrastructure_id = :infrastructure'), { infrastructure: query.infrastructure });
    if (query.environment)
      qb.andWhere(stage('lower(s.environment) = lower(:environment)'), { environment: query.environment });
    if (principal.environments)
      qb.andWhere(`NOT ${stage('NOT (lower(s.environment) = ANY(:environments))')}`, {
        environments: principal.environments.map((e) => e.toLowerCase()),
      });
    if (query.before) qb.andWhere('j.created_at < :before', { before: query.before });
    return qb.orderBy('j.created_at', 'DESC').limit(query.limit).getMany();
  }

  /** `Execution` of docs/platform-api.md for each job. */
  async present(jobs: Job[]) {
    const byJob = await this.stages.forJobs(jobs.map((j) => j.id));
    const all = [...byJob.values()].flat();
    const sources = await this.stages.byIds(all.map((s) => s.sourceStageId).filter((id): id is string => !!id));
    const services = await this.serviceRows(all.map((s) => s.serviceId));
    const infrastructures = await this.infrastructureRows(all.map((s) => s.infrastructureId));
    const rollbacks = await this.latestRollbacks(jobs.filter((j) => j.kind === 'Deploy').map((j) => j.id));
    const pipelineNames = await this.pipelineNames(jobs.map((j) => j.pipelineId!));
    const releaseVersions = await this.releaseVersions(jobs.map((j) => j.releaseId));
    return jobs.map((job) => {
      const stages = byJob.get(job.id) ?? [];
      const names: ExecutionNames = {
        pipelineName:
          (typeof job.options.pipelineName === 'string' ? job.options.pipelineName : null) ??
          pipelineNames.get(job.pipelineId!) ??
          '',
        services: new Map([...services].map(([id, s]) => [id, { id, name: s.name }])),
        infrastructures: new Map(
          [...infrastructures].map(([id, i]) => [id, { id, name: i.name, environment: i.environment, kind: i.kind }]),
        ),
        rollbackJobId: rollbacks.get(job.id) ?? null,
        firstDeployment: new Map(
          stages.map((s) => [s.id, this.isFirstDeployment(s.sourceStageId ? sources.get(s.sourceStageId) : s)]),
        ),
        release: job.releaseId
          ? {
              id: job.releaseId,
              version: releaseVersions.get(job.releaseId) ?? '',
              mode: executionOptions(job.options).release?.mode ?? 'deploy',
            }
          : null,
      };
      return presentExecution(job, stages, names);
    });
  }

  async presentOne(job: Job) {
    return (await this.present([job]))[0]!;
  }

  /** The execution's log lines, of one stage or all; a stage it does not have is a 400 naming its stages. */
  async logs(job: Job, query: z.infer<typeof ExecutionLogsQuery>) {
    const lines = await this.jobs.listLogs(job.id, {
      component: await this.stageComponent(job, query.stage),
      after: query.after,
      limit: query.limit,
    });
    return lines.map(presentExecutionLog);
  }

  /** The log component of `stage` (checked against the execution's stages), undefined for all lines. */
  async stageComponent(job: Job, stage: string | undefined): Promise<string | undefined> {
    if (stage === undefined) return undefined;
    const names = (await this.stages.forJob(job.id)).map((s) => s.name);
    if (!names.includes(stage))
      throw new BadRequestError(
        `stage: "${stage}" is not a stage of this ${job.kind}; its stages: ${names.join(', ')}.`,
      );
    return `${STAGE_COMPONENT_PREFIX}${stage}`;
  }

  /** Whether the stage's captured data says it created everything it touches (false before it captured). */
  isFirstDeployment(stage: ExecutionStage | undefined): boolean {
    if (!stage?.rollbackData) return false;
    try {
      return this.providers.get(stage.kind as never).isFirstDeployment(stage.rollbackData);
    } catch {
      return false;
    }
  }

  /**
   * The artifact given for each service, keyed by the service's name as it is spelled (names match
   * case-insensitively); one naming no service of the pipeline is a 400 listing those it deploys.
   */
  private artifactsByService(
    given: Record<string, string>,
    stages: { serviceId: string }[],
    services: Map<string, { name: string }>,
  ): Record<string, string> {
    const names = [...new Set(stages.map((s) => services.get(s.serviceId)?.name).filter((n): n is string => !!n))];
    const out: Record<string, string> = {};
    for (const [key, image] of Object.entries(given)) {
      const name = names.find((n) => n.toLowerCase() === key.toLowerCase());
      if (!name)
        throw new BadRequestError(
          `artifacts.${key}: no stage of this pipeline deploys a service named "${key}" (it deploys ${names.join(', ') || 'none'}).`,
        );
      out[name] = image;
    }
    return out;
  }

  private async infrastructureRows(ids: string[]): Promise<Map<string, InfrastructureRow>> {
    const wanted = [...new Set(ids)];
    if (!wanted.length) return new Map();
    const rows: InfrastructureRow[] = await this.db.query(
      `SELECT id, name, environment, kind, deleted_at FROM infrastructures WHERE id = ANY($1)`,
      [wanted],
    );
    return new Map(rows.map((r) => [r.id, r]));
  }

  private async serviceRows(ids: (string | null)[]): Promise<Map<string, { name: string }>> {
    const wanted = [...new Set(ids.filter((id): id is string => !!id))];
    if (!wanted.length) return new Map();
    const rows: { id: string; name: string }[] = await this.db.query(
      `SELECT id, name FROM services WHERE id = ANY($1)`,
      [wanted],
    );
    return new Map(rows.map((r) => [r.id, { name: r.name }]));
  }

  private async pipelineNames(ids: string[]): Promise<Map<string, string>> {
    const wanted = [...new Set(ids)];
    if (!wanted.length) return new Map();
    const rows: { id: string; name: string }[] = await this.db.query(
      `SELECT id, name FROM pipelines WHERE id = ANY($1)`,
      [wanted],
    );
    return new Map(rows.map((r) => [r.id, r.name]));
  }

  private async releaseVersions(ids: (string | null)[]): Promise<Map<string, string>> {
    const wanted = [...new Set(ids.filter((id): id is string => !!id))];
    if (!wanted.length) return new Map();
    const rows: { id: string; version: string }[] = await this.db.query(
      `SELECT id, version FROM releases WHERE id = ANY($1)`,
      [wanted],
    );
    return new Map(rows.map((r) => [r.id, r.version]));
  }

  /** The latest Rollback started for each execution. */
  private async latestRollbacks(executionIds: string[]): Promise<Map<string, string>> {
    if (!executionIds.length) return new Map();
    const rows: { parent_job_id: string; id: string }[] = await this.db.query(
      `SELECT DISTINCT ON (parent_job_id) parent_job_id, id FROM jobs
        WHERE parent_job_id = ANY($1) AND kind = 'Rollback' AND pipeline_id IS NOT NULL
        ORDER BY parent_job_id, created_at DESC`,
      [executionIds],
    );
    return new Map(rows.map((r) => [r.parent_job_id, r.id]));
  }
}

/** What a stage deploying a package of the release runs (`web@1.1.21`), shown until the stage names its artifact. */
function pinnedPackage(spec: Record<string, unknown>, release: StageRelease | undefined): string | null {
  const name = typeof spec.package === 'string' ? spec.package : null;
  const pinned = name && release ? pinnedVersion(release, name) : null;
  return pinned ? `${name}@${pinned.version}` : null;
}

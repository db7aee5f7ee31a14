import { Injectable, type OnModuleInit } from '@nestjs/common';
import { AppError } from '../../common/errors.js';
import { DeploymentsService } from '../../deployments/deployments.service.js';
import type { Job } from '../../jobs/job.entity.js';
import { JobsService } from '../../jobs/jobs.service.js';
import { RollbacksService } from '../../rollbacks/rollbacks.service.js';
import { PlatformProviders } from '../provider-registry.js';
import {
  StageFailed,
  StageWait,
  type InstanceView,
  type PlatformProvider,
  type RecordedStage,
  type StageContext,
  type StageHealth,
} from '../provider.js';
import { childJobVerdict } from './child-job.js';
import {
  parseSalesforceSpec,
  salesforceArtifact,
  specRevision,
  targetOrgId,
  type SalesforceStageSpec,
} from './salesforce-stage-spec.js';

/** What a `salesforce` stage captures: nothing to read (its Deploy job backs the org up itself); the org, on record. */
export interface SalesforceRollbackData {
  orgId: string;
}

/**
 * A `salesforce` stage's outputs. Its deploy: the Deploy job it ran and what it deployed. Its rollback: the Rollback
 * job of all components it ran (null when the deploy changed nothing, so there was nothing to roll back).
 */
export interface SalesforceStageOutputs {
  deployJobId?: string;
  revision?: number | null;
  branchId?: string | null;
  orgId?: string | null;
  components?: number;
  rollbackJobId?: string | null;
}

/** Set in the rollback stage's state by the engine before it calls `rollback` (POST …/rollback {force}). */
interface SalesforceRollbackState {
  /** The Deploy or Rollback job this call started (saved right after it was created). */
  childJobId?: string | null;
}

/** How soon the engine asks again about a child job that is still running. */
const CHILD_RETRY_MS = 1_000;

/**
 * Salesforce as a stage kind (issue 13): a stage runs the existing Deploy job with backup of a branch revision on an
 * org, and rolls back with that deploy's rollback of all components. Both are child jobs (their own logs, component
 * rows and org lock), started through the services — never through HTTP — at most once per stage: the job's
 * options carry the stage id, and the id is saved in the stage's state right after. While a child job runs the
 * stage waits (StageWait: the worker is let go); when it ended in Exception the stage fails with its sentence.
 */
@Injectable()
export class SalesforceStageProvider
  implements PlatformProvider<SalesforceStageSpec, SalesforceRollbackData, SalesforceStageOutputs>, OnModuleInit
{
  readonly kind = 'salesforce' as const;

  constructor(
    private readonly providers: PlatformProviders,
    private readonly deployments: DeploymentsService,
    private readonly rollbacks: RollbacksService,
    private readonly jobs: JobsService,
  ) {}

  onModuleInit(): void {
    this.providers.register(this);
  }

  parseSpec(spec: unknown): SalesforceStageSpec {
    return parseSalesforceSpec(spec);
  }

  artifactOf(spec: SalesforceStageSpec): string {
    return salesforceArtifact(spec);
  }

  /** Reads nothing: the child Deploy job takes the pre-deployment backup snapshot itself. */
  capture(ctx: StageContext, _spec: SalesforceStageSpec): Promise<SalesforceRollbackData> {
    return Promise.resolve({ orgId: targetOrgId(ctx.target) });
  }

  /** A Salesforce deploy never rolls back by removing everything: its rollback restores the backup. */
  isFirstDeployment(): boolean {
    return false;
  }

  async deploy(
    ctx: StageContext,
    spec: SalesforceStageSpec,
    _data: SalesforceRollbackData,
  ): Promise<SalesforceStageOutputs> {
    const orgId = targetOrgId(ctx.target);
    const job = await this.childJob(ctx, () =>
      this.deployments.startForStage(
        spec.branch,
        orgId,
        { revision: specRevision(spec), testLevel: spec.testLevel, runTests: spec.runTests },
        { stageId: ctx.stageId, startedBy: ctx.startedBy },
      ),
    );
    if (!job) throw new StageFailed('The Deploy job of this stage could not be started.');
    this.settle(job);
    return {
      deployJobId: job.id,
      revision: await this.jobs.revisionNumber(job.revisionId),
      branchId: job.branchId,
      orgId: job.orgId,
      components: job.counts.total ?? 0,
    };
  }

  /** Steady once the child job (the deploy, or the rollback for a rollback's outputs) is Completed. */
  async status(_ctx: StageContext, _spec: SalesforceStageSpec, outputs: SalesforceStageOutputs): Promise<StageHealth> {
    const id = 'rollbackJobId' in outputs ? outputs.rollbackJobId : outputs.deployJobId;
    if (!id) return { steady: true };
    const verdict = childJobVerdict(facts(await this.jobs.get(id)));
    if (verdict.kind === 'done') return { steady: true };
    if (verdict.kind === 'failed') return { steady: false, reason: verdict.error, failed: true };
    return { steady: false, reason: verdict.reason };
  }

  /**
   * What the Salesforce rollback would refuse before it is queued: components later deploys changed. Drift made
   * outside Backtrack is found by the child Rollback job's own check (it reads the org), which ends it in Exception
   * unless `force`, failing the stage with its sentence.
   */
  async drift(
    _ctx: StageContext,
    recorded: RecordedStage<SalesforceStageSpec, SalesforceRollbackData, SalesforceStageOutputs>,
  ): Promise<string[]> {
    const deployJobId = recorded.outputs.deployJobId;
    return deployJobId ? this.rollbacks.laterChangeRefusals(deployJobId) : [];
  }

  async rollback(
    ctx: StageContext,
    recorded: RecordedStage<SalesforceStageSpec, SalesforceRollbackData, SalesforceStageOutputs>,
  ): Promise<SalesforceStageOutputs> {
    const deployJobId = recorded.outputs.deployJobId;
    if (!deployJobId) throw new StageFailed('The stage recorded no Deploy job, so there is nothing to roll back.');
    const job = await this.childJob(ctx, () =>
      this.rollbacks.startForStage(deployJobId, ctx.rollbackOptions, {
        stageId: ctx.stageId,
        startedBy: ctx.startedBy,
      }),
    );
    if (!job) {
      ctx.log('info', `Deploy job ${deployJobId} changed nothing in the org: there is nothing to roll back.`);
      return { rollbackJobId: null };
    }
    this.settle(job);
    return { rollbackJobId: job.id };
  }

  /** The branch's revision the org holds now, as the recorded jobs tell (the org is not read). */
  async describe(
    _ctx: StageContext,
    recorded: RecordedStage<SalesforceStageSpec, SalesforceRollbackData, SalesforceStageOutputs>,
  ): Promise<InstanceView> {
    const { branchId, orgId } = recorded.outputs;
    const current = branchId && orgId ? await this.deployments.currentDeploy(branchId, orgId) : null;
    if (!current) return { artifact: null, revision: null, ready: null, desired: null };
    const revision = current.revision ?? undefined;
    return {
      artifact: salesforceArtifact({ branch: current.branch, revision }),
      revision: revision === undefined ? null : String(revision),
      ready: null,
      desired: null,
    };
  }

  /**
   * The stage's child job: the one an earlier call saved in the state, or the one `start` finds or creates (at most
   * one per stage), saved in the state at once. A refusal (the branch has no such revision, a rollback refused for
   * data loss) fails the stage with its sentence; any other error is a fault the engine retries.
   */
  private async childJob(ctx: StageContext, start: () => Promise<Job | null>): Promise<Job | null> {
    const saved = (ctx.state as SalesforceRollbackState).childJobId;
    if (typeof saved === 'string') return this.jobs.get(saved);
    let job: Job | null;
    try {
      job = await start();
    } catch (error) {
      if (error instanceof AppError && error.status < 500) throw new StageFailed(error.message);
      throw error;
    }
    await ctx.saveState({ childJobId: job?.id ?? null });
    if (job) ctx.log('info', `${job.kind} job ${job.id} runs this stage (its own log tells each component).`);
    return job;
  }

  /** Waits while the child job runs; fails the stage with its sentence when it ended in Exception. */
  private settle(job: Job): void {
    const verdict = childJobVerdict(facts(job));
    if (verdict.kind === 'wait') throw new StageWait(verdict.reason, CHILD_RETRY_MS);
    if (verdict.kind === 'failed') throw new StageFailed(verdict.error);
  }
}

function facts(job: Job) {
  return { id: job.id, kind: job.kind, status: job.status, error: job.error, phase: job.progress.phase };
}

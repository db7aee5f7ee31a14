import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { registry } from '@salesforce/source-deploy-retrieve';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import { assertCan } from '../auth/auth.guard.js';
import type { Principal } from '../auth/permissions.js';
import { BranchesService } from '../branches/branches.service.js';
import { BadRequestError, UnprocessableError } from '../common/errors.js';
import type { Revision } from '../branches/revision.entity.js';
import type { Job } from '../jobs/job.entity.js';
import { JobsRepository } from '../jobs/jobs.repository.js';
import { OrgConnections } from '../orgs/org-connections.service.js';
import { OrgsService } from '../orgs/orgs.service.js';
import { enqueueSaved, JOB_QUEUE, type JobQueue } from '../queue/job-queue.js';
import { memberKey, type ComponentFile, type MemberRef } from '../salesforce/component.types.js';
import { retrieveComponents } from '../snapshots/org-retriever.js';
import { CONFIG } from '../config/config.module.js';
import type { Config } from '../config/config.js';
import { componentKey } from '../salesforce/component-key.js';
import { estimateDeployFiles } from '../salesforce/deploy-estimate.js';
import { checkDeployLimits } from '../salesforce/limits.js';
import { TYPES_READ_FOR_REVERSIBILITY } from '../salesforce/reversibility.js';
import type { DeployJobOptions } from './deploy-job.handler.js';
import { selectComponents } from './deploy-selection.js';
import {
  classifyPlan,
  planDeletions,
  type DeployedComponent,
  type DeployPlan,
  type PlannedDeletion,
} from './destructive-plan.js';
import { labelPlan } from './plan-reversibility.js';
import { checkTestOptions, TestOptions } from './test-options.js';

/** Reading the updated fields, apps and profiles for the dry run's labels is one small retrieve. */
const READ_TIMEOUT_MS = 60_000;

export const MemberRefBody = z.strictObject({ type: z.string().min(1), fullName: z.string().min(1) });
export { TestLevel } from './test-options.js';

export const StartDeployBody = z
  .strictObject({
    orgId: z.string().min(1),
    revision: z.number().int().min(1).optional(),
    components: z.array(MemberRefBody).min(1).optional(),
    ...TestOptions,
    checkOnly: z.boolean().optional(),
    rollbackOnError: z.boolean().optional(),
    /** Also delete what the branch's last Completed deploy to this org sent and the revision no longer holds. */
    deleteRemoved: z.boolean().optional(),
    /** Answer the plan (create / update / delete) without queuing anything. */
    dryRun: z.boolean().optional(),
  })
  .superRefine(checkTestOptions)
  .refine((b) => !(b.deleteRemoved && b.components), {
    error: 'deleteRemoved deletes what the whole revision no longer holds; drop components or deleteRemoved',
    path: ['deleteRemoved'],
  });
export type StartDeployBody = z.infer<typeof StartDeployBody>;

@Injectable()
export class DeploymentsService {
  private readonly logger = new Logger('DeploymentsService');

  constructor(
    private readonly branches: BranchesService,
    private readonly orgs: OrgsService,
    private readonly jobs: JobsRepository,
    @Inject(JOB_QUEUE) private readonly queue: JobQueue,
    @InjectDataSource() private readonly db: DataSource,
    private readonly connections: OrgConnections,
    @Inject(CONFIG) private readonly config: Config,
  ) {}

  /** Validates everything that can be known before running, then queues a Deploy job. */
  async start(branchIdOrName: string, body: StartDeployBody, principal: Principal): Promise<Job> {
    const { branch, org, revision, options } = await this.prepare(branchIdOrName, body, mayDeploy(principal));
    const job = await this.jobs.create({
      kind: 'Deploy',
      branchId: branch.id,
      orgId: org.id,
      revisionId: revision.id,
      options: options as Record<string, unknown>,
      createdBy: principal.tokenId,
      createdByName: principal.name,
    });
    await enqueueSaved(this.queue, job.id, (m) => this.logger.warn(m));
    return job;
  }

  /**
   * The dry run: what the deploy would create, update and delete, checked like a real start but queuing nothing.
   * Create vs update comes from one listMetadata per type; when the org cannot be read the plan says so.
   */
  async plan(branchIdOrName: string, body: StartDeployBody, principal: Principal) {
    const { branch, org, revision, selected, options, notes } = await this.prepare(
      branchIdOrName,
      body,
      mayDeploy(principal),
      'components',
    );
    const deletions = options.deletions ?? [];
    const deploying: MemberRef[] = selected.map((c) => ({ type: c.type, fullName: c.fullName }));
    const inOrg = await this.listOrg(org.id, [...deploying, ...deletions], notes);
    const plan: DeployPlan = classifyPlan(deploying, deletions, inOrg);
    const read = selected.filter((c) => TYPES_READ_FOR_REVERSIBILITY.has(c.type));
    const sent = read.length ? await this.branches.loadComponents(revision.id, read) : [];
    const updated = plan.update.filter((c) => TYPES_READ_FOR_REVERSIBILITY.has(c.type));
    const labelled = labelPlan(
      plan,
      new Map(sent.map((c) => [componentKey(c), c.files])),
      await this.readBefore(org.id, updated, notes),
    );
    return {
      dryRun: true as const,
      branchId: branch.id,
      orgId: org.id,
      revision: revision.number,
      checkOnly: options.checkOnly ?? false,
      deleteRemoved: body.deleteRemoved ?? false,
      ...labelled,
      counts: {
        create: plan.create.length,
        update: plan.update.length,
        deploy: plan.deploy.length,
        delete: plan.delete.length,
      },
      notes,
    };
  }

  /**
   * The Deploy job (with backup) of a pipeline's `salesforce` stage: the whole revision of the branch (the latest
   * when `revision` is absent) on the org, as `POST /api/branches/:id/deployments` queues it. It is started at most
   * once per stage: its options carry `stageId`, and a call that finds the job an earlier call started returns it.
   * No principal is asked here: the execution API checked `deploy` in the stage's environment before the pipeline
   * ran; the job is recorded as started by `startedBy`.
   */
  async startForStage(
    branchIdOrName: string,
    orgId: string,
    input: StageDeployInput,
    stage: { stageId: string; startedBy: StartedBy },
  ): Promise<Job> {
    const known = await this.jobs.findForStage('Deploy', stage.stageId);
    if (known) return known;
    const body: StartDeployBody = {
      orgId,
      ...(input.revision !== undefined ? { revision: input.revision } : {}),
      ...(input.testLevel ? { testLevel: input.testLevel } : {}),
      ...(input.runTests ? { runTests: input.runTests } : {}),
    };
    const { branch, org, revision, options } = await this.prepare(branchIdOrName, body, () => undefined);
    const { job, created } = await this.jobs.onceForStage('Deploy', stage.stageId, (manager) =>
      this.jobs.create(
        {
          kind: 'Deploy',
          branchId: branch.id,
          orgId: org.id,
          revisionId: revision.id,
          options: { ...options, stageId: stage.stageId } satisfies DeployJobOptions,
          createdBy: stage.startedBy.tokenId,
          createdByName: stage.startedBy.name,
        },
        manager,
      ),
    );
    if (created) await enqueueSaved(this.queue, job.id, (m) => this.logger.warn(m));
    return job;
  }

  /**
   * The branch's deploy the org holds now, as the recorded jobs tell (the org is not read): the newest Completed
   * deploy of the branch to the org (not a validation) that no Completed rollback of all its components took back.
   */
  async currentDeploy(
    branchId: string,
    orgId: string,
  ): Promise<{ jobId: string; branch: string; revision: number | null } | null> {
    const rows: { id: string; branch: string; number: number | null }[] = await this.db.query(
      `SELECT j.id, b.name AS branch, r.number FROM jobs j JOIN branches b ON b.id = j.branch_id
              LEFT JOIN revisions r ON r.id = j.revision_id
        WHERE j.kind = 'Deploy' AND j.branch_id = $1 AND j.org_id = $2 AND j.status = 'Completed'
          AND coalesce((j.options->>'checkOnly')::boolean, false) = false
          AND NOT EXISTS (SELECT 1 FROM jobs rb WHERE rb.parent_job_id = j.id AND rb.kind = 'Rollback'
                AND rb.status = 'Completed' AND coalesce((rb.options->>'all')::boolean, false)
                AND coalesce((rb.options->>'checkOnly')::boolean, false) = false)
        ORDER BY j.finished_at DESC NULLS LAST, j.created_at DESC LIMIT 1`,
      [branchId, orgId],
    );
    return rows[0] ? { jobId: rows[0].id, branch: rows[0].branch, revision: rows[0].number } : null;
  }

  /**
   * Everything start, plan and a stage's deploy share: the checks, the selection and the deletions, as the job's
   * options. `authorize` refuses a caller who may not deploy in the org's environment.
   */
  private async prepare(
    branchIdOrName: string,
    body: StartDeployBody,
    authorize: (environment: string) => void,
    read: 'components' | 'what the checks need' = 'what the checks need',
  ) {
    const branch = await this.branches.resolve(branchIdOrName);
    const org = await this.orgs.resolve(body.orgId);
    authorize(org.environment);
    const revision = await this.branches.revision(branch.id, body.revision);
    // A whole revision is checked on its size taken at upload; its components are read when the request names some,
    // deletes what the branch removed, or is a dry run (which lists them), or when the revision has no size kept.
    const kept = keptEstimate(revision);
    const readAll = read === 'components' || !kept || body.components !== undefined || Boolean(body.deleteRemoved);
    const all = readAll ? await this.branches.revisionComponents(revision.id) : [];
    const { selected, unknown } = selectComponents(all, body.components);
    if (unknown.length) {
      throw new BadRequestError(
        `Not in revision ${revision.number}: ${unknown.map(memberKey).join(', ')}. Pick components the revision has (GET /api/branches/${branch.id}/components).`,
        {
          unknown,
        },
      );
    }
    const { deletions, notes } = planDeletions({
      manifests: revision.destructiveChanges,
      wholeRevision: !body.components,
      deleteRemoved: body.deleteRemoved ?? false,
      lastDeployed: body.deleteRemoved ? await this.lastDeployed(branch.id, org.id) : null,
      revision: all, // read whenever deleteRemoved asks for it (readAll)
    });
    if ((readAll ? selected.length : revision.componentCount) === 0 && deletions.length === 0) {
      throw new BadRequestError(`Revision ${revision.number} has no components to deploy and nothing to delete.`);
    }
    const estimate = readAll ? estimateDeployFiles(selected) : kept;
    const violation = checkDeployLimits({
      fileCount: estimate.fileCount,
      zipBytes: 0,
      unzippedBytes: estimate.unzippedBytes,
    });
    if (violation)
      throw new UnprocessableError(violation.message, {
        limit: violation.limit,
        max: violation.max,
        actual: violation.actual,
      });
    if (org.environment.toLowerCase() === 'production' && body.rollbackOnError === false) {
      throw new BadRequestError(
        'rollbackOnError must be true for a production org (Salesforce requires it); remove rollbackOnError.',
      );
    }
    const options: DeployJobOptions = {
      ...(body.components ? { components: body.components } : {}),
      ...(body.testLevel ? { testLevel: body.testLevel } : {}),
      ...(body.runTests ? { runTests: body.runTests } : {}),
      checkOnly: body.checkOnly ?? false,
      rollbackOnError: body.rollbackOnError ?? true,
      ...(body.deleteRemoved ? { deleteRemoved: true } : {}),
      ...(deletions.length ? { deletions } : {}),
    };
    return { branch, org, revision, selected, options, notes };
  }

  /** What the org got from the branch's last Completed (not check-only) deploy to it; null when there is none. */
  private async lastDeployed(branchId: string, orgId: string): Promise<DeployedComponent[] | null> {
    const jobs: { id: string }[] = await this.db.query(
      `SELECT id FROM jobs WHERE kind = 'Deploy' AND branch_id = $1 AND org_id = $2 AND status = 'Completed'
          AND coalesce((options->>'checkOnly')::boolean, false) = false
        ORDER BY finished_at DESC NULLS LAST, created_at DESC LIMIT 1`,
      [branchId, orgId],
    );
    if (!jobs[0]) return null;
    type Row = { type: string; full_name: string; parent_type: string | null; parent_full_name: string | null };
    const rows: Row[] = await this.db.query(
      `SELECT type, full_name, parent_type, parent_full_name FROM job_components
        WHERE job_id = $1 AND status = 'Succeeded' AND action <> 'delete' ORDER BY type, full_name`,
      [jobs[0].id],
    );
    return rows.map((r) => ({
      type: r.type,
      fullName: r.full_name,
      parentType: r.parent_type,
      parentFullName: r.parent_full_name,
    }));
  }

  /**
   * The org's files of the updated fields, apps and profiles (one small retrieve), so their labels compare before
   * with after; when the org cannot be read the plan says so and those labels say what they could not tell.
   */
  private async readBefore(orgId: string, refs: MemberRef[], notes: string[]): Promise<Map<string, ComponentFile[]>> {
    const out = new Map<string, ComponentFile[]>();
    if (refs.length === 0) return out;
    try {
      const session = await this.connections.open(orgId);
      const { found } = await retrieveComponents(
        session,
        refs.map((ref) => ({ ref, fileCount: 1, bytes: 0 })),
        {
          pollCeilingMs: this.config.DEPLOY_POLL_MAX_SECONDS * 1000,
          signal: AbortSignal.timeout(READ_TIMEOUT_MS),
          format: 'source',
        },
      );
      for (const c of found) out.set(componentKey(c), c.files);
    } catch (error) {
      notes.push(
        `The org's current ${refs.map(memberKey).join(', ')} could not be read (${(error as Error).message}): ` +
          'what a rollback of them can undo is not fully known.',
      );
    }
    return out;
  }

  /** Per type, the lower-cased names the org lists (folder-based types are not listed: they need a folder each). */
  private async listOrg(orgId: string, refs: MemberRef[], notes: string[]): Promise<Map<string, Set<string>>> {
    const folderTypes = Object.values(registry.types).filter((t) => t.folderType);
    const folderBased = new Set(folderTypes.map((t) => t.name));
    const types = [...new Set(refs.map((r) => r.type))].filter((t) => !folderBased.has(t));
    const out = new Map<string, Set<string>>();
    if (types.length === 0) return out;
    try {
      const session = await this.connections.open(orgId);
      for (const type of types) out.set(type, new Set());
      const listed = await session.listMetadata(types.map((type) => ({ type })));
      for (const p of listed) out.get(p.type)?.add(p.fullName.toLowerCase());
    } catch (error) {
      out.clear();
      const why = (error as Error).message;
      notes.push(`The org could not be read (${why}): whether each component is created or updated is not known.`);
    }
    return out;
  }
}

export type { PlannedDeletion };

/** Who a job is recorded as started by: a token, or the person or pipeline behind an execution. */
export interface StartedBy {
  tokenId: string | null;
  name: string | null;
}

/** What a `salesforce` stage asks of its Deploy job (the whole revision; the test options of any deploy). */
export interface StageDeployInput {
  revision?: number;
  testLevel?: StartDeployBody['testLevel'];
  runTests?: string[];
}

/** A principal's deploy permission in an org's environment (403 naming what is missing). */
function mayDeploy(principal: Principal): (environment: string) => void {
  return (environment) => assertCan(principal, 'deploy', environment);
}

/** The size of a deploy of the whole revision, taken at upload; null for a revision uploaded before it was kept. */
function keptEstimate(revision: Revision): { fileCount: number; unzippedBytes: number } | null {
  return revision.deployFileCount === null || revision.unzippedBytes === null
    ? null
    : { fileCount: revision.deployFileCount, unzippedBytes: revision.unzippedBytes };
}

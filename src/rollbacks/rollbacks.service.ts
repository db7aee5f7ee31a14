import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { z } from 'zod';
import { assertCan } from '../auth/auth.guard.js';
import type { Principal } from '../auth/permissions.js';
import { BranchesService } from '../branches/branches.service.js';
import { BadRequestError, ConflictError, GoneError, NotFoundError } from '../common/errors.js';
import { CONFIG } from '../config/config.module.js';
import type { Config } from '../config/config.js';
import { MemberRefBody, type StartedBy } from '../deployments/deployments.service.js';
import { checkTestOptions, TestOptions, type TestLevel } from '../deployments/test-options.js';
import type { Job } from '../jobs/job.entity.js';
import { JobsRepository } from '../jobs/jobs.repository.js';
import { JobsService } from '../jobs/jobs.service.js';
import { OrgsService } from '../orgs/orgs.service.js';
import { enqueueSaved, JOB_QUEUE, type JobQueue } from '../queue/job-queue.js';
import { memberKey, type MemberRef } from '../salesforce/component.types.js';
import { componentKey } from '../salesforce/component-key.js';
import { SnapshotsService } from '../snapshots/snapshots.service.js';
import { BlobStore } from '../blobs/blob-store.js';
import type { ComponentFile } from '../salesforce/component.types.js';
import { readsFilesBefore, reversibility, TYPES_READ_FOR_REVERSIBILITY } from '../salesforce/reversibility.js';
import { laterDeployConflicts, laterDeployRefusal } from './later-deploys.js';
import { LaterDeploys } from './later-deploys.service.js';
import { NOTHING_CHANGED, offerVerdict, withRecreatedChildren } from './rollback-offer.js';
import { planCandidates, rollbackability, selectCandidates, snapshotEntry, type Candidate } from './rollback-plan.js';
import {
  CHANGE_OF,
  dataLossRefusal,
  reversibilityOfSelection,
  type LabelledCandidate,
  type ManualStep,
} from './rollback-reversibility.js';
import { claimComponents } from './component-claims.js';

const RollbackOptions = {
  ...TestOptions,
  checkOnly: z.boolean().optional(),
  force: z.boolean().optional(),
  /** Confirms a selection that loses data (deletes a field or object the deploy created, recreates one empty). */
  acceptDataLoss: z.boolean().optional(),
  /** Flows: also delete the versions the deploy created (Tooling API), after re-activating the earlier one. */
  deleteFlowVersions: z.boolean().optional(),
};

export const StartRollbackBody = z
  .strictObject({
    components: z.array(MemberRefBody).min(1).optional(),
    all: z.literal(true).optional(),
    ...RollbackOptions,
  })
  .refine((b) => Boolean(b.all) !== Boolean(b.components), {
    error: 'send either components (Add) or all: true (Add all)',
    path: ['components'],
  })
  .superRefine(checkTestOptions);
export type StartRollbackBody = z.infer<typeof StartRollbackBody>;

export const RollbackLatestBody = z
  .strictObject({ orgId: z.string().min(1), all: z.literal(true), ...RollbackOptions })
  .superRefine(checkTestOptions);

/** What a Rollback job was asked to do: the resolved components and options. */
export interface RollbackJobOptions {
  components: { type: string; fullName: string }[];
  all: boolean;
  checkOnly: boolean;
  force: boolean;
  /** Delete the flow versions the deploy created (absent in jobs queued before the option existed). */
  deleteFlowVersions?: boolean;
  testLevel?: z.infer<typeof TestLevel>;
  runTests?: string[];
  /** Selected components the API cannot roll back: not sent, left for a person (their rows end Skipped). */
  manual?: ManualStep[];
  /** The pipeline stage that started this rollback (a `salesforce` stage's child job): it starts at most one. */
  stageId?: string;
}

@Injectable()
export class RollbacksService {
  private readonly logger = new Logger('RollbacksService');

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(CONFIG) private readonly config: Config,
    @Inject(JOB_QUEUE) private readonly queue: JobQueue,
    private readonly jobs: JobsService,
    private readonly jobWrites: JobsRepository,
    private readonly snapshots: SnapshotsService,
    private readonly orgs: OrgsService,
    private readonly branches: BranchesService,
    private readonly blobs: BlobStore,
    private readonly laterDeploys: LaterDeploys,
  ) {}

  /** The rollback view of a deploy job: whether it can roll back, and one row per component it changed (or per named one). */
  async candidates(deployJobId: string, only?: MemberRef[]) {
    const deploy = await this.jobs.get(deployJobId);
    const snapshot = await this.snapshots.forJob(deploy.id);
    const deployVerdict = rollbackability(
      {
        kind: deploy.kind,
        status: deploy.status,
        checkOnly: Boolean(deploy.options.checkOnly),
        salesforceStatus: (deploy.state.salesforceStatus as string | undefined) ?? null,
        submitted: Boolean(deploy.state.asyncId || deploy.state.submitting),
        outcomeSource: (deploy.state.outcomeSource as string | undefined) ?? null,
        snapshotStatus: snapshot?.status ?? null,
        snapshotExpiresAt: snapshot?.expiresAt ?? null,
      },
      this.config.SNAPSHOT_RETENTION_DAYS,
    );
    // without the file lists: only the few labels that need a backup's files read them (labelled)
    const entries = snapshot ? await this.snapshots.entriesOf(snapshot.id, only) : [];
    const claimed = await this.claims(deploy.id);
    const planned = planCandidates(
      entries.map(snapshotEntry),
      claimed,
      deployVerdict.rollbackable ? null : deployVerdict.reason,
    );
    const candidates = await this.labelled(planned.candidates, snapshot?.id ?? null, deploy.revisionId);
    // asked for everything: a deploy that changed nothing has nothing to offer (no Rollback button)
    const verdict = only ? deployVerdict : offerVerdict(deployVerdict, candidates.length);
    return { deploy, snapshot, verdict, candidates, unchanged: planned.unchanged };
  }

  /**
   * Each candidate with what rolling it back can undo. Updated fields, apps and profiles are read: the revision's files
   * (what the deploy sent), then the snapshot's (before the deploy) of those whose label needs them (a field's only
   * when the deploy sent a picklist: `readsFilesBefore`).
   */
  private async labelled(
    candidates: Candidate[],
    snapshotId: string | null,
    revisionId: string | null,
  ): Promise<LabelledCandidate[]> {
    const read = candidates.filter((c) => c.deployAction === 'updated' && TYPES_READ_FOR_REVERSIBILITY.has(c.type));
    const before = new Map<string, ComponentFile[]>();
    const after = new Map<string, ComponentFile[]>();
    if (read.length && revisionId) {
      // only the rows read (by the member index), not the whole revision's
      const rows = await this.branches.revisionComponents(revisionId, read);
      for (const c of await this.branches.loadComponents(revisionId, rows)) after.set(componentKey(c), c.files);
      const needed = read.filter((c) => readsFilesBefore(c.type, after.get(componentKey(c))));
      const entries = needed.length && snapshotId ? await this.snapshots.componentsOf(snapshotId, needed) : [];
      const stored = entries.filter((e) => e.files);
      const contents = await this.blobs.getMany(stored.flatMap((e) => e.files!.map((f) => f.sha256)));
      for (const e of stored)
        before.set(
          componentKey(e),
          e.files!.map((f) => ({ path: f.path, content: contents.get(f.sha256)! })),
        );
    }
    return candidates.map((c) => ({
      ...c,
      reversibility: reversibility({
        type: c.type,
        fullName: c.fullName,
        change: CHANGE_OF[c.deployAction],
        before: before.get(componentKey(c)),
        after: after.get(componentKey(c)),
      }),
    }));
  }

  /** The newest later deploy that changed each of the deploy's components (by componentKey; see LaterDeploys). */
  changedLater(deployJobId: string, refs: MemberRef[]) {
    return this.laterDeploys.changes(deployJobId, refs);
  }

  /** Validates the request, claims the components (exactly one of two racing requests wins), queues the job. */
  start(deployJobId: string, body: StartRollbackBody, principal: Principal): Promise<Job> {
    return this.begin(deployJobId, body, principal, mayRollBack(principal));
  }

  /**
   * The Rollback of all components of a `salesforce` stage's Deploy job, as `POST /api/jobs/:id/rollback {all: true}`
   * starts it, refused the same way (a sentence: drift from a later deploy unless `force`, data loss unless
   * `acceptDataLoss`, …). It is started at most once per stage: its options carry `stageId`, and a call that finds
   * the job an earlier call started returns it; so is the rollback of all components that already took every
   * component back (a retried execution rollback after a later stage failed). Null when the deploy changed nothing
   * (there is nothing to roll back). No principal is asked here: the execution rollback API checked `deploy` and
   * `rollback` in the stage's environment; the job is recorded as started by `startedBy`.
   */
  async startForStage(
    deployJobId: string,
    options: { force?: boolean; acceptDataLoss?: boolean },
    stage: { stageId: string; startedBy: StartedBy },
  ): Promise<Job | null> {
    const known = await this.jobWrites.findForStage('Rollback', stage.stageId);
    if (known) return known;
    const { verdict, candidates } = await this.candidates(deployJobId);
    if (verdict.reason === NOTHING_CHANGED) return null;
    // a retried execution rollback: an earlier attempt's rollback of all components already took everything back
    if (candidates.length && candidates.every((c) => !c.available)) {
      const earlier = await this.rollbackOfAll(deployJobId);
      if (earlier) return earlier;
    }
    const body: StartRollbackBody = {
      all: true,
      ...(options.force ? { force: true } : {}),
      ...(options.acceptDataLoss ? { acceptDataLoss: true } : {}),
    };
    return this.begin(deployJobId, body, stage.startedBy, () => undefined, stage.stageId);
  }

  /** The one rollback of all components holding every claim on the deploy's components, or null. */
  private async rollbackOfAll(deployJobId: string): Promise<Job | null> {
    const rows: { id: string }[] = await this.db.query(
      `SELECT DISTINCT rc.rollback_job_id AS id FROM rollback_claims rc JOIN jobs j ON j.id = rc.rollback_job_id
        WHERE rc.deploy_job_id = $1 AND coalesce((j.options->>'all')::boolean, false)`,
      [deployJobId],
    );
    return rows.length === 1 ? this.jobs.get(rows[0]!.id) : null;
  }

  /**
   * What a rollback of all of the deploy's components would be refused for before it is queued because later
   * deploys changed them (the drift Backtrack knows of without reading the org), as sentences; none: [].
   */
  async laterChangeRefusals(deployJobId: string): Promise<string[]> {
    const { candidates } = await this.candidates(deployJobId);
    const available = candidates.filter((c) => c.available);
    const conflicts = laterDeployConflicts(available, await this.laterDeploys.changes(deployJobId, available));
    return conflicts.length ? [laterDeployRefusal(conflicts)] : [];
  }

  /**
   * Everything a rollback start does once the caller is known: the checks (`authorize` refuses a caller who may not
   * roll back in the org's environment), the claims and the job, queued.
   */
  private async begin(
    deployJobId: string,
    body: StartRollbackBody,
    by: StartedBy,
    authorize: (environment: string) => void,
    stageId?: string,
  ): Promise<Job> {
    const only = body.all ? undefined : body.components;
    const { deploy, verdict, candidates: named } = await this.candidates(deployJobId, only);
    // a picked object the deploy deleted comes back with its fields: their candidates are read too
    const recreatedParents = named.filter((c) => c.rollbackAction === 'recreate' && !c.parent);
    const candidates =
      body.all || recreatedParents.length === 0 ? named : (await this.candidates(deployJobId)).candidates;
    if (deploy.kind !== 'Deploy') throw new ConflictError(verdict.reason!);
    const org = await this.orgs.get(deploy.orgId!);
    authorize(org.environment);
    if (!verdict.rollbackable) {
      if (verdict.gone) throw new GoneError(verdict.reason!);
      throw new ConflictError(verdict.reason!);
    }
    const picked = selectCandidates(candidates, body);
    if ('problem' in picked) throw selectionError(picked.problem, deploy.id);
    const selected = withRecreatedChildren(picked.selected, candidates);
    if (!body.force) await this.refuseLaterChanges(deploy, selected);
    const { dataLoss, manual } = reversibilityOfSelection(selected);
    if (dataLoss.length && !body.acceptDataLoss) {
      throw new ConflictError(dataLossRefusal(dataLoss), {
        dataLoss: dataLoss.map((c) => ({ type: c.type, fullName: c.fullName, reason: c.reversibility.reason })),
      });
    }
    const options: RollbackJobOptions = {
      components: selected.map((c) => ({ type: c.type, fullName: c.fullName })),
      all: Boolean(body.all),
      checkOnly: body.checkOnly ?? false,
      force: body.force ?? false,
      ...(body.deleteFlowVersions ? { deleteFlowVersions: true } : {}),
      ...(body.testLevel ? { testLevel: body.testLevel } : {}),
      ...(body.runTests ? { runTests: body.runTests } : {}),
      ...(manual.length ? { manual } : {}),
      ...(stageId ? { stageId } : {}),
    };
    const create = async (manager: EntityManager) => {
      const created = await this.jobWrites.create(
        {
          kind: 'Rollback',
          branchId: deploy.branchId,
          orgId: deploy.orgId,
          revisionId: deploy.revisionId,
          parentJobId: deploy.id,
          options: options as unknown as Record<string, unknown>,
          createdBy: by.tokenId,
          createdByName: by.name,
        },
        manager,
      );
      if (!options.checkOnly) await claimComponents(manager, deploy.id, created.id, selected);
      return created;
    };
    const { job, created } = stageId
      ? await this.jobWrites.onceForStage('Rollback', stageId, create)
      : { job: await this.db.transaction(create), created: true };
    if (created) await enqueueSaved(this.queue, job.id, (m) => this.logger.warn(m));
    return job;
  }

  /**
   * For pipelines: roll back the last deploy of a branch to an org — the latest one, whatever its status (never an
   * older one in its place). A partly applied deploy rolls back what it changed; one that cannot be rolled back is
   * refused with the reason, naming the job. Validations (check only) are not deploys here: they changed nothing.
   */
  async startLatest(
    branchIdOrName: string,
    body: z.infer<typeof RollbackLatestBody>,
    principal: Principal,
  ): Promise<Job> {
    const branch = await this.branches.resolve(branchIdOrName);
    const org = await this.orgs.resolve(body.orgId);
    // both permissions before anything about the org's deploys is told (start checks them again for the job)
    mayRollBack(principal)(org.environment);
    const rows: { id: string }[] = await this.db.query(
      `SELECT id FROM jobs WHERE kind = 'Deploy' AND branch_id = $1 AND org_id = $2
          AND coalesce((options->>'checkOnly')::boolean, false) = false
        ORDER BY created_at DESC LIMIT 1`,
      [branch.id, org.id],
    );
    if (!rows[0]) throw new NotFoundError('Deploy', `of branch "${branch.name}" to org "${org.name}"`);
    const { orgId: _orgId, ...rest } = body;
    try {
      return await this.start(rows[0].id, rest, principal);
    } catch (error) {
      if (error instanceof ConflictError || error instanceof GoneError) {
        const Refusal = error instanceof GoneError ? GoneError : ConflictError;
        const which = `The last deploy of branch "${branch.name}" to org "${org.name}" (job ${rows[0].id})`;
        throw new Refusal(`${which}: ${error.message}`, { ...error.details, deployJobId: rows[0].id });
      }
      throw error;
    }
  }

  /**
   * A component a later deploy changed drifted because of that deploy: the rollback is refused before it is queued,
   * naming the later deploy (roll it back first) and the override (force). 409 with `details.laterDeploys`.
   */
  private async refuseLaterChanges(deploy: Job, selected: Candidate[]): Promise<void> {
    const conflicts = laterDeployConflicts(selected, await this.laterDeploys.changes(deploy.id, selected));
    if (conflicts.length) throw new ConflictError(laterDeployRefusal(conflicts), { laterDeploys: conflicts });
  }

  /** Releases this rollback's claims: used when it changed nothing, so the components can be rolled back again. */
  async releaseClaims(rollbackJobId: string): Promise<void> {
    await this.db.query(`DELETE FROM rollback_claims WHERE rollback_job_id = $1`, [rollbackJobId]);
  }

  /** Releases some of this rollback's claims: the components it left to a person (it did not roll them back). */
  async releaseClaimsOf(rollbackJobId: string, refs: MemberRef[]): Promise<void> {
    if (refs.length === 0) return;
    await this.db.query(
      `DELETE FROM rollback_claims WHERE rollback_job_id = $1
          AND (type, full_name) IN (SELECT c.type, c.full_name FROM jsonb_to_recordset($2::jsonb) AS c(type text, full_name text))`,
      [rollbackJobId, JSON.stringify(refs.map((r) => ({ type: r.type, full_name: r.fullName })))],
    );
  }

  private async claims(deployJobId: string): Promise<Map<string, string>> {
    const rows: { type: string; full_name: string; rollback_job_id: string }[] = await this.db.query(
      `SELECT type, full_name, rollback_job_id FROM rollback_claims WHERE deploy_job_id = $1`,
      [deployJobId],
    );
    return new Map(rows.map((r) => [componentKey({ type: r.type, fullName: r.full_name }), r.rollback_job_id]));
  }
}

/** The two-permission rule: rolling back in an environment needs both `rollback` and `deploy` there. */
function mayRollBack(principal: Principal): (environment: string) => void {
  return (environment) => {
    assertCan(principal, 'rollback', environment);
    assertCan(principal, 'deploy', environment);
  };
}

function selectionError(
  problem: Exclude<ReturnType<typeof selectCandidates>, { selected: Candidate[] }>['problem'],
  deployJobId: string,
) {
  switch (problem.kind) {
    case 'unknown':
      return new BadRequestError(
        `Not changed by deploy ${deployJobId}, so not a rollback candidate: ${problem.refs.map(memberKey).join(', ')}. See GET /api/jobs/${deployJobId}/rollback.`,
        { unknown: problem.refs },
      );
    case 'unavailable':
      return new ConflictError(
        `Cannot roll back ${problem.candidates.map((c) => `${memberKey(c)} (${c.reason})`).join(', ')}`.replace(
          /\.\)/g,
          ')',
        ) + '.',
        { unavailable: problem.candidates.map((c) => ({ type: c.type, fullName: c.fullName, reason: c.reason })) },
      );
    case 'empty':
      return new BadRequestError(`Deploy ${deployJobId} changed no component, so there is nothing to roll back.`);
  }
}

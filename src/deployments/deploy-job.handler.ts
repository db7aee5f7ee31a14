import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { BlobIntegrityError } from '../blobs/blob-store.js';
import { BranchesService } from '../branches/branches.service.js';
import type { RevisionComponent } from '../branches/revision-component.entity.js';
import { CONFIG } from '../config/config.module.js';
import type { Config } from '../config/config.js';
import {
  secondsSince,
  startOnce,
  type ComponentRow,
  type JobContext,
  type JobHandler,
  type JobOutcome,
} from '../jobs/job-handler.js';
import { fingerprintComponent } from '../salesforce/fingerprint.js';
import { collectGarbageBefore } from '../common/memory.js';
import { sleep } from '../common/polling.js';
import { inferredDeployAction, lostDeployVerdict } from './deploy-outcome.js';
import { findLostDeployId } from './lost-deploy-finder.js';
import type { ComponentAction } from '../jobs/job-component.entity.js';
import { classifyFault } from '../jobs/fault-decision.js';
import { JobHandlers } from '../jobs/job-handlers.registry.js';
import { JobsRepository } from '../jobs/jobs.repository.js';
import { OrgConnections } from '../orgs/org-connections.service.js';
import { type MemberRef, type ResolvedComponent } from '../salesforce/component.types.js';
import { componentKey } from '../salesforce/component-key.js';
import { buildDeployZip, type DeployZip } from '../salesforce/deploy-package.js';
import { checkDeployLimits } from '../salesforce/limits.js';
import type { DeployOptions, DeployStatus, MetadataSession } from '../salesforce/metadata-api.gateway.js';
import {
  fetchRetrieves,
  indexRetrieved,
  retrieveComponents,
  type RetrievedZip,
  type RetrieveTarget,
} from '../snapshots/org-retriever.js';
import { RetrievedBackups } from '../snapshots/retrieved-backups.js';
import { isProfileLike } from '../common/profile-xml.js';
import {
  profileBackupDetails,
  profileCompanions,
  profileDetailsOf,
  profileLiveRead,
  profileXml,
  touchedFingerprint,
} from '../snapshots/profile-backup.js';
import type { SnapshotComponent } from '../snapshots/snapshot-component.entity.js';
import { retrieveFormatOf } from '../snapshots/snapshot-format.js';
import { SnapshotsService } from '../snapshots/snapshots.service.js';
import { jobCancelOptions, pollDeploy } from './deploy-poller.js';
import { FAST_TYPES, fastMetadataPaths } from '../salesforce/fast-path.js';
import { exactComponentsOf } from '../salesforce/retrieve-split.js';
import { storedFormatOf } from '../salesforce/stored-format.js';
import type { Snapshot } from '../snapshots/snapshot.entity.js';
import {
  countOutcomes,
  deployFailureSummary,
  deployOutcomes,
  endedAsPlanned,
  jobLevelProblems,
  jobProblemLogLine,
  notIndexedOutcome,
  notIndexedSummary,
  outcomeLogLine,
  plannedAction,
  settleUnchanged,
} from './deploy-results.js';
import { selectComponents } from './deploy-selection.js';
import { submitOnce } from './deploy-submit.js';
import { adoptParentOutcomes, deletionTargets, retrieveForDeletion } from './destructive-backup.js';
import { destructiveManifests, type PlannedDeletion } from './destructive-plan.js';
import { readFlowsBefore, recordFlowsAfter, recordFlowsBefore, type FlowBefore } from './flow-backup.js';

/** What a Deploy job was asked to do (validated at the API). */
export interface DeployJobOptions {
  components?: MemberRef[];
  testLevel?: DeployOptions['testLevel'];
  runTests?: string[];
  checkOnly?: boolean;
  rollbackOnError?: boolean;
  deleteRemoved?: boolean;
  /** What the deploy deletes (planned at the API, shown by the dry run): sent as destructiveChangesPre/Post.xml. */
  deletions?: PlannedDeletion[];
  /** The pipeline stage that started this deploy (a `salesforce` stage's child job): it starts at most one. */
  stageId?: string;
}

/** What a resumed attempt needs: set before it is relied on. */
interface DeployJobState {
  /** The backup is indexed: the snapshot holds a row for every component (ADR 0027). */
  backupDone?: boolean;
  /**
   * The backup is durable: the retrieves stored as Salesforce returned them (retrieved_backups), the deletions' and
   * flows' recorded. What the deploy may be submitted on; indexed while Salesforce deploys.
   */
  backupStored?: boolean;
  /** The deploy's flows' version numbers before it: recorded on the snapshot's rows once the backup is indexed. */
  flowsBefore?: FlowBefore[];
  submitting?: boolean;
  asyncId?: string;
  /** Salesforce's final status (Succeeded, SucceededPartial, Failed, …): decides whether the deploy rolls back. */
  salesforceStatus?: string;
  /** When the deploy was submitted (ISO): DEPLOY_TIMEOUT_MINUTES counts from here. */
  submittedAt?: string;
  /** Why cancelDeploy was sent (someone asked, or the deadline passed). */
  cancelSent?: string;
  /** 'org': the answer to the submission was lost, the outcome was read from the org's components. */
  outcomeSource?: 'org';
  /** 'recentDeploys': the answer to the submission was lost and asyncId was found in the org's recent deploys. */
  asyncIdSource?: 'recentDeploys';
}

/** How often, and how far apart, the org is read after a lost submission before the outcome is called unknown. */
const LOST_SUBMIT_CHECKS = 3;

/**
 * Deploys a branch revision to an org with a backup first: plan → backup (retrieve what the deploy will touch) →
 * deploy (Salesforce's async id saved before polling) → poll → record results and post-deploy fingerprints.
 * Resumable at every step; never submits the same deploy twice.
 */
@Injectable()
export class DeployJobHandler implements JobHandler, OnModuleInit {
  readonly kind = 'Deploy' as const;
  readonly target = 'salesforce' as const;

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly handlers: JobHandlers,
    private readonly branches: BranchesService,
    private readonly snapshots: SnapshotsService,
    private readonly connections: OrgConnections,
    private readonly jobs: JobsRepository,
    private readonly retrieved: RetrievedBackups,
  ) {}

  onModuleInit(): void {
    this.handlers.register(this);
  }

  async run(ctx: JobContext): Promise<JobOutcome> {
    const { job } = ctx;
    const options = job.options as DeployJobOptions;
    const state = job.state as DeployJobState;
    const checkOnly = options.checkOnly ?? false;

    // the org's session is opened (a round trip to Salesforce) while the revision's components are read
    const opening = this.connections.open(job.orgId!);
    opening.catch(() => undefined); // awaited below
    const all = await this.branches.revisionComponents(job.revisionId!);
    const { selected } = selectComponents(all, options.components);
    const refs: MemberRef[] = selected.map((c) => ({ type: c.type, fullName: c.fullName }));
    const session = await opening;

    if (!ctx.resumed) {
      ctx.log(
        'info',
        `Deploying ${selected.length} component(s) of revision ${await this.revisionNumber(job.revisionId!)}${checkOnly ? ' as a validation (check only): nothing will change' : ''}`,
      );
    }
    await ctx.setProgress({ phase: 'Backup', componentsDone: 0, componentsTotal: selected.length });

    // The deploy zip does not depend on the backup: it is built once the backup retrieves are submitted, while
    // the org prepares them (started earlier, it would hold the database and delay the backup itself).
    const packaging = startOnce(() => this.package(ctx, selected));
    const willSubmit = !state.asyncId && !state.submitting;
    if (willSubmit) {
      const canceled = await this.canceledBeforeSubmit(ctx);
      if (canceled) return canceled;
    }
    const snapshot = checkOnly ? null : await this.snapshots.begin(job.id, job.orgId!);
    const backingUp = snapshot !== null && !state.backupDone;
    const retrieving = backingUp && !state.backupStored;
    // rows an earlier attempt's backup wrote (before backups were stored as retrieved, ADR 0027) are not read again
    const captured = retrieving ? await this.snapshots.capturedKeys(snapshot.id) : new Set<string>();
    // after the queries above: writing thousands of lines holds the database while the backup's retrieves start
    if (!ctx.resumed) for (const c of selected) ctx.log('info', 'Planned: deploy', c);
    // the full collection and the deploy zip: once the backup retrieves are submitted, while the org prepares them
    const collected = { done: false };
    const onSubmitted = () => {
      collected.done = true;
      collectGarbageBefore(selected.length);
      if (willSubmit) void packaging();
    };
    // the retrieves as Salesforce returned them: durable before the submission, indexed while Salesforce deploys
    let retrieved: (RetrievedZip | undefined)[] | undefined;
    if (retrieving) {
      const todo = selected.filter((c) => !captured.has(componentKey(c)));
      retrieved = await this.backup(ctx, session, snapshot, selected, todo, onSubmitted);
      if (options.deletions?.length) await this.backupDeletions(ctx, session, snapshot, options.deletions);
      const flows = await readFlowsBefore(session, refs);
      if (flows.length) ctx.log('info', `Backup: read the active and latest versions of ${flows.length} flow(s)`);
      await ctx.saveState({ backupStored: true, flowsBefore: flows });
    }
    if (!collected.done) collectGarbageBefore(selected.length);
    // what the backup found of each component, once indexed (the stored retrieves are let go as they are indexed)
    const indexed = startOnce(async () => {
      if (backingUp) await this.index(ctx, snapshot, selected, retrieved);
      return this.stateBefore(snapshot?.id ?? null);
    });
    /** A job that ends before its deploy reached Salesforce leaves its backup indexed, as one that deployed. */
    const endBeforeSubmit = async (outcome: JobOutcome): Promise<JobOutcome> => {
      await indexed();
      return outcome;
    };
    // what the deploy deletes, with the children backed up with a deleted parent (an object's fields)
    const backedUp = snapshot && options.deletions?.length ? await this.snapshots.componentsOf(snapshot.id) : [];
    const deleting = deletionTargets(options.deletions ?? [], backedUp);

    const earlierAsyncId = state.asyncId;
    let asyncId = earlierAsyncId;
    if (!asyncId) {
      if (state.submitting) {
        ctx.log(
          'warn',
          'An earlier attempt stopped while submitting the deploy, before Salesforce returned its id: it is not ' +
            "submitted again. Asking Salesforce for the org's recent deploys to find it.",
        );
        asyncId = (await this.findLostDeploy(ctx, session, checkOnly)) ?? undefined;
        if (!asyncId) {
          await indexed();
          return this.resolveLostSubmit(ctx, session, selected, snapshot, packaging, checkOnly);
        }
      }
    }
    if (!asyncId) {
      const pkg = await packaging();
      const violation = checkDeployLimits({ fileCount: pkg.fileCount, zipBytes: pkg.zip.length });
      if (violation) {
        ctx.log('error', violation.message);
        return endBeforeSubmit({ status: 'Exception', error: violation.message });
      }
      const canceled = await this.canceledBeforeSubmit(ctx);
      if (canceled) return endBeforeSubmit(canceled);
      const submitted =
        (await this.submit(ctx, session, pkg, options)) ?? (await this.findLostDeploy(ctx, session, checkOnly));
      if (!submitted) {
        await indexed();
        return this.resolveLostSubmit(ctx, session, selected, snapshot, packaging, checkOnly);
      }
      asyncId = submitted;
    } else if (asyncId === earlierAsyncId) {
      ctx.log('info', `Polling Salesforce deploy ${asyncId} started by an earlier attempt`);
    }

    // While Salesforce works, the backup is indexed, then each component is Pending: those rows are written during
    // the deploy, not after it. A validation has no backup to tell create from update, so it plans nothing and
    // writes its rows once answered. An index that fails on a defect loses nothing of the deploy's record: the
    // results are written and the snapshot is left unsealed (`unindexed`); a passing fault retries the attempt.
    let before = new Map<string, { rowId: string; existed: boolean; fingerprint: string | null }>();
    let pendingRows: ComponentRow[] = [];
    let unindexed: string | undefined;
    let answered = false;
    const pending = startOnce(async () => {
      try {
        before = await indexed();
      } catch (error) {
        if (ctx.signal.aborted || classifyFault(error) !== 'other') throw error;
        unindexed = error instanceof Error ? error.message : String(error);
        ctx.log('error', `Backtrack could not index the backup: ${unindexed}`);
        return;
      }
      // indexed after Salesforce answered: the rows are written once, with their outcome
      if (!snapshot || answered) return;
      pendingRows = [
        ...selected.map((c) => pendingRow(c, plannedAction(before.get(componentKey(c))?.existed))),
        ...deleting.map((d) => pendingRow(d, 'delete')),
      ];
      await ctx.upsertComponents(pendingRows);
    });
    void pending();
    let result: DeployStatus;
    try {
      result = await this.poll(ctx, session, asyncId, selected.length);
      answered = true;
    } finally {
      await pending();
    }
    const problems = jobLevelProblems(refs, result);
    await ctx.saveState({ salesforceStatus: result.status, ...(problems.length ? { problems } : {}) });
    for (const p of problems) ctx.log(p.problemType === 'Warning' ? 'warn' : 'error', jobProblemLogLine(p));
    type Row = { parentType: string | null; parentFullName: string | null; fingerprint: string | null };
    const byKey = new Map<string, Row>([
      ...selected.map((c) => [componentKey(c), c] as const),
      ...deleting.map((d) => [componentKey(d), { ...d, fingerprint: null }] as const),
    ]);
    const after = snapshot ? await this.fingerprintsAfter(snapshot, selected, packaging) : new Map<string, string>();
    const fingerprintAfter = (ref: MemberRef): string | null =>
      after.get(componentKey(ref)) ?? byKey.get(componentKey(ref))?.fingerprint ?? null;
    const members = [...refs, ...deleting.map((d) => ({ type: d.type, fullName: d.fullName }))];
    const outcomes = adoptParentOutcomes(
      settleUnchanged(
        deployOutcomes(members, result, (ref) => before.get(componentKey(ref))?.existed),
        (ref) => before.get(componentKey(ref))?.fingerprint ?? null,
        fingerprintAfter,
      ),
      deleting,
    ).map((o) => (unindexed ? notIndexedOutcome(o) : o));
    // the rows that ended as planned are settled in one statement; the others are written one by one
    const planned = new Map(pendingRows.map((r) => [componentKey(r), r.action]));
    await ctx.upsertComponents(
      outcomes
        .filter((o) => !endedAsPlanned(o, planned.get(componentKey(o.ref))))
        .map((o) => {
          const c = byKey.get(componentKey(o.ref))!;
          return {
            ...o.ref,
            parentType: c.parentType,
            parentFullName: c.parentFullName,
            action: o.action,
            status: o.status,
            problem: o.problem,
            problemType: o.problemType,
            lineNumber: o.lineNumber,
            columnNumber: o.columnNumber,
          };
        }),
    );
    await ctx.settlePending({ status: 'Succeeded' });
    for (const o of outcomes) {
      const line = outcomeLogLine(o);
      ctx.log(line.level, line.message, o.ref);
    }
    await ctx.setCounts(countOutcomes(outcomes));

    if (snapshot && !unindexed) {
      // a deployed flow is a new version: the numbers it left, for the rollback to re-activate the earlier one
      await recordFlowsAfter(
        session,
        this.snapshots,
        snapshot.id,
        outcomes
          .filter((o) => o.status === 'Succeeded' && (o.action === 'create' || o.action === 'update'))
          .map((o) => o.ref),
      );
      await this.snapshots.recordAfter(
        snapshot.id,
        outcomes.map((o) => ({
          ref: o.ref,
          fingerprintAfter: o.status === 'Succeeded' ? fingerprintAfter(o.ref) : null,
          deployAction: o.status === 'Succeeded' ? o.action : 'unchanged',
        })),
        new Map([...before].map(([key, state]) => [key, state.rowId])),
      );
      const sealed = await this.snapshots.complete(snapshot.id);
      ctx.log(
        'info',
        `Snapshot sealed: ${sealed.componentCount} component(s), checksum ${sealed.checksum!.slice(0, 12)}…, kept until ${sealed.expiresAt.toISOString().slice(0, 10)}`,
      );
    }
    await ctx.setProgress({
      phase: result.success ? 'Deployed' : 'Failed',
      componentsDone: selected.length,
      componentsTotal: selected.length,
    });
    if (unindexed) {
      const kept = { jobId: job.id, retrieves: snapshot ? await this.retrieved.count(snapshot.id) : 0 };
      return { status: 'Exception', error: notIndexedSummary(result, outcomes, unindexed, kept) };
    }
    if (result.success && result.status === 'Succeeded') return { status: 'Completed' };
    if (result.status === 'Canceled') {
      const why = state.cancelSent ?? 'canceled in Salesforce';
      return { status: 'Exception', error: `Canceled: ${why}. Salesforce applied none of it.` };
    }
    return { status: 'Exception', error: deployFailureSummary(result, outcomes, problems) };
  }

  /** A cancel asked for before the deploy reached Salesforce ends the job: nothing was deployed. */
  private async canceledBeforeSubmit(ctx: JobContext): Promise<JobOutcome | null> {
    const cancel = await ctx.cancelRequested();
    if (!cancel) return null;
    const error = `Canceled by ${cancel.by} before the deploy reached Salesforce; nothing was deployed.`;
    ctx.log('warn', error);
    return { status: 'Exception', error };
  }

  /**
   * The answer to the submission was lost: the org's recent deploys (Tooling API DeployRequest) are asked for the
   * one created when this job submitted — a few times, as a deploy may take a moment to show. Exactly one match is
   * adopted (its id saved, then polled as any deploy, so the per-component results come from Salesforce); none or
   * several give null, and the caller reads the org instead. It never guesses.
   */
  private async findLostDeploy(ctx: JobContext, session: MetadataSession, checkOnly: boolean): Promise<string | null> {
    const state = ctx.job.state as DeployJobState;
    const found = await findLostDeployId(ctx, session, {
      submittedAt: state.submittedAt,
      checkOnly,
      what: 'deploy',
      waitMs: Math.max(1_000, this.config.DEPLOY_POLL_MAX_SECONDS * 1_000),
      knownIds: () => this.jobs.knownAsyncIds(ctx.job.orgId!, ctx.job.id),
    });
    if (!found) {
      ctx.log('warn', 'Reading the org to learn whether Salesforce applied the deploy.');
      return null;
    }
    await ctx.saveState({ asyncId: found, asyncIdSource: 'recentDeploys' });
    return found;
  }

  /**
   * The answer to the submission was lost and the org's recent deploys did not show it (or showed several):
   * Salesforce may or may not have started the deploy, and its id is unknown. The org is read (the same retrieve as the backup) and each component compared with the revision and
   * with the backup — a few times, as a deploy can still be queued. What the org shows is recorded, the snapshot
   * is sealed (whatever changed stays rollbackable) and the job ends saying how the outcome was learned.
   */
  private async resolveLostSubmit(
    ctx: JobContext,
    session: MetadataSession,
    selected: RevisionComponent[],
    snapshot: Snapshot | null,
    packaging: () => Promise<DeployZip>,
    checkOnly: boolean,
  ): Promise<JobOutcome> {
    if (checkOnly || !snapshot) {
      const error =
        'The answer to the validation was lost (the connection dropped or the worker stopped); ' +
        'a validation changes nothing. Start it again.';
      ctx.log('warn', error);
      return { status: 'Exception', error };
    }
    await ctx.setProgress({ phase: 'Checking the org' });
    const snapshotId = snapshot.id;
    const before = new Map((await this.snapshots.componentsOf(snapshotId)).map((c) => [componentKey(c), c]));
    // what the deploy sends, in the form the snapshot stores (the org is read in that form too)
    const after = await this.fingerprintsAfter(snapshot, selected, packaging);
    const planned = (c: RevisionComponent): string => after.get(componentKey(c)) ?? c.fingerprint;
    let verdict = lostDeployVerdict([]);
    for (let check = 1; check <= LOST_SUBMIT_CHECKS; check++) {
      const live = await this.liveFingerprints(ctx, session, snapshot, selected, before);
      verdict = lostDeployVerdict(
        selected.map((c) => ({
          before: fingerprintBefore(before.get(componentKey(c))),
          planned: planned(c),
          live: live.get(componentKey(c)) ?? null,
        })),
      );
      const matching = verdict.verdicts.filter((v) => v === 'applied').length;
      ctx.log(
        'info',
        `Org check ${check}/${LOST_SUBMIT_CHECKS}: ${matching} of ${selected.length} component(s) now match the revision`,
      );
      if (verdict.overall !== 'none' || check === LOST_SUBMIT_CHECKS) break;
      await sleep(Math.max(1_000, this.config.DEPLOY_POLL_MAX_SECONDS * 2_000), ctx.signal);
    }
    const rows = selected.map((c, i) => {
      const v = verdict.verdicts[i]!;
      const existed = before.get(componentKey(c))?.existed ?? false;
      const action = inferredDeployAction(v, verdict.overall, existed);
      return { c, v, action };
    });
    await ctx.upsertComponents(
      rows.map(({ c, v, action }) => ({
        type: c.type,
        fullName: c.fullName,
        parentType: c.parentType,
        parentFullName: c.parentFullName,
        action: v === 'applied' ? action : 'unchanged',
        status: v === 'applied' ? 'Succeeded' : 'Skipped',
        problem:
          v === 'applied'
            ? null
            : v === 'unknown'
              ? 'Unknown: the org holds neither the revision nor what it had before.'
              : 'The org still holds what it had before this deploy.',
      })),
    );
    await this.snapshots.recordAfter(
      snapshotId,
      rows.map(({ c, action }) => ({
        ref: { type: c.type, fullName: c.fullName },
        fingerprintAfter: action === 'unchanged' ? null : planned(c),
        deployAction: action,
      })),
    );
    const sealed = await this.snapshots.complete(snapshotId);
    ctx.log(
      'info',
      `Snapshot sealed: ${sealed.componentCount} component(s); whatever this deploy changed can be rolled back`,
    );
    await ctx.saveState({ outcomeSource: 'org' });
    const applied = rows.filter((r) => r.v === 'applied').length;
    await ctx.setCounts({ total: selected.length, succeeded: applied, skipped: selected.length - applied });
    const phase = verdict.overall === 'applied' ? 'Deployed' : 'Unknown';
    await ctx.setProgress({ phase, componentsDone: selected.length, componentsTotal: selected.length });
    const how =
      "The answer to the submission was lost and the org's recent deploys did not show it unambiguously, " +
      'so Backtrack read the org instead of asking Salesforce about the deploy by id';
    if (verdict.overall === 'applied') {
      ctx.log('info', `${how}: every component now matches the revision, so Salesforce applied the deploy.`);
      return { status: 'Completed' };
    }
    if (verdict.overall === 'mixed') {
      return {
        status: 'Exception',
        error:
          `${how}: ${applied} of ${selected.length} component(s) now match the revision, the others do not. ` +
          "Check the org's Deployment Status page; what changed can be rolled back.",
      };
    }
    return {
      status: 'Exception',
      error:
        `Outcome unknown. ${how}: no component matches the revision yet. Salesforce may still run the deploy — ` +
        "check the org's Deployment Status page. The snapshot is sealed, so if it applies, it can be rolled back.",
    };
  }

  private async liveFingerprints(
    ctx: JobContext,
    session: MetadataSession,
    snapshot: Snapshot,
    selected: RevisionComponent[],
    backedUp: Map<string, SnapshotComponent>,
  ): Promise<Map<string, string>> {
    // a profile is read with the components its backup was read with, and fingerprinted on the touched elements
    const profiles = profileLiveRead(backedUp.values());
    const live = new Map<string, string>();
    await retrieveComponents(session, selected.map(retrieveTargetOf), {
      signal: ctx.signal,
      pollCeilingMs: this.config.DEPLOY_POLL_MAX_SECONDS * 1000,
      format: retrieveFormatOf(snapshot),
      companions: profiles.companions,
      collect: false,
      onChunk: (chunk) => {
        for (const found of chunk.found) {
          const fingerprint = profiles.fingerprint(found);
          if (fingerprint) live.set(componentKey(found), fingerprint);
        }
      },
    });
    return live;
  }

  /**
   * Retrieves what the org has of `todo` (the selected components an earlier attempt did not save) and stores each
   * retrieve as Salesforce returned it, before anything is deployed: the durable backup, indexed later (`index`).
   * Returns the retrieves, for the index to read without loading them again.
   */
  private async backup(
    ctx: JobContext,
    session: MetadataSession,
    snapshot: Snapshot,
    selected: RevisionComponent[],
    todo: RevisionComponent[],
    onSubmitted?: () => void,
  ): Promise<RetrievedZip[]> {
    // what an earlier attempt stored, if it stopped before storing every retrieve, is retrieved again
    await this.retrieved.drop(snapshot.id);
    if (todo.length === 0) return [];
    ctx.log('info', `Backup: retrieving ${todo.length} component(s) from the org`);
    // A profile is read with every component of the deploy and what its deployed file refers to (see profile-backup).
    const { profiles, companions } = await this.profileReads(ctx, selected, todo);
    if (profiles.length) {
      ctx.log(
        'info',
        `Backup: ${profiles.length} profile(s) or permission set(s) are read with ${companions.length} component(s) (Salesforce returns only their permissions about the components of the same retrieve)`,
      );
    }
    const sized = new Map(selected.map((c) => [componentKey(c), retrieveTargetOf(c)]));
    const kept: RetrievedZip[] = [];
    let saved = selected.length - todo.length;
    await fetchRetrieves(session, todo.map(retrieveTargetOf), {
      signal: ctx.signal,
      pollCeilingMs: this.config.DEPLOY_POLL_MAX_SECONDS * 1000,
      onSubmitted,
      companions: companions.map((ref) => sized.get(componentKey(ref)) ?? { ref, fileCount: 1, bytes: 0 }),
      onRetrieved: async (retrieved, index, of) => {
        const storeStart = Date.now();
        await this.retrieved.put(snapshot.id, index, retrieved);
        kept.push(retrieved);
        // a profile is read in every retrieve (see profileReads) and counted once, with the last
        const unreported = new Set(retrieved.unreported.map(componentKey));
        const count = retrieved.members.filter(
          (m) => !unreported.has(componentKey(m)) && (!isProfileLike(m.type) || index === of - 1),
        ).length;
        saved += count;
        ctx.log(
          'info',
          `Backup ${index + 1}/${of}: ${count} component(s) retrieved, ${(retrieved.zip.length / 1024).toFixed(0)} KB zipped (waited ${((retrieved.retrieveMs ?? 0) / 1000).toFixed(1)} s for Salesforce, stored in ${secondsSince(storeStart)})`,
        );
        await ctx.setProgress({
          phase: `Backup ${index + 1}/${of}`,
          componentsDone: saved,
          componentsTotal: selected.length,
        });
      },
    });
    return kept;
  }

  /** The profiles among `todo` and what each is read with (the same whenever asked: the index relies on it). */
  private async profileReads(
    ctx: JobContext,
    selected: RevisionComponent[],
    todo: MemberRef[],
  ): Promise<{ profiles: RevisionComponent[]; deployedXml: (string | undefined)[]; companions: MemberRef[] }> {
    const wanted = new Set(todo.filter((c) => isProfileLike(c.type)).map(componentKey));
    const profiles = selected.filter((c) => wanted.has(componentKey(c)));
    if (profiles.length === 0) return { profiles, deployedXml: [], companions: [] };
    const deployed = await this.branches.loadComponents(ctx.job.revisionId!, profiles);
    const byKey = new Map(deployed.map((p) => [componentKey(p), profileXml(p.files)]));
    const deployedXml = profiles.map((p) => byKey.get(componentKey(p)));
    return { profiles, deployedXml, companions: profileCompanions(selected, deployedXml) };
  }

  /**
   * Indexes the stored backup into the snapshot (ADR 0027): each retrieve split into components, their files stored
   * as blobs and fingerprinted, a "Backed up" line each, the profiles' details recorded; then the stored retrieves
   * are deleted. Components an earlier attempt indexed are skipped, their lines not written again. `inMemory`: the
   * retrieves this attempt made (each let go once split); otherwise they are read back.
   */
  private async index(
    ctx: JobContext,
    snapshot: Snapshot,
    selected: RevisionComponent[],
    inMemory?: (RetrievedZip | undefined)[],
  ): Promise<void> {
    const snapshotId = snapshot.id;
    const count = inMemory?.length ?? (await this.retrieved.count(snapshotId));
    const captured = await this.snapshots.capturedKeys(snapshotId);
    const bySelected = new Map(selected.map((c) => [componentKey(c), c]));
    // the profiles' reads are kept for their details; every other component's files are dropped once stored
    const reported: MemberRef[] = [];
    const found = new Map<string, ResolvedComponent>();
    await indexRetrieved(
      count,
      async (index) => {
        const retrieved = inMemory?.[index] ?? (await this.retrieved.get(snapshotId, index));
        if (inMemory) inMemory[index] = undefined;
        if (!retrieved) throw new BlobIntegrityError(`Retrieve ${index + 1} of ${count} of the backup is not stored.`);
        return retrieved;
      },
      {
        signal: ctx.signal,
        format: retrieveFormatOf(snapshot),
        onChunk: async (chunk, index, of) => {
          const recordStart = Date.now();
          const inChunk = new Map(chunk.found.map((c) => [componentKey(c), c]));
          for (const c of chunk.found) if (isProfileLike(c.type)) found.set(componentKey(c), c);
          const refs = [...chunk.missing, ...chunk.found].map(({ type, fullName }) => ({ type, fullName }));
          reported.push(...refs);
          const items = refs
            .filter((ref) => !captured.has(componentKey(ref)))
            .map((ref) => {
              const c = bySelected.get(componentKey(ref));
              return {
                ref,
                parent: c?.parentType ? { type: c.parentType, fullName: c.parentFullName! } : undefined,
                before: inChunk.get(componentKey(ref)) ?? null,
                known: c && { files: c.files, fingerprint: c.fingerprint },
              };
            });
          await this.snapshots.record(snapshotId, items);
          for (const item of items) {
            ctx.log(
              'info',
              item.before
                ? `Backed up: ${item.before.files.length} file(s) from the org`
                : 'Not present in the org before this deploy',
              item.ref,
            );
          }
          ctx.log(
            'info',
            `Indexed backup ${index + 1}/${of}: ${chunk.found.length} component(s) saved, ${chunk.missing.length} not in the org${refs.length > items.length ? `, ${refs.length - items.length} of them indexed by an earlier attempt` : ''} (converted in ${((chunk.splitMs ?? 0) / 1000).toFixed(1)} s, stored in ${secondsSince(recordStart)})`,
          );
        },
      },
    );
    const { profiles, deployedXml, companions } = await this.profileReads(ctx, selected, reported);
    if (profiles.length) {
      await this.snapshots.recordDetails(
        snapshotId,
        profiles.map((p, i) => ({
          ref: { type: p.type, fullName: p.fullName },
          details: {
            profile: profileBackupDetails(
              found.has(componentKey(p)) ? profileXml(found.get(componentKey(p))!.files) : undefined,
              deployedXml[i],
              companions,
            ),
          },
        })),
      );
    }
    await recordFlowsBefore(this.snapshots, snapshotId, (ctx.job.state as DeployJobState).flowsBefore ?? []);
    await this.retrieved.drop(snapshotId);
    await ctx.saveState({ backupDone: true });
  }

  /** Backs up what the deploy deletes, with every file and child (see retrieveForDeletion). */
  private async backupDeletions(
    ctx: JobContext,
    session: MetadataSession,
    snapshot: Snapshot,
    deletions: PlannedDeletion[],
  ): Promise<void> {
    ctx.log('info', `Backup: retrieving ${deletions.length} component(s) the deploy deletes, with their children`);
    for (const d of deletions) {
      ctx.log('info', `Planned: delete (${d.source}, ${d.phase === 'pre' ? 'before' : 'after'} the additions)`, d);
    }
    const pollCeilingMs = this.config.DEPLOY_POLL_MAX_SECONDS * 1000;
    const format = retrieveFormatOf(snapshot);
    const items = await retrieveForDeletion(session, deletions, { signal: ctx.signal, pollCeilingMs, format });
    await this.snapshots.record(snapshot.id, items);
    for (const item of items) {
      const line = item.before
        ? `Backed up before deletion: ${item.before.files.length} file(s) from the org`
        : 'Not present in the org: nothing to delete';
      ctx.log('info', line, item.ref);
    }
  }

  /** The revision's metadata-format deploy zip for the selected components. */
  private async package(ctx: JobContext, selected: RevisionComponent[]): Promise<DeployZip & { seconds: string }> {
    const packStart = Date.now();
    // Apex and the other fast types go in as their stored deflate streams: their contents are never all held at once
    const packable = (c: RevisionComponent) => !c.parentType && fastMetadataPaths(c) !== undefined;
    const components = await this.branches.loadComponents(
      ctx.job.revisionId!,
      selected.filter((c) => !packable(c)),
    );
    const packed = await this.branches.loadPacked(selected.filter(packable));
    const revision = await this.branches.revisionById(ctx.job.revisionId!);
    const deletions = destructiveManifests((ctx.job.options as DeployJobOptions).deletions ?? []);
    const apiVersion = revision.apiVersion ?? '60.0';
    const pkg = await buildDeployZip({ components, packed, apiVersion, destructive: deletions });
    return { ...pkg, seconds: secondsSince(packStart) };
  }

  /** The deploy's id; null when the answer was lost (Salesforce may have started it). */
  private async submit(
    ctx: JobContext,
    session: MetadataSession,
    pkg: DeployZip & { seconds: string },
    options: DeployJobOptions,
  ): Promise<string | null> {
    const deployOptions: DeployOptions = {
      singlePackage: true,
      rollbackOnError: options.rollbackOnError ?? true,
      checkOnly: options.checkOnly ?? false,
      ...(options.testLevel ? { testLevel: options.testLevel } : {}),
      ...(options.runTests?.length ? { runTests: options.runTests } : {}),
    };
    const asyncId = await submitOnce(ctx, 'deploy', () => session.startDeploy(pkg.zip, deployOptions));
    if (!asyncId) return null;
    ctx.log(
      'info',
      `Submitted to Salesforce as deploy ${asyncId} (${pkg.fileCount} files, ${(pkg.zip.length / 1024).toFixed(0)} KB zipped, packaged in ${pkg.seconds}, rollbackOnError ${deployOptions.rollbackOnError})`,
    );
    return asyncId;
  }

  private poll(ctx: JobContext, session: MetadataSession, asyncId: string, total: number): Promise<DeployStatus> {
    let lastState = '';
    return pollDeploy(session, asyncId, {
      signal: ctx.signal,
      ceilingMs: this.config.DEPLOY_POLL_MAX_SECONDS * 1000,
      ...jobCancelOptions(ctx, this.config.DEPLOY_TIMEOUT_MINUTES, 'deploy'),
      onStatus: async (status) => {
        const stateLine = `${status.status}${status.stateDetail ? ` — ${status.stateDetail}` : ''}`;
        if (stateLine !== lastState) ctx.log('info', `Salesforce: ${(lastState = stateLine)}`);
        await ctx.setProgress({
          phase: status.done ? status.status : `Deploying (${status.status})`,
          componentsDone: Math.min(total, status.numberComponentsDeployed + status.numberComponentErrors),
          componentsTotal: total,
        });
      },
    });
  }

  /** What the backup found of each component: whether the org had it, and the fingerprint of what it had. */
  private async stateBefore(
    snapshotId: string | null,
  ): Promise<Map<string, { rowId: string; existed: boolean; fingerprint: string | null }>> {
    if (!snapshotId) return new Map();
    const rows = await this.snapshots.statesBefore(snapshotId);
    return new Map(
      rows.map((c) => [componentKey(c), { rowId: c.id, existed: c.existed, fingerprint: c.fingerprintBefore }]),
    );
  }

  /**
   * Fingerprints of what the deploy sends, in the format the snapshot stores: for components kept in metadata
   * format whose two formats differ (static resources, layouts, flows, …) they are taken from the deploy zip's
   * files; every other component's is the revision's (the same files either way, or source format for both). A
   * profile's or permission set's covers only the elements its file holds (`touchedFingerprint`): the org merges
   * them into the rest, and drift checks read them with the backup's components.
   */
  private async fingerprintsAfter(
    snapshot: Snapshot,
    selected: RevisionComponent[],
    packaging: () => Promise<DeployZip>,
  ): Promise<Map<string, string>> {
    // A profile's: what the deployed file says on its own elements (drift and verification compare those only).
    const profiles = selected.filter((c) => isProfileLike(c.type));
    const deployed = profiles.length ? await this.branches.loadComponents(profiles[0]!.revisionId, profiles) : [];
    const touched = deployed.flatMap((p) => {
      const xml = profileXml(p.files);
      const fingerprint = touchedFingerprint(xml, profileBackupDetails(undefined, xml, []).touched);
      return fingerprint ? [[componentKey(p), fingerprint] as const] : [];
    });
    if (snapshot.filesFormat !== 'metadata') return new Map(touched);
    const exact = selected.filter(
      (c) => storedFormatOf(c.type) === 'metadata' && !FAST_TYPES[c.type] && !isProfileLike(c.type),
    );
    if (exact.length === 0) return new Map(touched);
    const components = await exactComponentsOf((await packaging()).zip, exact);
    return new Map([...components.map((c) => [componentKey(c), fingerprintComponent(c.files)] as const), ...touched]);
  }

  private async revisionNumber(revisionId: string): Promise<number> {
    return (await this.branches.revisionById(revisionId)).number;
  }
}

/** A component's row while Salesforce deploys it. */
function pendingRow(
  c: MemberRef & { parentType: string | null; parentFullName: string | null },
  action: ComponentAction,
): ComponentRow {
  const { type, fullName, parentType, parentFullName } = c;
  return { type, fullName, parentType, parentFullName, action, status: 'Pending' };
}

/** What a retrieve of a revision component asks for, sized from the revision's files (for the per-retrieve limits). */
function retrieveTargetOf(c: RevisionComponent): RetrieveTarget {
  return {
    ref: { type: c.type, fullName: c.fullName },
    fileCount: Math.max(1, c.files.length),
    bytes: c.files.reduce((n, f) => n + f.size, 0),
  };
}

/**
 * What the org held of a component before the deploy, as the lost-submit check compares it: a profile's touched
 * elements when its backup recorded them (Salesforce merges a profile deploy into the rest), else the whole backup.
 */
function fingerprintBefore(row: SnapshotComponent | undefined): string | null {
  const touchedBefore = profileDetailsOf(row?.details)?.touchedBefore;
  return touchedBefore !== undefined ? touchedBefore : (row?.fingerprintBefore ?? null);
}

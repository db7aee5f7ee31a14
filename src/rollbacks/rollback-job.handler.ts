import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { BlobStore } from '../blobs/blob-store.js';
import { mapInSlices } from '../common/concurrency.js';
import { CONFIG } from '../config/config.module.js';
import type { Config } from '../config/config.js';
import { jobCancelOptions, pollDeploy } from '../deployments/deploy-poller.js';
import { submitOnce } from '../deployments/deploy-submit.js';
import { jobLevelProblems, jobProblemLogLine } from '../deployments/deploy-results.js';
import { findLostDeployId } from '../deployments/lost-deploy-finder.js';
import type { Job } from '../jobs/job.entity.js';
import {
  secondsSince,
  startOnce,
  type ComponentRow,
  type JobContext,
  type JobHandler,
  type JobOutcome,
} from '../jobs/job-handler.js';
import { JobHandlers } from '../jobs/job-handlers.registry.js';
import { JobsRepository } from '../jobs/jobs.repository.js';
import { OrgConnections } from '../orgs/org-connections.service.js';
import {
  memberKey,
  type ComponentFile,
  type MemberRef,
  type ResolvedComponent,
} from '../salesforce/component.types.js';
import { componentKey, sameComponent } from '../salesforce/component-key.js';
import { labelsAddedBy } from '../salesforce/label-children.js';
import { BranchesService } from '../branches/branches.service.js';
import { buildDeployZip, type DeployZip } from '../salesforce/deploy-package.js';
import { needsUseOrder, usesByName } from '../salesforce/deletion-order.js';
import { CanonicalMemo, fingerprintComponent } from '../salesforce/fingerprint.js';
import { knownFingerprint, type KnownFiles } from '../salesforce/same-files.js';
import {
  SalesforceUnavailableError,
  type DeployMessage,
  type DeployStatus,
  type MetadataSession,
} from '../salesforce/metadata-api.gateway.js';
import { retrieveComponents } from '../snapshots/org-retriever.js';
import { isProfileLike } from '../common/profile-xml.js';
import { profileDetailsOf, profileLiveRead, profileXml } from '../snapshots/profile-backup.js';
import {
  elementMismatches,
  irreversibleLine,
  planProfileRestore,
  verifiedLine,
  type ProfileRestore,
} from './profile-restore.js';
import type { SnapshotComponent } from '../snapshots/snapshot-component.entity.js';
import type { Snapshot } from '../snapshots/snapshot.entity.js';
import { isStoredExactly, retrieveFormatOf } from '../snapshots/snapshot-format.js';
import { SnapshotsService } from '../snapshots/snapshots.service.js';
import {
  describeDrift,
  destructiveMembers,
  driftVerdict,
  planCandidates,
  snapshotEntry,
  type Candidate,
} from './rollback-plan.js';
import { manualStepsLogLine } from './rollback-reversibility.js';
import { outcomeWrites } from './outcome-writes.js';
import { ALREADY_GONE, splitAlreadyGone, stillReferencedProblem } from './deletion-outcomes.js';
import { laterDeployDrift } from './later-deploys.js';
import { LaterDeploys } from './later-deploys.service.js';
import { RollbacksService, type RollbackJobOptions } from './rollbacks.service.js';
import { flowDrift, flowFactsOf, rolledBackByVersions } from './flow-rollback.js';
import { flowStepsStarted, rollBackFlows, verifyFlows, type FlowTarget } from './flow-rollback.runner.js';

interface RollbackJobState {
  driftChecked?: boolean;
  submitting?: boolean;
  asyncId?: string;
  salesforceStatus?: string;
  submittedAt?: string;
  cancelSent?: string;
  /** 'recentDeploys': the answer to the submission was lost and asyncId was found in the org's recent deploys. */
  asyncIdSource?: 'recentDeploys';
}

/** What the drift check and the verification read live from the org: the candidates, against their snapshot rows. */
interface LiveRead {
  session: MetadataSession;
  snapshot: Snapshot;
  candidates: Candidate[];
  entryByKey: Map<string, SnapshotComponent>;
  /** The element-wise restore of each profile (read once: packaging and verification both need it). */
  profilePlans: () => Promise<Map<string, ProfileRestore>>;
  /** Called once the retrieve is submitted. */
  onSubmitted?: () => void;
  /** The rollback's other components (flows, which go back through their versions): not part of this read. */
  others: Candidate[];
}

/** The snapshot's rows no longer give its sealed checksum: a rollback of everything refuses to use it. */
class BrokenSeal extends Error {
  constructor() {
    super('The backup snapshot failed its checksum: it was altered, so it is not used.');
    this.name = 'BrokenSeal';
  }
}

/** A component to restore, each file with the address its stored content was verified against. */
type StoredComponent = ResolvedComponent & { files: (ComponentFile & { sha256?: string })[] };

/**
 * The restore deploy, the components whose stored backup no longer matches its fingerprint (refused), and the keys of
 * those whose stored files were just found to match it (`intact`: the verification may compare their bytes).
 */
type RestorePackage = DeployZip & { restores: number; deletions: number; altered: MemberRef[]; intact: Set<string> };

const FLOW_VERB =
  're-activate the version that was active before the deploy (a flow: its versions are switched, not redeployed)';

const VERB = {
  delete: 'delete it (the deploy created it)',
  restore: 'restore the snapshot (the deploy updated it)',
  recreate: 'recreate it from the snapshot (the deploy deleted it)',
};

/**
 * Rolls back selected components of a deploy: plan → drift check (live state vs. what the deploy left) → one
 * Metadata API deploy of restores plus destructiveChangesPost → poll → verify (live state vs. the snapshot).
 * Resumable; never submits the same rollback twice. A rollback that changed nothing releases its components.
 */
@Injectable()
export class RollbackJobHandler implements JobHandler, OnModuleInit {
  readonly kind = 'Rollback' as const;
  readonly target = 'salesforce' as const;

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly handlers: JobHandlers,
    private readonly snapshots: SnapshotsService,
    private readonly rollbacks: RollbacksService,
    private readonly connections: OrgConnections,
    private readonly jobs: JobsRepository,
    private readonly blobs: BlobStore,
    private readonly branches: BranchesService,
    private readonly laterDeploys: LaterDeploys,
  ) {}

  onModuleInit(): void {
    this.handlers.register(this);
  }

  /** Ended before Salesforce got anything (connection, credentials, drift retrieve, refused submit): release the claims. */
  async afterException(job: Job): Promise<void> {
    const state = job.state as RollbackJobState;
    if (!state.asyncId && !state.submitting && !flowStepsStarted(job.state)) await this.rollbacks.releaseClaims(job.id);
  }

  /**
   * Components the API cannot roll back (options.manual, decided when the job was started) are not sent: their rows
   * end Skipped with the reason, their claims are released, and the job's last log line and `manualSteps` list what
   * is left for a person. The others are rolled back as usual.
   */
  async run(ctx: JobContext): Promise<JobOutcome> {
    const options = ctx.job.options as unknown as RollbackJobOptions;
    const manual = options.manual ?? [];
    if (manual.length === 0) return this.rollBack(ctx, options.components, 0);
    if (!ctx.resumed) {
      await ctx.upsertComponents(
        manual.map((m) => ({
          type: m.type,
          fullName: m.fullName,
          parentType: m.parentType,
          parentFullName: m.parentFullName,
          action: m.action,
          status: 'Skipped',
          problem: `Not rolled back, left for a person: ${m.reason}`,
          details: { reversibility: { label: 'manual', reason: m.reason, checklist: m.checklist } },
        })),
      );
      for (const m of manual) ctx.log('warn', `Not rolled back, left for a person: ${m.reason}`, m);
      await this.rollbacks.releaseClaimsOf(ctx.job.id, manual);
    }
    const manualKeys = new Set(manual.map(componentKey));
    const sent = options.components.filter((c) => !manualKeys.has(componentKey(c)));
    let outcome: JobOutcome;
    if (sent.length) outcome = await this.rollBack(ctx, sent, manual.length);
    else {
      await ctx.setCounts({ total: manual.length, succeeded: 0, failed: 0, skipped: manual.length });
      await ctx.setProgress({ phase: 'Left for a person', componentsDone: 0, componentsTotal: manual.length });
      outcome = { status: 'Completed' };
    }
    await ctx.saveState({ manualSteps: manual });
    ctx.log('warn', manualStepsLogLine(manual));
    return outcome;
  }

  /** Rolls back `selected` (the components sent to Salesforce); `leftToPerson` more rows count as Skipped. */
  private async rollBack(ctx: JobContext, selected: MemberRef[], leftToPerson: number): Promise<JobOutcome> {
    const { job } = ctx;
    const options = job.options as unknown as RollbackJobOptions;
    const state = job.state as RollbackJobState;
    const snapshot = await this.snapshots.forJob(job.parentJobId!);
    if (!snapshot || snapshot.status !== 'complete')
      return this.refuse(ctx, "The deploy's backup snapshot is missing or no longer complete.");
    // the org's session is opened (a round trip to Salesforce) while the snapshot is checked and read
    const opening = this.connections.open(job.orgId!);
    opening.catch(() => undefined); // awaited below
    // Rolling back everything checks the whole seal; rolling back a few checks the files of those few (in package()),
    // so picking 1 of 10,000 components does not read all 10,000 rows. The seal is checked while the org prepares the
    // drift retrieves: `planned` waits for it before it writes anything, and the drift check waits for `planned`.
    let sealHeld = !options.all;
    const sealed = startOnce(async () => {
      if (!sealHeld && !(await this.snapshots.verify(snapshot))) throw new BrokenSeal();
      sealHeld = true;
    });
    const entries = await this.snapshots.componentsOf(snapshot.id, selected);
    const entryByKey = new Map(entries.map((e) => [componentKey(e), e]));
    const { candidates } = planCandidates(entries.map(snapshotEntry), new Map(), null);
    // flows the deploy created or updated go back through their versions (Tooling API), the rest in one deploy
    const flowTargets = candidates.flatMap((c): FlowTarget[] => {
      const facts = flowFactsOf(entryByKey.get(componentKey(c))?.details);
      return rolledBackByVersions(c, facts) ? [{ candidate: c, facts }] : [];
    });
    const byVersions = new Set(flowTargets.map((t) => componentKey(t.candidate)));
    const deployed = candidates.filter((c) => !byVersions.has(componentKey(c)));
    const rows = (
      status: ComponentRow['status'],
      extra: (c: Candidate) => Partial<ComponentRow> = () => ({}),
    ): ComponentRow[] =>
      candidates.map((c) => ({
        type: c.type,
        fullName: c.fullName,
        parentType: c.parent?.type ?? null,
        parentFullName: c.parent?.fullName ?? null,
        action: c.rollbackAction,
        status,
        ...extra(c),
      }));

    if (!ctx.resumed) {
      ctx.log(
        'info',
        `Rolling back ${candidates.length} component(s) of deploy ${job.parentJobId}${options.checkOnly ? ' as a validation (check only): nothing will change' : ''}${options.force ? ', force: drift is overridden' : ''}`,
      );
    }
    // The Pending rows and "Planned" lines of thousands of components hold the database for a while: they are
    // written once the drift retrieves are submitted (while the org prepares them), and always before a verdict.
    const planned = startOnce(async () => {
      // not awaited once known: the rows' write starts at once, not after the package's next stretch of work
      if (!sealHeld) await sealed();
      if (ctx.resumed) return;
      await ctx.upsertComponents(rows('Pending'));
      for (const c of candidates)
        ctx.log('info', `Planned: ${byVersions.has(componentKey(c)) ? FLOW_VERB : VERB[c.rollbackAction]}`, c);
    });
    await ctx.setProgress({ phase: 'Drift check', componentsDone: 0, componentsTotal: candidates.length });
    const session = await opening;
    const profilePlans = startOnce(() => this.profileRestores(deployed, entryByKey, job.revisionId));
    const others = candidates.filter((c) => byVersions.has(componentKey(c)));
    const read: LiveRead = { session, snapshot, candidates: deployed, entryByKey, profilePlans, others };

    // The restore package does not depend on the drift verdicts: build it while the org prepares the drift retrieves.
    let built: RestorePackage | undefined;
    const writePlanned = () => void planned().catch(() => undefined);
    const packaging = startOnce(async () => (built = await this.package(read, job.revisionId, writePlanned)));
    const willSubmit = !state.asyncId && !state.submitting;
    // The seal, the package and the rows: once the drift retrieves are submitted (or now, without them). The seal's
    // one small query is asked for first (answered while the service waits for the org, long before the package's
    // files are read), then the package's files: the deploy waits for the package, while the Pending rows and
    // "Planned" lines only have to be written before a verdict (on the embedded database the queries run one after
    // the other, in the order asked). The rows go in while the package is built from those files (or once it failed
    // before), not after it. No full garbage collection first, unlike a deploy (ADR 0031).
    const onSubmitted = () => {
      void sealed(); // its failure is thrown where `planned` awaits it
      if (willSubmit) void packaging().catch(writePlanned);
      else writePlanned();
    };
    let drift: { conflicts: Candidate[]; explained: Map<string, string> } | undefined;
    try {
      try {
        if (!state.driftChecked && deployed.length)
          drift = await this.checkDrift(ctx, { ...read, onSubmitted }, planned);
      } finally {
        await planned();
      }
    } catch (error) {
      // a broken seal is found before any row is written, and before anything is sent to Salesforce but reads
      if (error instanceof BrokenSeal) return this.refuse(ctx, error.message);
      throw error;
    }
    if (!state.driftChecked) {
      drift ??= { conflicts: [], explained: new Map<string, string>() };
      const { explained } = drift;
      const conflicts = [...drift.conflicts, ...(await this.checkFlowDrift(ctx, session, flowTargets))];
      if (conflicts.length && !options.force) {
        const conflictKeys = new Set(conflicts.map(componentKey));
        await ctx.upsertComponents(
          rows('Skipped', (c) =>
            conflictKeys.has(componentKey(c))
              ? {
                  status: 'Conflict',
                  problem:
                    explained.get(componentKey(c)) ??
                    'Changed in the org after the deploy; roll back with force to overwrite.',
                }
              : {
                  problem:
                    'Not rolled back: other selected components drifted and the rollback was refused as a whole.',
                },
          ),
        );
        await this.rollbacks.releaseClaims(job.id);
        const [laterDeploy] = explained.values();
        return {
          status: 'Exception',
          error: `Refused: ${conflicts.length} component(s) changed in the org after the deploy (${conflicts.slice(0, 3).map(memberKey).join(', ')}${conflicts.length > 3 ? ', …' : ''}). Nothing was changed. Roll back with force to overwrite them.${laterDeploy ? ` ${laterDeploy}` : ''}`,
        };
      }
      await ctx.saveState({ driftChecked: true });
    }

    const earlierAsyncId = state.asyncId;
    let asyncId = earlierAsyncId;
    if (!asyncId && !state.submitting) {
      const cancel = await ctx.cancelRequested();
      if (cancel) {
        return this.refuse(
          ctx,
          `Canceled by ${cancel.by} before the rollback reached Salesforce; nothing was changed.`,
        );
      }
    }
    // a rollback of flows only deploys nothing: its flows go back through their versions below
    if (!asyncId && deployed.length) {
      if (state.submitting) {
        ctx.log(
          'warn',
          'An earlier attempt stopped while submitting the rollback, before Salesforce returned its id: it is not ' +
            "submitted again to avoid applying it twice. Asking Salesforce for the org's recent deploys to find it.",
        );
        asyncId = (await this.findLostDeploy(ctx, session, options)) ?? undefined;
        if (!asyncId) return this.unknownOutcome(ctx, rows);
      }
    }
    if (!asyncId && deployed.length) {
      await ctx.setProgress({ phase: 'Packaging' });
      const pkg = await packaging();
      if (pkg.altered.length) {
        const altered = new Set(pkg.altered.map(componentKey));
        await ctx.upsertComponents(
          rows('Skipped', (c) =>
            altered.has(componentKey(c))
              ? {
                  status: 'Failed',
                  problem:
                    'Its backup no longer matches the fingerprint taken when it was backed up: the stored snapshot was altered.',
                }
              : {
                  problem:
                    'Not rolled back: the backup of another selected component was altered, so the rollback was refused as a whole.',
                },
          ),
        );
        for (const c of pkg.altered)
          ctx.log('error', 'Refused: the backup of this component was altered after it was taken', c);
        return this.refuse(
          ctx,
          `The backup of ${pkg.altered.length} component(s) was altered after it was taken (${pkg.altered.slice(0, 3).map(memberKey).join(', ')}${pkg.altered.length > 3 ? ', …' : ''}); nothing was changed.`,
        );
      }
      const submitted =
        (await this.submit(ctx, session, pkg, options)) ?? (await this.findLostDeploy(ctx, session, options));
      if (!submitted) return this.unknownOutcome(ctx, rows);
      asyncId = submitted;
    } else if (asyncId && asyncId === earlierAsyncId) {
      ctx.log('info', `Polling Salesforce deploy ${asyncId} started by an earlier attempt`);
    }

    // Without flows (which go back first), the verification's retrieves are submitted as soon as Salesforce says the
    // rollback is applied: the org prepares them while its per-component results are fetched and the outcomes written.
    const verifies = (status: DeployStatus) =>
      status.success && !status.checkOnly && flowTargets.length === 0 && deployed.length > 0;
    // its lines come after the outcome lines (each component's log reads planned, rolled back, verified), or as soon
    // as this attempt ends without them
    let outcomesLogged!: () => void;
    const afterOutcomes = new Promise<void>((resolve) => (outcomesLogged = resolve));
    const verifying = startOnce(() =>
      this.verify(ctx, { ...read, candidates: deployed }, built?.intact, afterOutcomes),
    );
    const verification = { started: false };
    const startVerifying = () => {
      verification.started = true;
      void verifying().catch(() => undefined);
    };
    // nothing of a started verification runs on once this attempt ends
    const verificationStopped = async () => {
      outcomesLogged();
      if (verification.started) await verifying().catch(() => undefined);
    };
    let result: DeployStatus;
    try {
      result = asyncId
        ? await this.poll(ctx, session, asyncId, candidates.length, (done) => {
            if (verifies(done)) startVerifying();
          })
        : nothingDeployed(options.checkOnly);
    } catch (error) {
      await verificationStopped();
      throw error;
    }
    if (verification.started && !verifies(result)) {
      await verificationStopped();
      // a passing fault: the next attempt asks Salesforce about the same deploy again
      throw new SalesforceUnavailableError(
        `Salesforce's answers about rollback deploy ${asyncId} disagree: it said the deploy succeeded, then gave its results as ${result.status}.`,
      );
    }
    // A deletion Salesforce answers "already gone" is done: its warning goes to its row, not to the job.
    const { gone, rest: problems } = splitAlreadyGone(
      jobLevelProblems(candidates, result),
      candidates.filter((c) => c.rollbackAction === 'delete'),
    );
    await ctx.saveState({ salesforceStatus: result.status, ...(problems.length ? { problems } : {}) });
    for (const p of problems) ctx.log(p.problemType === 'Warning' ? 'warn' : 'error', jobProblemLogLine(p));
    const failures = failuresByComponent(result.messages);
    const applied = result.success && !result.checkOnly;
    // a write failing meanwhile ends this attempt only once the verification stopped too
    const alongside = async <T>(write: () => Promise<T>): Promise<T> => {
      try {
        return await write();
      } catch (error) {
        await verificationStopped();
        throw error;
      }
    };
    const outcomeRows = rows('Succeeded', (c) => {
      const failure =
        failures.get(componentKey(c)) ??
        (c.parent && c.rollbackAction === 'delete' ? failures.get(componentKey(c.parent)) : undefined);
      if (failure)
        return {
          status: 'Failed',
          problem:
            (failure.problem && stillReferencedProblem(failure.problem)) ??
            failure.problem ??
            'Salesforce reported a failure',
          problemType: failure.problemType ?? 'Error',
          lineNumber: failure.lineNumber ?? null,
          columnNumber: failure.columnNumber ?? null,
        };
      if (!result.success)
        return {
          status: 'Skipped',
          problem: 'Not applied: the rollback deploy failed, and Salesforce rolled back all of its changes.',
        };
      return gone.has(componentKey(c)) ? { problem: ALREADY_GONE, problemType: 'Warning' } : {};
    }).filter((r) => !result.success || !byVersions.has(componentKey(r)));
    const writes = outcomeWrites(outcomeRows, { success: result.success, resumed: ctx.resumed, stillPending: others });
    await alongside(async () => {
      if (writes.settleExcept) await ctx.settlePending({ status: 'Succeeded' }, writes.settleExcept);
      await ctx.upsertComponents(writes.oneByOne);
    });
    for (const row of outcomeRows) {
      if (row.status === 'Failed')
        ctx.log(
          'error',
          `Failed: ${row.problem}${row.lineNumber ? ` at line ${row.lineNumber}${row.columnNumber ? `:${row.columnNumber}` : ''}` : ''}`,
          row,
        );
      else if (row.status === 'Skipped' || row.problem === ALREADY_GONE) ctx.log('warn', row.problem!, row);
      else
        ctx.log(
          'info',
          result.checkOnly ? 'Validated: the rollback would succeed' : `Rolled back: ${pastTense(row.action)}`,
          row,
        );
    }
    outcomesLogged();
    // the flows go back once the deploy of the rest succeeded
    const flowRows = result.success
      ? await alongside(() =>
          rollBackFlows(ctx, session, flowTargets, {
            deleteVersions: options.deleteFlowVersions ?? false,
            checkOnly: result.checkOnly,
          }),
        )
      : [];
    if (flowRows.length) await ctx.upsertComponents(flowRows);
    const allRows = [...outcomeRows, ...flowRows];
    await alongside(() =>
      ctx.setCounts({
        total: candidates.length + leftToPerson,
        succeeded: allRows.filter((r) => r.status === 'Succeeded').length,
        failed: allRows.filter((r) => r.status === 'Failed').length,
        skipped: allRows.filter((r) => r.status === 'Skipped').length + leftToPerson,
      }),
    );

    if (!result.success) {
      await this.rollbacks.releaseClaims(job.id);
      const first = outcomeRows.find((r) => r.status === 'Failed');
      if (result.status === 'Canceled') {
        const why = state.cancelSent ?? 'canceled in Salesforce';
        return { status: 'Exception', error: `Canceled: ${why}. Salesforce applied none of it; the org is unchanged.` };
      }
      const packageLevel = problems
        .filter((p) => p.problemType !== 'Warning')
        .map((p) => `${p.problem}${p.fileName ? ` (${p.fileName})` : ''}`);
      const named = [first ? `${memberKey(first)}: ${first.problem}` : '', ...packageLevel].filter(Boolean);
      const why = named.join('; ') || (result.errorMessage ?? '');
      return {
        status: 'Exception',
        error: `Salesforce refused the rollback (${result.status}); the org is unchanged. ${why}`.trim(),
      };
    }
    if (!applied) {
      await this.rollbacks.releaseClaims(job.id);
      return { status: 'Completed' };
    }
    let mismatches: MemberRef[];
    if (verification.started) mismatches = await verifying();
    else {
      const flows = await verifyFlows(ctx, session, flowTargets);
      const retrieved = [...deployed, ...flows.asBefore];
      mismatches = [
        ...flows.mismatches,
        ...(retrieved.length ? await this.verify(ctx, { ...read, candidates: retrieved }, built?.intact) : []),
      ];
    }
    await ctx.setProgress({ phase: 'Verified', componentsDone: candidates.length, componentsTotal: candidates.length });
    const unflowed = flowRows.find((r) => r.status === 'Failed');
    if (unflowed) {
      return {
        status: 'Exception',
        error: `Salesforce refused to put back ${flowRows.filter((r) => r.status === 'Failed').length} flow(s) (${memberKey(unflowed)}: ${unflowed.problem}); the rest was rolled back. See their logs.`,
      };
    }
    if (mismatches.length) {
      return {
        status: 'Exception',
        error: `Rolled back, but ${mismatches.length} component(s) differ from the snapshot afterwards: ${mismatches.slice(0, 3).map(memberKey).join(', ')}. See their logs.`,
      };
    }
    return { status: 'Completed' };
  }

  private async refuse(ctx: JobContext, reason: string): Promise<JobOutcome> {
    ctx.log('error', reason);
    await this.rollbacks.releaseClaims(ctx.job.id);
    return { status: 'Exception', error: reason };
  }

  /**
   * Live fingerprints of the candidates (null when the org does not have one). A read holding exactly the files of
   * `known` for its component (same paths, same bytes: `sameFiles`) gets their fingerprint without being parsed; any
   * other read is fingerprinted. Profiles are always fingerprinted (on their touched elements).
   */
  private async live(
    ctx: JobContext,
    { session, snapshot, candidates, entryByKey, onSubmitted }: LiveRead,
    known: () => Promise<Map<string, KnownFiles>>,
    profileFiles?: Map<string, string>,
  ): Promise<Map<string, string | null>> {
    // A profile is read with the components its backup was read with, and compared on the elements the deploy touched.
    const profiles = profileLiveRead(candidates.flatMap((c) => entryByKey.get(componentKey(c)) ?? []));
    const live = new Map<string, string | null>(candidates.map((c) => [componentKey(c), null]));
    await retrieveComponents(
      session,
      candidates.map((c) => ({
        ref: { type: c.type, fullName: c.fullName },
        fileCount: Math.max(1, entryByKey.get(componentKey(c))?.files?.length ?? 1),
        bytes: (entryByKey.get(componentKey(c))?.files ?? []).reduce((n, f) => n + f.size, 0),
      })),
      // compared in the format the snapshot stores: the retrieved bytes for metadata-format snapshots
      {
        signal: ctx.signal,
        pollCeilingMs: this.config.DEPLOY_POLL_MAX_SECONDS * 1000,
        onSubmitted,
        format: retrieveFormatOf(snapshot),
        companions: profiles.companions,
        // each chunk is fingerprinted as it arrives and its files dropped: memory stays at about two chunks
        collect: false,
        onChunk: async (chunk) => {
          const knownFiles = await known();
          for (const found of chunk.found) {
            const xml = profiles.xml(found);
            if (xml !== undefined) profileFiles?.set(componentKey(found), xml);
            const key = componentKey(found);
            // a profile's live fingerprint covers its touched elements only: never a whole file's
            const same = isProfileLike(found.type) ? undefined : knownFiles.get(key);
            live.set(key, knownFingerprint(found.files, same) ?? profiles.fingerprint(found));
          }
        },
      },
    );
    return live;
  }

  /** The deployed revision's stored files and fingerprint of each candidate it holds (by componentKey). */
  private async deployedFiles(revisionId: string | null, candidates: Candidate[]): Promise<Map<string, KnownFiles>> {
    if (!revisionId) return new Map();
    const rows = await this.branches.revisionComponents(revisionId, candidates);
    return new Map(rows.map((r) => [componentKey(r), { files: r.files, fingerprint: r.fingerprint }]));
  }

  /** Drift of flows, read through the Tooling API: their active or latest version is not what the deploy left. */
  private async checkFlowDrift(ctx: JobContext, session: MetadataSession, targets: FlowTarget[]): Promise<Candidate[]> {
    if (targets.length === 0) return [];
    const live = new Map(
      (await session.flowDefinitions(targets.map((t) => t.candidate.fullName))).map((f) => [
        f.developerName.toLowerCase(),
        f,
      ]),
    );
    const conflicts: Candidate[] = [];
    for (const { candidate, facts } of targets) {
      const drift = flowDrift(facts, live.get(candidate.fullName.toLowerCase()));
      ctx.log(drift ? 'warn' : 'info', drift ?? 'No drift: the flow has the versions the deploy left.', candidate);
      if (drift) conflicts.push(candidate);
      await ctx.upsertComponents([
        {
          type: candidate.type,
          fullName: candidate.fullName,
          parentType: null,
          parentFullName: null,
          action: candidate.rollbackAction,
          status: 'Pending',
          details: { drift: drift ? 'drifted' : 'unchanged' },
        },
      ]);
    }
    return conflicts;
  }

  /**
   * Live state vs. what the deploy left. Returns the drifted candidates, and for those a later Backtrack deploy of
   * the org changed, the sentence naming it (`explained`, by componentKey); other drifts keep the generic sentence.
   */
  private async checkDrift(
    ctx: JobContext,
    read: LiveRead,
    planned: () => Promise<void>,
  ): Promise<{ conflicts: Candidate[]; explained: Map<string, string> }> {
    const { candidates, entryByKey } = read;
    const started = Date.now();
    // a component the org still holds byte for byte as the deploy's revision has it has the revision's fingerprint;
    // those files are read while the org prepares the retrieves: asked for once they are submitted, after the restore
    // package's files (the package is then built from those while this read is answered)
    const deployed = startOnce(() => this.deployedFiles(ctx.job.revisionId, candidates));
    const onSubmitted = () => {
      read.onSubmitted?.();
      void deployed();
    };
    const live = await this.live(ctx, { ...read, onSubmitted }, deployed);
    const retrieved = secondsSince(started);
    const verdicts = candidates.map((c) =>
      driftVerdict(c, entryByKey.get(componentKey(c))!.fingerprintAfter, live.get(componentKey(c)) ?? null),
    );
    const conflicts = candidates.filter((_, i) => verdicts[i] !== 'unchanged');
    const driftOf = new Map(candidates.map((c, i) => [componentKey(c), verdicts[i]!]));
    const explained = await this.explainDrift(ctx.job.parentJobId!, conflicts);
    await planned();
    candidates.forEach((c, i) =>
      ctx.log(
        verdicts[i] === 'unchanged' ? 'info' : 'warn',
        explained.get(componentKey(c)) ?? describeDrift(verdicts[i]!),
        c,
      ),
    );
    // The Pending rows of the components that did not drift take their verdict in one statement; the others (and
    // all of them when a resumed attempt may not have written its Pending rows) are written one by one.
    const oneByOne = ctx.resumed ? candidates : conflicts;
    if (!ctx.resumed) await ctx.settlePending({ details: { drift: 'unchanged' } }, [...conflicts, ...read.others]);
    await ctx.upsertComponents(
      oneByOne.map((c) => ({
        type: c.type,
        fullName: c.fullName,
        parentType: c.parent?.type ?? null,
        parentFullName: c.parent?.fullName ?? null,
        action: c.rollbackAction,
        status: 'Pending',
        details: { drift: driftOf.get(componentKey(c))! },
      })),
    );
    ctx.log(
      conflicts.length ? 'warn' : 'info',
      `Drift check: ${candidates.length - conflicts.length} component(s) as the deploy left them, ${conflicts.length} changed in the org since (live state read in ${retrieved})`,
    );
    return { conflicts, explained };
  }

  /** The drifts a later deploy of the org explains: componentKey → the sentence naming that deploy. */
  private async explainDrift(deployJobId: string, drifted: Candidate[]): Promise<Map<string, string>> {
    const changes = await this.laterDeploys.changes(deployJobId, drifted);
    return new Map([...changes].map(([key, change]) => [key, laterDeployDrift(change)]));
  }

  /**
   * The restore package: snapshot files of updated and deleted components, destructiveChangesPost for created ones.
   * Files a metadata-format snapshot holds as retrieved go into the zip byte for byte; the package uses the API
   * version of the backup retrieves. `onFilesRead` is called once the backup's files are read (its large query).
   */
  private async package(
    { snapshot, candidates, entryByKey, profilePlans }: LiveRead,
    revisionId: string | null,
    onFilesRead: () => void = () => undefined,
  ): Promise<RestorePackage> {
    const restores = candidates.filter((c) => c.rollbackAction !== 'delete');
    const addresses = restores.flatMap((c) => entryByKey.get(componentKey(c))!.files!.map((f) => f.sha256));
    const contents = await this.blobs.getMany(addresses);
    onFilesRead();
    // the fingerprint check keys on each file's address
    const components: StoredComponent[] = restores.map((c) => ({
      type: c.type,
      fullName: c.fullName,
      ...(c.parent ? { parent: c.parent } : {}),
      files: entryByKey
        .get(componentKey(c))!
        .files!.map((f) => ({ path: f.path, content: contents.get(f.sha256)!, sha256: f.sha256 })),
    }));
    const memo = new CanonicalMemo(addresses);
    // in slices: the drift check's answers are read meanwhile, not after thousands of fingerprints
    const fingerprints = await mapInSlices(components, (c) => fingerprintComponent(c.files, memo));
    const altered = components.filter((c, i) => fingerprints[i] !== entryByKey.get(componentKey(c))!.fingerprintBefore);
    const alteredKeys = new Set(altered.map(componentKey));
    const intact = new Set(components.map(componentKey).filter((key) => !alteredKeys.has(key)));
    // a profile is restored element by element (profile-restore.ts), not with its backed-up file
    const profiles = await profilePlans();
    for (const c of components) {
      const plan = profiles.get(componentKey(c));
      if (plan) c.files = [{ path: c.files[0]!.path, content: Buffer.from(plan.xml) }];
    }
    const toDelete = candidates.filter((c) => c.rollbackAction === 'delete');
    const deletes = [
      ...destructiveMembers(toDelete, await this.deletionUses(toDelete, revisionId)),
      ...(await this.labelsToDelete(components, revisionId)),
    ];
    const exact = components.filter((c) => isStoredExactly(snapshot, c.type));
    const pkg = await buildDeployZip({
      components: components.filter((c) => !isStoredExactly(snapshot, c.type)),
      exact,
      destructive: deletes.length ? { post: deletes, ordered: true } : undefined,
      apiVersion: await this.snapshots.restoreApiVersion(snapshot),
    });
    return { ...pkg, restores: components.length, deletions: deletes.length, altered, intact };
  }

  /**
   * The element-wise restore of each profile and permission set this rollback restores (whose backup recorded its
   * elements), from the backup's file and the file the deploy sent.
   */
  private async profileRestores(
    candidates: Candidate[],
    entryByKey: Map<string, SnapshotComponent>,
    revisionId: string | null,
  ): Promise<Map<string, ProfileRestore>> {
    const restores = candidates.filter(
      (c) =>
        isProfileLike(c.type) &&
        c.rollbackAction === 'restore' &&
        profileDetailsOf(entryByKey.get(componentKey(c))?.details),
    );
    if (restores.length === 0 || !revisionId) return new Map();
    const files = restores.map((c) => entryByKey.get(componentKey(c))!.files![0]!);
    const blobs = await this.blobs.getMany(files.map((f) => f.sha256));
    const rows = (await this.branches.revisionComponents(revisionId)).filter((r) =>
      restores.some((c) => sameComponent(r, c)),
    );
    const deployed = await this.branches.loadComponents(revisionId, rows);
    const deleting = new Set(candidates.filter((c) => c.rollbackAction === 'delete').map(componentKey));
    return new Map(
      restores.flatMap((c, i) => {
        const sent = profileXml(deployed.find((d) => sameComponent(d, c))?.files ?? []);
        const before = blobs.get(files[i]!.sha256)?.toString('utf8');
        if (sent === undefined || before === undefined) return [];
        return [
          [componentKey(c), planProfileRestore({ before, deployed: sent, deletedByRollback: deleting })] as const,
        ];
      }),
    );
  }

  /**
   * What uses what among the created components this rollback deletes, read from the files the deploy sent (the
   * revision): orders a class before the class it uses. Loaded only when two deletions of such a type could refer to
   * each other.
   */
  private async deletionUses(toDelete: Candidate[], revisionId: string | null) {
    if (!revisionId || !needsUseOrder(toDelete)) return undefined;
    const wanted = new Set(toDelete.map(componentKey));
    const rows = (await this.branches.revisionComponents(revisionId)).filter((r) => wanted.has(componentKey(r)));
    return usesByName(await this.branches.loadComponents(revisionId, rows));
  }

  /** Labels the deploy added to a CustomLabels file this rollback restores: restoring the file leaves them. */
  private async labelsToDelete(restores: ResolvedComponent[], revisionId: string | null): Promise<MemberRef[]> {
    const labels = restores.filter((c) => c.type === 'CustomLabels');
    if (labels.length === 0 || !revisionId) return [];
    const deployed = (await this.branches.revisionComponents(revisionId)).filter((r) => r.type === 'CustomLabels');
    const after = await this.branches.loadComponents(revisionId, deployed);
    return labels.flatMap((c) =>
      labelsAddedBy(
        c.files,
        after.filter((a) => sameComponent(a, c)).flatMap((a) => a.files),
      ),
    );
  }

  /** The rollback deploy's id; null when the answer was lost (Salesforce may have started it). */
  private async submit(
    ctx: JobContext,
    session: MetadataSession,
    pkg: RestorePackage,
    options: RollbackJobOptions,
  ): Promise<string | null> {
    // A refusal is thrown (nothing was started; the claims are released by afterException).
    const asyncId = await submitOnce(ctx, 'rollback', () => this.startDeploy(session, pkg, options));
    if (!asyncId) return null;
    ctx.log(
      'info',
      `Submitted to Salesforce as deploy ${asyncId}: ${pkg.restores} restore(s), ${pkg.deletions} deletion(s) in destructiveChangesPost.xml`,
    );
    return asyncId;
  }

  /**
   * The answer to the rollback's submission was lost: the org's recent deploys are asked for the one this job
   * started (see findLostDeployId). Exactly one match is adopted and polled; otherwise null.
   */
  private async findLostDeploy(
    ctx: JobContext,
    session: MetadataSession,
    options: RollbackJobOptions,
  ): Promise<string | null> {
    const found = await findLostDeployId(ctx, session, {
      submittedAt: (ctx.job.state as RollbackJobState).submittedAt,
      checkOnly: options.checkOnly,
      what: 'rollback',
      waitMs: Math.max(1_000, this.config.DEPLOY_POLL_MAX_SECONDS * 1_000),
      knownIds: () => this.jobs.knownAsyncIds(ctx.job.orgId!, ctx.job.id),
    });
    if (found) await ctx.saveState({ asyncId: found, asyncIdSource: 'recentDeploys' });
    return found;
  }

  /**
   * Whether Salesforce applied the rollback is unknown (its deploy could not be found): said so, and the
   * components stay claimed (afterException keeps the claims of a rollback that may have reached Salesforce).
   */
  private async unknownOutcome(
    ctx: JobContext,
    rows: (status: ComponentRow['status'], extra: (c: Candidate) => Partial<ComponentRow>) => ComponentRow[],
  ): Promise<JobOutcome> {
    await ctx.upsertComponents(
      rows('Skipped', () => ({ problem: 'Unknown: whether Salesforce applied the rollback could not be learned.' })),
    );
    await ctx.setProgress({ phase: 'Unknown' });
    const error =
      "Outcome unknown: the answer to the rollback's submission was lost and the org's recent deploys do not show " +
      "which deploy is this rollback's. Salesforce may have applied it — check the org's Deployment Status page. " +
      'The components stay claimed by this rollback.';
    ctx.log('error', error);
    return { status: 'Exception', error };
  }

  private startDeploy(session: MetadataSession, pkg: RestorePackage, options: RollbackJobOptions): Promise<string> {
    return session.startDeploy(pkg.zip, {
      singlePackage: true,
      rollbackOnError: true,
      checkOnly: options.checkOnly,
      ...(options.testLevel ? { testLevel: options.testLevel } : {}),
      ...(options.runTests?.length ? { runTests: options.runTests } : {}),
    });
  }

  private poll(
    ctx: JobContext,
    session: MetadataSession,
    asyncId: string,
    total: number,
    onDone: (status: DeployStatus) => void,
  ): Promise<DeployStatus> {
    let last = '';
    return pollDeploy(session, asyncId, {
      signal: ctx.signal,
      ceilingMs: this.config.DEPLOY_POLL_MAX_SECONDS * 1000,
      onDone,
      ...jobCancelOptions(ctx, this.config.DEPLOY_TIMEOUT_MINUTES, 'rollback'),
      onStatus: async (status) => {
        if (status.status !== last) ctx.log('info', `Salesforce: ${(last = status.status)}`);
        await ctx.setProgress({
          phase: status.done ? status.status : `Rolling back (${status.status})`,
          componentsDone: Math.min(total, status.numberComponentsDeployed),
          componentsTotal: total,
        });
      },
    });
  }

  /**
   * Retrieves the rolled-back components again and compares each with the snapshot; returns those that differ.
   * `intact`: the restored components whose stored files this attempt checked against their fingerprint. Its lines are
   * written once `logAfter` settles.
   */
  private async verify(
    ctx: JobContext,
    read: LiveRead,
    intact?: Set<string>,
    logAfter?: Promise<void>,
  ): Promise<MemberRef[]> {
    const { candidates, entryByKey } = read;
    // written while the retrieves are submitted, not before
    const progress = ctx.setProgress({ phase: 'Verifying' });
    progress.catch(() => undefined);
    const started = Date.now();
    const profileFiles = new Map<string, string>();
    // a restored component read back as the backup's stored bytes has the backup's fingerprint
    const asBackedUp = new Map<string, KnownFiles>();
    for (const key of intact ?? []) {
      const entry = entryByKey.get(key);
      if (entry?.files && entry.fingerprintBefore) {
        asBackedUp.set(key, { files: entry.files, fingerprint: entry.fingerprintBefore });
      }
    }
    const live = await this.live(ctx, read, () => Promise.resolve(asBackedUp), profileFiles);
    const retrieved = secondsSince(started);
    await progress;
    const profiles = await read.profilePlans();
    await logAfter;
    const mismatches: MemberRef[] = [];
    for (const c of candidates) {
      const plan = profiles.get(componentKey(c));
      if (plan) {
        const differences = elementMismatches(plan.expected, profileFiles.get(componentKey(c)));
        if (differences.length) mismatches.push(c);
        for (const d of differences) ctx.log('error', `Verification failed: ${d}`, c);
        if (!differences.length) ctx.log('info', verifiedLine(plan), c);
        const irreversible = irreversibleLine(plan);
        if (irreversible) ctx.log('warn', irreversible, c);
        continue;
      }
      const now = live.get(componentKey(c)) ?? null;
      const ok =
        c.rollbackAction === 'delete' ? now === null : now === entryByKey.get(componentKey(c))!.fingerprintBefore;
      if (!ok) mismatches.push(c);
      const message = ok
        ? c.rollbackAction === 'delete'
          ? 'Verified: no longer in the org, as before the deploy'
          : 'Verified: the org matches the snapshot'
        : c.rollbackAction === 'delete'
          ? 'Verification failed: still in the org'
          : 'Verification failed: the org differs from the snapshot';
      ctx.log(ok ? 'info' : 'error', message, c);
    }
    ctx.log(
      mismatches.length ? 'error' : 'info',
      `Verification: ${candidates.length - mismatches.length} of ${candidates.length} component(s) match the snapshot (live state read in ${retrieved})`,
    );
    return mismatches;
  }
}

/** The answer of a rollback that deploys nothing (only flows, put back through their versions). */
function nothingDeployed(checkOnly: boolean): DeployStatus {
  return {
    id: '',
    done: true,
    status: 'Succeeded',
    success: true,
    checkOnly,
    numberComponentsTotal: 0,
    numberComponentsDeployed: 0,
    numberComponentErrors: 0,
    numberTestsTotal: 0,
    numberTestsCompleted: 0,
    numberTestErrors: 0,
    messages: [],
  };
}

function failuresByComponent(messages: DeployMessage[]): Map<string, DeployMessage> {
  const out = new Map<string, DeployMessage>();
  for (const m of messages) {
    if (m.componentType && (!m.success || m.problemType === 'Error'))
      out.set(componentKey({ type: m.componentType, fullName: m.fullName }), m);
  }
  return out;
}

function pastTense(action: string): string {
  return (
    { delete: 'deleted', restore: 'restored from the snapshot', recreate: 'recreated from the snapshot' }[action] ??
    action
  );
}

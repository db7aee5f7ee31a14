import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { BlobStore } from '../blobs/blob-store.js';
import { BranchesService } from '../branches/branches.service.js';
import type { RevisionComponent, StoredFile } from '../branches/revision-component.entity.js';
import { AppError, BadGatewayError, BadRequestError, GoneError } from '../common/errors.js';
import { hasAsciiControl } from '../common/text.js';
import { CONFIG } from '../config/config.module.js';
import type { Config } from '../config/config.js';
import { JobsService } from '../jobs/jobs.service.js';
import { OrgConnections } from '../orgs/org-connections.service.js';
import { memberKey, type MemberRef } from '../salesforce/component.types.js';
import { sameComponent } from '../salesforce/component-key.js';
import { buildDeployZip } from '../salesforce/deploy-package.js';
import { exactComponentsOf } from '../salesforce/retrieve-split.js';
import { retrieveComponents } from '../snapshots/org-retriever.js';
import { companionTargets, profileDetailsOf, touchedFingerprint } from '../snapshots/profile-backup.js';
import { isStoredExactly } from '../snapshots/snapshot-format.js';
import { SnapshotsService } from '../snapshots/snapshots.service.js';
import { componentDiff, type DiffInputFile } from './component-diff.js';

/** A live read is one small retrieve; past this the request answers 502 instead of hanging. */
const LIVE_TIMEOUT_MS = 60_000;

const ROLLBACK_ACTION: Record<string, string> = { create: 'delete', update: 'restore', delete: 'recreate' };

/** A metadata type name (`ApexClass`, `CustomField`) and a member name as the Metadata API spells them. */
export function checkMemberName(type: string, fullName: string): string | null {
  if (!/^[A-Za-z][A-Za-z0-9_]{0,79}$/.test(type))
    return `"${type}" is not a metadata type name: use one like ApexClass or CustomField.`;
  if (fullName.length === 0 || fullName.length > 255)
    return 'The component name must be 1 to 255 characters, e.g. Account.Tier__c.';
  if (hasAsciiControl(fullName) || fullName.includes('*'))
    return 'The component name holds control characters or a wildcard: name one component, e.g. Account.Tier__c.';
  return null;
}

/**
 * What a rollback would put back, file by file: the snapshot taken before the deploy, what the deploy left, and
 * (when asked, with one small retrieve) what the org holds now.
 */
@Injectable()
export class ComponentDiffService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(CONFIG) private readonly config: Config,
    private readonly jobs: JobsService,
    private readonly snapshots: SnapshotsService,
    private readonly blobs: BlobStore,
    private readonly connections: OrgConnections,
    private readonly branches: BranchesService,
  ) {}

  async diff(jobId: string, ref: MemberRef, live: boolean) {
    const problem = checkMemberName(ref.type, ref.fullName);
    if (problem) throw new BadRequestError(problem);
    const job = await this.jobs.get(jobId);
    const deploy = job.kind === 'Rollback' && job.parentJobId ? await this.jobs.get(job.parentJobId) : job;
    if (deploy.kind !== 'Deploy')
      throw new BadRequestError(
        `Job ${jobId} is a ${deploy.kind} job: diffs are shown for Deploy jobs and their rollbacks.`,
      );
    const snapshot = await this.snapshots.forJob(deploy.id);
    if (!snapshot) {
      throw new AppError(
        404,
        `Deploy ${deploy.id} has no backup snapshot (a validation changes nothing; a deploy that never started has none), so there is nothing to compare.`,
      );
    }
    const [entry] = await this.snapshots.componentsOf(snapshot.id, [ref]);
    if (!entry)
      throw new AppError(
        404,
        `${memberKey(ref)} is not a component of deploy ${deploy.id}: pick one from GET /api/jobs/${deploy.id}/components.`,
      );
    if (snapshot.status === 'pruned' || (entry.existed && !entry.files)) {
      throw new GoneError(
        `The backup snapshot of deploy ${deploy.id} has expired (kept ${this.config.SNAPSHOT_RETENTION_DAYS} days): its files are gone.`,
      );
    }

    const action = entry.deployAction;
    // every side in the snapshot's form: the bytes Salesforce stores (metadata format) where the backup kept those
    const exact = isStoredExactly(snapshot, ref.type);
    const revisionRow =
      action === 'create' || action === 'update' ? await this.revisionComponent(deploy.revisionId!, ref) : null;
    const contents = await this.blobs.getMany(
      [...(entry.files ?? []), ...(revisionRow?.files ?? [])].map((f) => f.sha256),
    );
    const load = (files: StoredFile[] | null): DiffInputFile[] | null =>
      files && files.map((f) => ({ path: f.path, content: contents.get(f.sha256)! }));
    // a deleted component left nothing; an unchanged one (or one the deploy did not apply) left the snapshot
    const deployed: DiffInputFile[] | null =
      action === 'delete'
        ? null
        : revisionRow
          ? exact
            ? await this.asDeployed(deploy.revisionId!, revisionRow, snapshot.apiVersion)
            : load(revisionRow.files)
          : load(entry.files);
    // a profile is read with the components its backup was read with (Salesforce returns only the permissions about them)
    // and compared on the elements the deploy touched: the deployed file holds only those
    const profile = profileDetailsOf(entry.details);
    const liveFiles = live
      ? await this.live(deploy.orgId!, ref, entry.files, exact, profile?.retrievedWith ?? [])
      : undefined;
    const result = componentDiff(
      { snapshot: load(entry.files), deployed, ...(live ? { live: liveFiles ?? null } : {}) },
      profile ? sameTouchedElements(profile.touched) : undefined,
    );
    return {
      deployJobId: deploy.id,
      type: entry.type,
      fullName: entry.fullName,
      existedBefore: entry.existed,
      deployAction: action,
      rollbackAction: action ? (ROLLBACK_ACTION[action] ?? null) : null,
      liveChecked: live,
      ...result,
    };
  }

  /** The revision's row of the component (names compared as Salesforce does, without case). */
  private async revisionComponent(revisionId: string, ref: MemberRef): Promise<RevisionComponent | null> {
    const rows: RevisionComponent[] = await this.db.query(
      `SELECT type, full_name AS "fullName", parent_type AS "parentType", parent_full_name AS "parentFullName", files
         FROM revision_components WHERE revision_id = $1 AND type = $2 AND lower(full_name) = lower($3)`,
      [revisionId, ref.type, ref.fullName],
    );
    return rows.find((r) => sameComponent(r, ref)) ?? null;
  }

  /** What the deploy sent of a component, in metadata format (SDR's conversion, as the deploy package built it). */
  private async asDeployed(
    revisionId: string,
    row: RevisionComponent,
    apiVersion: string | null,
  ): Promise<DiffInputFile[] | null> {
    const components = await this.branches.loadComponents(revisionId, [row]);
    const revision = await this.branches.revisionById(revisionId);
    const { zip } = await buildDeployZip({ components, apiVersion: apiVersion ?? revision.apiVersion ?? '60.0' });
    const [converted] = await exactComponentsOf(zip, [row]);
    return converted?.files ?? null;
  }

  /** The org's files of the component now (one retrieve); null when the org does not have it. */
  private async live(
    orgId: string,
    ref: MemberRef,
    sized: StoredFile[] | null,
    exact: boolean,
    companions: MemberRef[],
  ): Promise<DiffInputFile[] | null> {
    const session = await this.connections.open(orgId);
    const bytes = (sized ?? []).reduce((n, f) => n + f.size, 0);
    const target = { ref, fileCount: Math.max(1, sized?.length ?? 1), bytes };
    try {
      const { found } = await retrieveComponents(session, [target], {
        pollCeilingMs: this.config.DEPLOY_POLL_MAX_SECONDS * 1000,
        signal: AbortSignal.timeout(LIVE_TIMEOUT_MS),
        format: exact ? 'stored' : 'source',
        companions: companionTargets(companions),
      });
      return found.find((c) => sameComponent(c, ref))?.files ?? null;
    } catch (error) {
      if (error instanceof AppError) throw error;
      throw new BadGatewayError(
        `Reading ${memberKey(ref)} from the org failed (${(error as Error).message}); ask again without live=true ` +
          'to see the snapshot and the deploy only.',
      );
    }
  }
}

/** A profile's two sides are the same when the elements its deploy touched are (see touchedFingerprint). */
function sameTouchedElements(touched: readonly string[]) {
  return (a: Buffer, b: Buffer): boolean =>
    touchedFingerprint(a.toString('utf8'), touched) === touchedFingerprint(b.toString('utf8'), touched);
}

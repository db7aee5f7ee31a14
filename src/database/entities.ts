import { ApiToken } from '../auth/api-token.entity.js';
import { Blob } from '../blobs/blob.entity.js';
import { Branch } from '../branches/branch.entity.js';
import { RevisionComponent } from '../branches/revision-component.entity.js';
import { Revision } from '../branches/revision.entity.js';
import { JobComponent } from '../jobs/job-component.entity.js';
import { Job } from '../jobs/job.entity.js';
import { Org } from '../orgs/org.entity.js';
import { ExecutionRollback, ExecutionStage } from '../platform/executions/execution-stage.entity.js';
import { Infrastructure } from '../platform/infrastructures/infrastructure.entity.js';
import { PackageVersion } from '../platform/packages/package-version.entity.js';
import { Pipeline, PipelineVersion } from '../platform/pipelines/pipeline.entity.js';
import { Release } from '../platform/releases/release.entity.js';
import { Service } from '../platform/services/service.entity.js';
import { RollbackClaim } from '../rollbacks/rollback-claim.entity.js';
import { HealthSource, MonitoredService, RollbackPolicy, Slo, SloDecision } from '../slo/slo.entity.js';
import { SnapshotComponent } from '../snapshots/snapshot-component.entity.js';
import { Snapshot } from '../snapshots/snapshot.entity.js';
import { InitialSchema1763780000000 } from '../../migrations/1763780000000-InitialSchema.js';
import { DropJobsPhase1796151000000 } from '../../migrations/1796151000000-DropJobsPhase.js';
import { IdempotencyKeysExpiry1796151000001 } from '../../migrations/1796151000001-IdempotencyKeysExpiry.js';
import { SnapshotFilesFormat1796152000000 } from '../../migrations/1796152000000-SnapshotFilesFormat.js';
import { RevisionDestructiveChanges1796152000001 } from '../../migrations/1796152000001-RevisionDestructiveChanges.js';
import { SnapshotComponentDetails1796153000000 } from '../../migrations/1796153000000-SnapshotComponentDetails.js';
import { ServicesAndInfrastructures1796154000000 } from '../../migrations/1796154000000-ServicesAndInfrastructures.js';
import { PlatformExecutions1796155000000 } from '../../migrations/1796155000000-PlatformExecutions.js';
import { PackagesAndReleases1796156000000 } from '../../migrations/1796156000000-PackagesAndReleases.js';
import { SloRollbackPolicies1796157000000 } from '../../migrations/1796157000000-SloRollbackPolicies.js';
import { SnapshotComponentsFillfactor1796158000000 } from '../../migrations/1796158000000-SnapshotComponentsFillfactor.js';
import { JobComponentsFillfactor1796159000000 } from '../../migrations/1796159000000-JobComponentsFillfactor.js';
import { JobLogsKeyedBySeq1796160000000 } from '../../migrations/1796160000000-JobLogsKeyedBySeq.js';
import { RowsWithoutParentChecks1796161000000 } from '../../migrations/1796161000000-RowsWithoutParentChecks.js';
import { RetrievedBackups1796162000000 } from '../../migrations/1796162000000-RetrievedBackups.js';
import { BlobDeltas1796163000000 } from '../../migrations/1796163000000-BlobDeltas.js';
import { JobLogBlocks1796164000000 } from '../../migrations/1796164000000-JobLogBlocks.js';
import { MemberLookupIndexes1796165000000 } from '../../migrations/1796165000000-MemberLookupIndexes.js';
import { RevisionDeployEstimate1796166000000 } from '../../migrations/1796166000000-RevisionDeployEstimate.js';

export const ENTITIES = [
  ApiToken,
  Org,
  Blob,
  Branch,
  Revision,
  RevisionComponent,
  Job,
  JobComponent,
  Snapshot,
  SnapshotComponent,
  RollbackClaim,
  Service,
  Infrastructure,
  Pipeline,
  PipelineVersion,
  ExecutionStage,
  ExecutionRollback,
  PackageVersion,
  Release,
  HealthSource,
  MonitoredService,
  Slo,
  RollbackPolicy,
  SloDecision,
];

/** In order; a migration is never edited once it has landed — add a new one. */
export const MIGRATIONS = [
  InitialSchema1763780000000,
  DropJobsPhase1796151000000,
  IdempotencyKeysExpiry1796151000001,
  SnapshotFilesFormat1796152000000,
  RevisionDestructiveChanges1796152000001,
  SnapshotComponentDetails1796153000000,
  ServicesAndInfrastructures1796154000000,
  PlatformExecutions1796155000000,
  PackagesAndReleases1796156000000,
  SloRollbackPolicies1796157000000,
  SnapshotComponentsFillfactor1796158000000,
  JobComponentsFillfactor1796159000000,
  JobLogsKeyedBySeq1796160000000,
  RowsWithoutParentChecks1796161000000,
  RetrievedBackups1796162000000,
  BlobDeltas1796163000000,
  JobLogBlocks1796164000000,
  MemberLookupIndexes1796165000000,
  RevisionDeployEstimate1796166000000,
];

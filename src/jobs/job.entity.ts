import { Column, Entity, PrimaryColumn } from 'typeorm';

export const JOB_STATUSES = ['Queued', 'In Progress', 'Completed', 'Exception'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
export type JobKind = 'Deploy' | 'Rollback';
/**
 * What a job works on, which picks its handler (ADR 0014): `salesforce` jobs deploy to or roll back one org (an
 * infrastructure of kind `salesforce`); `pipeline` jobs are executions of a pipeline and their rollbacks, whose stages
 * each name their own infrastructure.
 */
export type JobTarget = 'salesforce' | 'pipeline';

export interface JobProgress {
  phase?: string;
  componentsDone?: number;
  componentsTotal?: number;
}

@Entity('jobs')
export class Job {
  @PrimaryColumn('uuid') id!: string;
  @Column('text') kind!: JobKind;
  @Column('text') status!: JobStatus;
  @Column('uuid', { name: 'branch_id', nullable: true }) branchId!: string | null;
  @Column('uuid', { name: 'org_id', nullable: true }) orgId!: string | null;
  /** The infrastructure the job changes (for an org's jobs, the org's `salesforce` infrastructure). */
  @Column('uuid', { name: 'infrastructure_id', nullable: true }) infrastructureId!: string | null;
  /** For an execution (and its rollback): the pipeline and the version of its definition that ran. */
  @Column('uuid', { name: 'pipeline_id', nullable: true }) pipelineId!: string | null;
  @Column('integer', { name: 'pipeline_version', nullable: true }) pipelineVersion!: number | null;
  /** For a deployment of a release (issue 14): the release it deploys. */
  @Column('uuid', { name: 'release_id', nullable: true }) releaseId!: string | null;
  @Column('uuid', { name: 'revision_id', nullable: true }) revisionId!: string | null;
  @Column('uuid', { name: 'parent_job_id', nullable: true }) parentJobId!: string | null;
  /** What was asked (components, testLevel, checkOnly, …) — kind-specific, validated at the API. */
  @Column('jsonb', { default: {} }) options!: Record<string, unknown>;
  @Column('jsonb', { default: {} }) progress!: JobProgress;
  @Column('jsonb', { default: {} }) counts!: Record<string, number>;
  /** What a resumed worker needs (for example Salesforce's async deploy id), written before it is relied on. */
  @Column('jsonb', { default: {} }) state!: Record<string, unknown>;
  @Column('text', { nullable: true }) error!: string | null;
  @Column('uuid', { name: 'created_by', nullable: true }) createdBy!: string | null;
  @Column('text', { name: 'created_by_name', nullable: true }) createdByName!: string | null;
  @Column('timestamptz', { name: 'created_at', default: () => 'now()' }) createdAt!: Date;
  @Column('timestamptz', { name: 'started_at', nullable: true }) startedAt!: Date | null;
  @Column('timestamptz', { name: 'finished_at', nullable: true }) finishedAt!: Date | null;
  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' }) updatedAt!: Date;
  /** Incremented on every change: the ETag of GET /api/jobs/:id. */
  @Column('integer', { default: 1 }) version!: number;
  @Column('integer', { default: 0 }) attempts!: number;
  @Column('text', { name: 'lease_owner', nullable: true }) leaseOwner!: string | null;
  @Column('timestamptz', { name: 'lease_expires_at', nullable: true }) leaseExpiresAt!: Date | null;
}

/** The handler family of a job: an execution of a pipeline (or its rollback), or an org's deploy or rollback. */
export function jobTarget(job: Pick<Job, 'pipelineId'>): JobTarget {
  return job.pipelineId ? 'pipeline' : 'salesforce';
}

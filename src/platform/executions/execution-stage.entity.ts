import { Column, Entity, PrimaryColumn } from 'typeorm';

export const STAGE_STATUSES = ['Queued', 'In Progress', 'Completed', 'Exception', 'Skipped'] as const;
export type StageStatus = (typeof STAGE_STATUSES)[number];

/**
 * One stage of an execution (a `Deploy` job with a pipeline) or of its rollback (a `Rollback` job whose parent is the
 * execution; `source_stage_id` points at the stage it rolls back). Everything a rollback needs is here, resolved:
 * the spec and rollback steps as they ran, the provider's outputs and the rollback data it captured before it
 * changed anything. A rollback never reads today's pipeline definition.
 */
@Entity('execution_stages')
export class ExecutionStage {
  @PrimaryColumn('uuid') id!: string;
  @Column('uuid', { name: 'job_id' }) jobId!: string;
  @Column('integer') position!: number;
  @Column('text') name!: string;
  @Column('text') kind!: string;
  @Column('uuid', { name: 'service_id', nullable: true }) serviceId!: string | null;
  @Column('uuid', { name: 'infrastructure_id' }) infrastructureId!: string;
  @Column('text') environment!: string;
  /** The stage's spec with every expression resolved, exactly as it ran. */
  @Column('jsonb') spec!: Record<string, unknown>;
  /** The stage's own rollback steps, resolved with this execution's values. */
  @Column('jsonb', { name: 'rollback_steps', default: [] }) rollbackSteps!: Record<string, unknown>[];
  @Column('text', { name: 'failure_strategy', default: 'fail' }) failureStrategy!: 'fail' | 'ignore';
  @Column('text', { default: 'Queued' }) status!: StageStatus;
  @Column('text', { nullable: true }) artifact!: string | null;
  @Column('jsonb', { default: {} }) outputs!: Record<string, unknown>;
  /** What the provider captured before the stage changed anything (null until captured). */
  @Column('jsonb', { name: 'rollback_data', nullable: true }) rollbackData!: Record<string, unknown> | null;
  /** The provider's resumable progress (steps recorded before they are sent). */
  @Column('jsonb', { default: {} }) state!: Record<string, unknown>;
  @Column('uuid', { name: 'source_stage_id', nullable: true }) sourceStageId!: string | null;
  /** For a `salesforce` stage: the Deploy (or Rollback) job it ran. */
  @Column('uuid', { name: 'child_job_id', nullable: true }) childJobId!: string | null;
  @Column('text', { nullable: true }) error!: string | null;
  @Column('timestamptz', { name: 'started_at', nullable: true }) startedAt!: Date | null;
  @Column('timestamptz', { name: 'finished_at', nullable: true }) finishedAt!: Date | null;
}

/** The one rollback an execution may have (exactly one of concurrent requests inserts it). */
@Entity('execution_rollbacks')
export class ExecutionRollback {
  @PrimaryColumn('uuid', { name: 'execution_id' }) executionId!: string;
  @Column('uuid', { name: 'rollback_job_id' }) rollbackJobId!: string;
  @Column('timestamptz', { name: 'created_at', default: () => 'now()' }) createdAt!: Date;
}

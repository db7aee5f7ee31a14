import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One row per component of a deploy that a rollback has taken: the primary key makes a second claim fail. */
@Entity('rollback_claims')
export class RollbackClaim {
  @PrimaryColumn('uuid', { name: 'deploy_job_id' }) deployJobId!: string;
  @PrimaryColumn('text') type!: string;
  @PrimaryColumn('text', { name: 'full_name' }) fullName!: string;
  @Column('uuid', { name: 'rollback_job_id' }) rollbackJobId!: string;
  @Column('timestamptz', { name: 'created_at', default: () => 'now()' }) createdAt!: Date;
}

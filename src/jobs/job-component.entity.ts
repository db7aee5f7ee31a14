import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type ComponentAction = 'create' | 'update' | 'delete' | 'restore' | 'recreate' | 'unchanged';
export type ComponentResult = 'Pending' | 'Succeeded' | 'Failed' | 'Skipped' | 'Conflict';

@Entity('job_components')
export class JobComponent {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id!: string;
  @Column('uuid', { name: 'job_id' }) jobId!: string;
  @Column('text') type!: string;
  @Column('text', { name: 'full_name' }) fullName!: string;
  @Column('text', { name: 'parent_type', nullable: true }) parentType!: string | null;
  @Column('text', { name: 'parent_full_name', nullable: true }) parentFullName!: string | null;
  @Column('text') action!: ComponentAction;
  @Column('text') status!: ComponentResult;
  @Column('text', { nullable: true }) problem!: string | null;
  @Column('text', { name: 'problem_type', nullable: true }) problemType!: string | null;
  @Column('integer', { name: 'line_number', nullable: true }) lineNumber!: number | null;
  @Column('integer', { name: 'column_number', nullable: true }) columnNumber!: number | null;
  @Column('jsonb', { default: {} }) details!: Record<string, unknown>;
  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' }) updatedAt!: Date;
}

import { Column, Entity, PrimaryColumn } from 'typeorm';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

@Entity('job_logs')
export class JobLog {
  /** A line is its job's `seq`-th: (job_id, seq) is the key (ADR 0025). */
  @PrimaryColumn('uuid', { name: 'job_id' }) jobId!: string;
  @PrimaryColumn('integer') seq!: number;
  @Column('timestamptz', { default: () => 'now()' }) at!: Date;
  @Column('text') level!: LogLevel;
  /** `Type:FullName` when the line belongs to one component's thread. */
  @Column('text', { nullable: true }) component!: string | null;
  @Column('text') message!: string;
}

import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

@Entity('job_logs')
export class JobLog {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id!: string;
  @Column('uuid', { name: 'job_id' }) jobId!: string;
  @Column('integer') seq!: number;
  @Column('timestamptz', { default: () => 'now()' }) at!: Date;
  @Column('text') level!: LogLevel;
  /** `Type:FullName` when the line belongs to one component's thread. */
  @Column('text', { nullable: true }) component!: string | null;
  @Column('text') message!: string;
}

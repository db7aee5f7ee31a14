import { Column, Entity, PrimaryColumn } from 'typeorm';

export type SnapshotStatus = 'capturing' | 'complete' | 'pruned';

@Entity('snapshots')
export class Snapshot {
  @PrimaryColumn('uuid') id!: string;
  @Column('uuid', { name: 'job_id' }) jobId!: string;
  @Column('uuid', { name: 'org_id' }) orgId!: string;
  @Column('text') status!: SnapshotStatus;
  /** SHA-256 over every component's before/after fingerprints: proves the snapshot was not altered. */
  @Column('char', { length: 64, nullable: true }) checksum!: string | null;
  @Column('integer', { name: 'component_count', default: 0 }) componentCount!: number;
  @Column('timestamptz', { name: 'created_at', default: () => 'now()' }) createdAt!: Date;
  @Column('timestamptz', { name: 'completed_at', nullable: true }) completedAt!: Date | null;
  @Column('timestamptz', { name: 'expires_at' }) expiresAt!: Date;
  @Column('timestamptz', { name: 'pruned_at', nullable: true }) prunedAt!: Date | null;
}

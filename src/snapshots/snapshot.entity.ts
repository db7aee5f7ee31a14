import { Column, Entity, PrimaryColumn } from 'typeorm';

export type SnapshotStatus = 'capturing' | 'complete' | 'pruned';

/**
 * `metadata`: each component stored as `storedFormatOf` says (the retrieved bytes in metadata format; decomposed
 * families in source format). `source`: every component in source format (snapshots taken before that change).
 */
export type SnapshotFilesFormat = 'metadata' | 'source';

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
  @Column('text', { name: 'files_format', default: 'source' }) filesFormat!: SnapshotFilesFormat;
  /** The API version of the backup retrieves (the org's at the time); restores are packaged with it. */
  @Column('text', { name: 'api_version', nullable: true }) apiVersion!: string | null;
}

import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintAsNumber } from '../database/columns.js';
import type { DestructiveMember } from '../salesforce/destructive-manifest.js';

@Entity('revisions')
export class Revision {
  @PrimaryColumn('uuid') id!: string;
  @Column('uuid', { name: 'branch_id' }) branchId!: string;
  @Column('integer') number!: number;
  @Column('text') format!: 'source' | 'metadata';
  @Column('text', { name: 'api_version', nullable: true }) apiVersion!: string | null;
  @Column('char', { name: 'upload_sha256', length: 64 }) uploadSha256!: string;
  @Column('integer', { name: 'component_count' }) componentCount!: number;
  @Column('integer', { name: 'file_count' }) fileCount!: number;
  /**
   * What a deploy of the whole revision holds (`estimateDeployFiles`), taken at upload: files in metadata format and
   * unzipped bytes. Null for revisions uploaded before it was kept.
   */
  @Column('integer', { name: 'deploy_file_count', nullable: true }) deployFileCount!: number | null;
  @Column('bigint', { name: 'unzipped_bytes', nullable: true, transformer: bigintAsNumber })
  unzippedBytes!: number | null;
  /** Members the revision's destructiveChanges*.xml manifests delete (phase pre/post, manifest name). */
  @Column('jsonb', { name: 'destructive_changes', default: () => `'[]'::jsonb` })
  destructiveChanges!: DestructiveMember[];
  @Column('uuid', { name: 'created_by', nullable: true }) createdBy!: string | null;
  @Column('timestamptz', { name: 'created_at', default: () => 'now()' }) createdAt!: Date;
}

import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { StoredFile } from '../branches/revision-component.entity.js';

@Entity('snapshot_components')
export class SnapshotComponent {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id!: string;
  @Column('uuid', { name: 'snapshot_id' }) snapshotId!: string;
  @Column('text') type!: string;
  @Column('text', { name: 'full_name' }) fullName!: string;
  @Column('text', { name: 'parent_type', nullable: true }) parentType!: string | null;
  @Column('text', { name: 'parent_full_name', nullable: true }) parentFullName!: string | null;
  /** Whether the component was in the org before the deploy. */
  @Column('boolean') existed!: boolean;
  /** The component's files as retrieved before the deploy (null when it did not exist). */
  @Column('jsonb', { nullable: true }) files!: StoredFile[] | null;
  @Column('char', { name: 'fingerprint_before', length: 64, nullable: true }) fingerprintBefore!: string | null;
  /** What the deploy put there; a different live fingerprint later means drift. */
  @Column('char', { name: 'fingerprint_after', length: 64, nullable: true }) fingerprintAfter!: string | null;
  /** create | update | delete | unchanged, as Salesforce reported it. */
  @Column('text', { name: 'deploy_action', nullable: true }) deployAction!: string | null;
  /**
   * What the backup knows beyond the files, one key per concern (see SnapshotComponentDetails): a profile's elements
   * and the components it was retrieved with, a flow's active version before and after the deploy.
   */
  @Column('jsonb', { nullable: true }) details!: SnapshotComponentDetails | null;
}

/** Per-concern facts about a backed-up component; each concern owns one key. */
export type SnapshotComponentDetails = Record<string, unknown>;

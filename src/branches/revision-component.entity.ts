import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A file of a component: its path in the source-format project and the blob holding its bytes. */
export interface StoredFile {
  path: string;
  sha256: string;
  size: number;
}

@Entity('revision_components')
export class RevisionComponent {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id!: string;
  @Column('uuid', { name: 'revision_id' }) revisionId!: string;
  @Column('text') type!: string;
  @Column('text', { name: 'full_name' }) fullName!: string;
  @Column('text', { name: 'parent_type', nullable: true }) parentType!: string | null;
  @Column('text', { name: 'parent_full_name', nullable: true }) parentFullName!: string | null;
  @Column('char', { length: 64 }) fingerprint!: string;
  @Column('jsonb') files!: StoredFile[];
}

import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintAsNumber } from '../../database/columns.js';

/** One file of a package, as the archive holds it (a directory or link is not listed). */
export interface PackageFile {
  /** The path inside the archive, `/`-separated, never absolute, never with `..`. */
  path: string;
  size: number;
  /** Hex SHA-256 of the file's bytes: what `sha256sum -c` checks on a host. */
  sha256: string;
}

export type PackageFormat = 'tar.gz' | 'zip';

/** An uploaded package version (issue 14): its bytes are a blob (`sha256`), its files listed in `files`. */
@Entity('package_versions')
export class PackageVersion {
  @PrimaryColumn('uuid') id!: string;
  @Column('text') name!: string;
  @Column('text') version!: string;
  @Column('text') format!: PackageFormat;
  @Column('bigint', { transformer: bigintAsNumber }) size!: number;
  /** Hex SHA-256 of the archive's bytes: its blob address and the checksum verified on every host. */
  @Column('text') sha256!: string;
  @Column('jsonb') files!: PackageFile[];
  @Column('uuid', { name: 'created_by', nullable: true }) createdBy!: string | null;
  @Column('text', { name: 'created_by_name', nullable: true }) createdByName!: string | null;
  @Column('timestamptz', { name: 'created_at', default: () => 'now()' }) createdAt!: Date;
  /** Set when retention dropped the bytes (no retained execution needs them); the row stays for the audit trail. */
  @Column('timestamptz', { name: 'pruned_at', nullable: true }) prunedAt!: Date | null;
}

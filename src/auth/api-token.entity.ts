import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { Permission } from './permissions.js';

@Entity('api_tokens')
export class ApiToken {
  @PrimaryColumn('uuid') id!: string;
  @Column('text') name!: string;
  /** SHA-256 of the token; the token itself is shown once and never stored. */
  @Column('text', { name: 'token_hash', select: false }) tokenHash!: string;
  @Column('text', { name: 'token_prefix' }) tokenPrefix!: string;
  @Column('text', { array: true }) permissions!: Permission[];
  /** Environments this token may act on; null means all. */
  @Column('text', { array: true, nullable: true }) environments!: string[] | null;
  @Column('boolean', { name: 'is_bootstrap', default: false }) isBootstrap!: boolean;
  @Column('uuid', { name: 'created_by', nullable: true }) createdBy!: string | null;
  @Column('timestamptz', { name: 'created_at', default: () => 'now()' }) createdAt!: Date;
  @Column('timestamptz', { name: 'last_used_at', nullable: true }) lastUsedAt!: Date | null;
  @Column('timestamptz', { name: 'revoked_at', nullable: true }) revokedAt!: Date | null;
}

import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { InfrastructureKind } from './infrastructure-connection.js';

/** Where a service is deployed: the target of a job (ADR 0014). An org is an infrastructure of kind `salesforce`. */
@Entity('infrastructures')
export class Infrastructure {
  @PrimaryColumn('uuid') id!: string;
  @Column('text') name!: string;
  @Column('text') environment!: string;
  @Column('text') kind!: InfrastructureKind;
  /** AES-256-GCM sealed connection (null for `salesforce`: the org holds its credentials); selected only on request. */
  @Column('text', { name: 'connection_ciphertext', nullable: true, select: false })
  connectionCiphertext!: string | null;
  @Column('uuid', { name: 'org_id', nullable: true }) orgId!: string | null;
  @Column('uuid', { name: 'created_by', nullable: true }) createdBy!: string | null;
  @Column('timestamptz', { name: 'created_at', default: () => 'now()' }) createdAt!: Date;
  @Column('timestamptz', { name: 'deleted_at', nullable: true }) deletedAt!: Date | null;
}

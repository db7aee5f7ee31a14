import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity('orgs')
export class Org {
  @PrimaryColumn('uuid') id!: string;
  @Column('text') name!: string;
  @Column('text') environment!: string;
  @Column('text', { name: 'instance_url' }) instanceUrl!: string;
  @Column('text', { name: 'api_version' }) apiVersion!: string;
  @Column('text', { name: 'auth_type' }) authType!: string;
  /** AES-256-GCM sealed credentials; selected only when a connection is opened. */
  @Column('text', { name: 'secret_ciphertext', select: false }) secretCiphertext!: string;
  @Column('text', { nullable: true }) username!: string | null;
  @Column('text', { name: 'organization_id', nullable: true }) organizationId!: string | null;
  @Column('boolean', { name: 'is_demo', default: false }) isDemo!: boolean;
  @Column('uuid', { name: 'created_by', nullable: true }) createdBy!: string | null;
  @Column('timestamptz', { name: 'created_at', default: () => 'now()' }) createdAt!: Date;
  @Column('timestamptz', { name: 'deleted_at', nullable: true }) deletedAt!: Date | null;
}

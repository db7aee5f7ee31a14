import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintAsNumber } from '../database/columns.js';

@Entity('blobs')
export class Blob {
  @PrimaryColumn('char', { length: 64 }) sha256!: string;
  @Column('bigint', { transformer: bigintAsNumber }) size!: number;
  @Column('bigint', { name: 'stored_size', transformer: bigintAsNumber }) storedSize!: number;
  @Column('text') encoding!: string;
  @Column('bytea', { select: false }) content!: Buffer;
  /** For a delta (`encoding` 'delta'): the whole blob whose content is its deflate dictionary. */
  @Column('char', { length: 64, nullable: true }) base!: string | null;
  @Column('timestamptz', { name: 'created_at', default: () => 'now()' }) createdAt!: Date;
}

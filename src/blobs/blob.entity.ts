import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintAsNumber } from '../database/columns.js';

@Entity('blobs')
export class Blob {
  @PrimaryColumn('char', { length: 64 }) sha256!: string;
  @Column('bigint', { transformer: bigintAsNumber }) size!: number;
  @Column('bigint', { name: 'stored_size', transformer: bigintAsNumber }) storedSize!: number;
  @Column('text') encoding!: string;
  @Column('bytea', { select: false }) content!: Buffer;
  @Column('timestamptz', { name: 'created_at', default: () => 'now()' }) createdAt!: Date;
}

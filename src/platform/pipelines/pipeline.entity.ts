import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A named, versioned definition of ordered stages (ADR 0014). Its definitions live in `pipeline_versions`. */
@Entity('pipelines')
export class Pipeline {
  @PrimaryColumn('uuid') id!: string;
  @Column('text') name!: string;
  @Column('uuid', { name: 'created_by', nullable: true }) createdBy!: string | null;
  @Column('timestamptz', { name: 'created_at', default: () => 'now()' }) createdAt!: Date;
  @Column('timestamptz', { name: 'deleted_at', nullable: true }) deletedAt!: Date | null;
}

/** One immutable version of a pipeline's definition: every change adds a row, none is ever updated. */
@Entity('pipeline_versions')
export class PipelineVersion {
  @PrimaryColumn('uuid', { name: 'pipeline_id' }) pipelineId!: string;
  @PrimaryColumn('integer') version!: number;
  @Column('jsonb') definition!: Record<string, unknown>;
  @Column('uuid', { name: 'created_by', nullable: true }) createdBy!: string | null;
  @Column('timestamptz', { name: 'created_at', default: () => 'now()' }) createdAt!: Date;
}

import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A package version a release pins: by name and version, with the id and checksum it had when the release was made. */
export interface ReleasePackage {
  name: string;
  version: string;
  packageVersionId: string;
  sha256: string;
}

/**
 * An immutable snapshot of a pipeline (issue 14, Octopus's release): the definition version, its variables and the
 * exact package versions. Editing the pipeline afterwards changes no release; each deployment is an execution.
 */
@Entity('releases')
export class Release {
  @PrimaryColumn('uuid') id!: string;
  @Column('uuid', { name: 'pipeline_id' }) pipelineId!: string;
  @Column('integer', { name: 'pipeline_version' }) pipelineVersion!: number;
  @Column('text') version!: string;
  @Column('jsonb', { default: {} }) variables!: Record<string, string>;
  @Column('jsonb', { default: {} }) artifacts!: Record<string, string>;
  @Column('jsonb', { default: [] }) packages!: ReleasePackage[];
  @Column('uuid', { name: 'created_by', nullable: true }) createdBy!: string | null;
  @Column('text', { name: 'created_by_name', nullable: true }) createdByName!: string | null;
  @Column('timestamptz', { name: 'created_at', default: () => 'now()' }) createdAt!: Date;
}

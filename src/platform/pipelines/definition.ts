import type { InfrastructureKind } from '../infrastructures/infrastructure-connection.js';

/**
 * A pipeline definition as stored in `pipeline_versions.definition` (ADR 0014): ordered stages, each deploying one
 * service to one infrastructure with a kind-specific spec. Names are resolved to ids when a version is saved; specs
 * and rollback steps keep their `<+…>` expressions until the stage runs.
 */
export interface PipelineDefinition {
  variables: Record<string, string>;
  stages: StageDefinition[];
}

export interface StageDefinition {
  /** Unique in the pipeline; `<+stages.NAME.output.KEY>` refers to it. */
  name: string;
  kind: InfrastructureKind;
  serviceId: string;
  infrastructureId: string;
  /** `fail` (default): a failed stage fails the execution; `ignore`: it does not. */
  failureStrategy: 'fail' | 'ignore';
  /** How long the engine waits for the stage to become steady (default 600). */
  progressDeadlineSeconds: number;
  spec: Record<string, unknown>;
  rollbackSteps: Record<string, unknown>[];
}

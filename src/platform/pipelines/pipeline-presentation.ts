import type { DefinitionNames, PipelineAt } from './pipelines.service.js';

/** What the API shows of a pipeline version: its stages with the names of their services and infrastructures. */
export function presentPipeline({ pipeline, version, definition, createdAt }: PipelineAt, names: DefinitionNames) {
  return {
    id: pipeline.id,
    name: pipeline.name,
    version,
    definition: {
      variables: definition.variables,
      stages: definition.stages.map((stage) => ({
        name: stage.name,
        kind: stage.kind,
        service: names.services.get(stage.serviceId) ?? { id: stage.serviceId, name: null },
        infrastructure: names.infrastructures.get(stage.infrastructureId) ?? {
          id: stage.infrastructureId,
          name: null,
          environment: null,
          kind: stage.kind,
        },
        failureStrategy: stage.failureStrategy,
        progressDeadlineSeconds: stage.progressDeadlineSeconds,
        spec: stage.spec,
        rollbackSteps: stage.rollbackSteps,
      })),
    },
    createdAt: pipeline.createdAt,
    updatedAt: createdAt,
  };
}

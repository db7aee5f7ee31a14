import type { Job } from '../../jobs/job.entity.js';
import type { JobLog } from '../../jobs/job-log.js';
import type { ExecutionStage } from './execution-stage.entity.js';
import { STAGE_COMPONENT_PREFIX } from './stage-engine.js';

/** The names an execution's presentation shows beside the ids (removed services and infrastructures included). */
export interface ExecutionNames {
  pipelineName: string;
  services: Map<string, { id: string; name: string }>;
  infrastructures: Map<string, { id: string; name: string; environment: string; kind: string }>;
  /** For a Deploy: its latest rollback, when one was started. */
  rollbackJobId: string | null;
  /** Stage id → whether the stage created everything it touches (for a rollback's stage: its source's). */
  firstDeployment: Map<string, boolean>;
  /** For a deployment of a release: the release, and whether it redeployed it as a rollback (Octopus's way back). */
  release: ExecutionRelease | null;
}

export interface ExecutionRelease {
  id: string;
  version: string;
  mode: 'deploy' | 'rollback';
}

/** `Execution` of docs/platform-api.md: the job and its stages (a rollback's in the order they run). */
export function presentExecution(job: Job, stages: ExecutionStage[], names: ExecutionNames) {
  return {
    id: job.id,
    kind: job.kind,
    status: job.status,
    pipeline: { id: job.pipelineId, name: names.pipelineName, version: job.pipelineVersion },
    artifacts: (job.options.artifacts as Record<string, string> | undefined) ?? {},
    executionId: job.kind === 'Rollback' ? job.parentJobId : null,
    rollbackJobId: job.kind === 'Deploy' ? names.rollbackJobId : null,
    release: names.release,
    createdBy: job.createdByName,
    createdAt: job.createdAt,
    startedAt: job.startedAt,
    finishedAt: job.finishedAt,
    error: job.error,
    version: job.version,
    stages: stages.map((stage) => presentStage(stage, names)),
  };
}

/** `Stage` of docs/platform-api.md: never the rollback data or the provider's state (they may hold what it read). */
export function presentStage(stage: ExecutionStage, names: ExecutionNames) {
  const infrastructure = names.infrastructures.get(stage.infrastructureId);
  return {
    id: stage.id,
    position: stage.position,
    name: stage.name,
    kind: stage.kind,
    service: stage.serviceId ? (names.services.get(stage.serviceId) ?? { id: stage.serviceId, name: null }) : null,
    infrastructure: infrastructure ?? {
      id: stage.infrastructureId,
      name: null,
      environment: stage.environment,
      kind: stage.kind,
    },
    status: stage.status,
    failureStrategy: stage.failureStrategy,
    artifact: stage.artifact,
    firstDeployment: names.firstDeployment.get(stage.id) ?? false,
    outputs: stage.outputs,
    error: stage.error,
    childJobId: stage.childJobId,
    startedAt: stage.startedAt,
    finishedAt: stage.finishedAt,
  };
}

/** One log line of an execution: `stage` is the stage it belongs to (null: the execution as a whole). */
export function presentExecutionLog(line: JobLog) {
  const stage = line.component?.startsWith(STAGE_COMPONENT_PREFIX)
    ? line.component.slice(STAGE_COMPONENT_PREFIX.length)
    : null;
  return { seq: line.seq, at: line.at, level: line.level, stage, message: line.message };
}

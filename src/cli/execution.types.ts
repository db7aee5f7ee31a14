import type { Job } from './job.types.js';

/** One stage row of an execution or its rollback (docs/platform-api.md, `Stage`). */
export interface ExecutionStage {
  id: string;
  position: number;
  name: string;
  kind: string;
  service: { id: string; name: string } | null;
  infrastructure: { id: string; name: string; environment: string; kind: string };
  status: 'Queued' | 'In Progress' | 'Completed' | 'Exception' | 'Skipped';
  failureStrategy: 'fail' | 'ignore';
  artifact: string | null;
  firstDeployment?: boolean;
  outputs: Record<string, unknown>;
  error: string | null;
  childJobId: string | null;
  startedAt: string | null;
  finishedAt: string | null;
}

/** The API's execution (GET /api/executions/:id): a `Deploy` of a pipeline, or the `Rollback` of one. */
export interface Execution {
  id: string;
  kind: 'Deploy' | 'Rollback';
  status: Job['status'];
  pipeline: { id: string; name: string; version: number };
  artifacts: Record<string, string>;
  /** For a Rollback: the execution it rolls back. */
  executionId?: string | null;
  /** For a Deploy: its rollback, once one was started. */
  rollbackJobId?: string | null;
  /** For a deployment of a release: the release, and `rollback` when it redeployed a previous release as a rollback. */
  release?: { id: string; version: string; mode: 'deploy' | 'rollback' } | null;
  createdBy: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  error: string | null;
  version: number;
  stages: ExecutionStage[];
}

/** One line of GET /api/executions/:id/logs. */
export interface ExecutionLogLine {
  seq: number;
  at: string;
  level: string;
  stage: string | null;
  message: string;
}

/** What GET /api/executions/:id/rollback and an instance's `rollback` say about rolling an execution back. */
export interface RollbackVerdict {
  available: boolean;
  status?: number;
  reason?: string;
  stages?: { name: string; kind: string; action: string }[];
}

/** One row of GET /api/services/:id/instances. */
export interface ServiceInstance {
  environment: string;
  infrastructure: { id: string; name: string; kind: string };
  artifact: string | null;
  current: { executionId: string; pipeline: { id: string; name: string }; artifact: string | null; finishedAt: string };
  previous: { executionId: string; artifact: string | null; finishedAt: string } | null;
  rollback: RollbackVerdict;
}

/** A release of a pipeline (POST /api/pipelines/:id/releases, GET /api/releases/:id). */
export interface Release {
  id: string;
  pipeline: { id: string; name: string };
  version: string;
  pipelineVersion: number;
  variables: Record<string, string>;
  artifacts: Record<string, string>;
  packages: { name: string; version: string; sha256: string }[];
  createdAt: string;
  createdBy: string | null;
}

/** GET /api/releases/previous: the current deployment in an environment and the release before it. */
export interface PreviousRelease {
  current: { release: { id: string; version: string } | null; executionId: string };
  previous: { release: { id: string; version: string }; executionId: string };
}

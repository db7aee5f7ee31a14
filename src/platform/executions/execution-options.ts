import type { StageRelease } from '../provider.js';

/** What an execution (a pipeline's Deploy job) was asked to run, in `jobs.options`. */
export interface ExecutionOptions {
  /** The image (or version) given for each service, by the service's name. */
  artifacts: Record<string, string>;
  /** The pipeline's variables with the values given for this execution. */
  variables: Record<string, string>;
  /** The pipeline's name when the execution was asked for (`<+pipeline.name>`; a later rename does not change it). */
  pipelineName: string;
  /** For a deployment of a release (issue 14): what its stages get as `StageContext.release`. */
  release?: StageRelease;
}

/** What a Rollback of an execution was asked to do. */
export interface ExecutionRollbackOptions {
  force: boolean;
  acceptDataLoss: boolean;
  pipelineName: string;
}

export function executionOptions(options: Record<string, unknown>): ExecutionOptions {
  return {
    artifacts: (options.artifacts as Record<string, string> | undefined) ?? {},
    variables: (options.variables as Record<string, string> | undefined) ?? {},
    pipelineName: typeof options.pipelineName === 'string' ? options.pipelineName : '',
    ...(options.release && typeof options.release === 'object' ? { release: options.release as StageRelease } : {}),
  };
}

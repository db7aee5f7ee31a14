import { CliError, ExitCode } from '../api-client.js';
import type { Execution } from '../execution.types.js';
import type { CommandContext } from './command.js';
import { reportExecution, resolveByName } from './execution.js';

export interface RunOptions {
  pipeline?: string;
  artifact?: string[];
  var?: string[];
  wait?: boolean;
}

/** "checkout=nginx:1.27" pairs into an object; a usage error names the malformed one. */
export function parsePairs(pairs: string[] | undefined, option: string, example: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const pair of pairs ?? []) {
    const equals = pair.indexOf('=');
    if (equals <= 0 || equals === pair.length - 1)
      throw new CliError(ExitCode.Usage, `--${option} ${pair}: use NAME=VALUE, e.g. --${option} ${example}.`);
    const name = pair.slice(0, equals);
    if (name in result) throw new CliError(ExitCode.Usage, `--${option} ${name} is given twice: give it once.`);
    result[name] = pair.slice(equals + 1);
  }
  return result;
}

/** The body of POST /api/pipelines/:id/executions from --artifact and --var. */
export function runRequest(options: RunOptions): {
  artifacts: Record<string, string>;
  variables?: Record<string, string>;
} {
  const artifacts = parsePairs(options.artifact, 'artifact', 'checkout=nginx:1.27');
  const variables = parsePairs(options.var, 'var', 'replicas=2');
  return { artifacts, ...(Object.keys(variables).length ? { variables } : {}) };
}

/**
 * backtrack run --pipeline P --artifact SERVICE=IMAGE … [--var K=V …] [--wait] — starts an execution of the pipeline's
 * latest version (P a name or id) and prints it; with --wait, its stage progress and the stage table at the end.
 */
export async function run(ctx: CommandContext, options: RunOptions): Promise<ExitCode> {
  if (!options.pipeline) throw new CliError(ExitCode.Usage, 'run needs --pipeline (a name or id).');
  const body = runRequest(options);
  const { pipelines } = await ctx.client.request<{ pipelines: { id: string; name: string }[] }>(
    'GET',
    '/api/pipelines',
  );
  const pipeline = resolveByName(pipelines, options.pipeline, 'pipeline');
  const execution = await ctx.client.request<Execution>(
    'POST',
    `/api/pipelines/${encodeURIComponent(pipeline.id)}/executions`,
    { json: body },
  );
  return reportExecution(ctx, execution, options.wait ?? false);
}

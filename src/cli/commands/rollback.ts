import { CliError, ExitCode } from '../api-client.js';
import type { Job } from '../job.types.js';
import { parseComponentRef, reportJob, testOptions, type CommandContext } from './command.js';

export interface RollbackOptions {
  job?: string;
  branch?: string;
  org?: string;
  last?: boolean;
  all?: boolean;
  component?: string[];
  'test-level'?: string;
  'run-tests'?: string;
  'check-only'?: boolean;
  force?: boolean;
  'accept-data-loss'?: boolean;
  'delete-flow-versions'?: boolean;
  wait?: boolean;
}

const USAGE =
  'rollback needs either --job JOB with --all or --component Type:Name (repeatable), or --branch B --org O --last --all.';

/** The request a rollback command line makes, or a usage error saying what is missing. */
export function rollbackRequest(options: RollbackOptions): { route: string; body: Record<string, unknown> } {
  const common = {
    checkOnly: options['check-only'] ?? false,
    force: options.force ?? false,
    ...(options['accept-data-loss'] ? { acceptDataLoss: true } : {}),
    ...(options['delete-flow-versions'] ? { deleteFlowVersions: true } : {}),
    ...testOptions(options),
  };
  const components = options.component ?? [];
  if (options.job) {
    if (options.branch || options.org || options.last)
      throw new CliError(ExitCode.Usage, `--job cannot go with --branch, --org or --last. ${USAGE}`);
    if (Boolean(options.all) === components.length > 0)
      throw new CliError(
        ExitCode.Usage,
        `Pick what to roll back: --all, or --component Type:Name (repeatable). ${USAGE}`,
      );
    const pick = options.all ? { all: true } : { components: components.map(parseComponentRef) };
    return { route: `/api/jobs/${encodeURIComponent(options.job)}/rollback`, body: { ...pick, ...common } };
  }
  if (options.branch && options.org && options.last && options.all && components.length === 0) {
    return {
      route: `/api/branches/${encodeURIComponent(options.branch)}/rollback`,
      body: { orgId: options.org, all: true, ...common },
    };
  }
  throw new CliError(ExitCode.Usage, USAGE);
}

/** backtrack rollback (--job JOB (--all | --component T:N …) | --branch B --org O --last --all) [--check-only] [--force] [--accept-data-loss] [--wait] */
export async function rollback(ctx: CommandContext, options: RollbackOptions): Promise<ExitCode> {
  const { route, body } = rollbackRequest(options);
  const job = await ctx.client.request<Job>('POST', route, { json: body });
  return reportJob(ctx, job, options.wait ?? false);
}

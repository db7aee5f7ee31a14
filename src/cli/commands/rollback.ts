import { CliError, ExitCode, exitCodeForStatus } from '../api-client.js';
import type { Execution, RollbackVerdict, ServiceInstance } from '../execution.types.js';
import type { Job } from '../job.types.js';
import { parseComponentRef, reportJob, testOptions, type CommandContext } from './command.js';
import { reportExecution, resolveByName } from './execution.js';

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
  execution?: string;
  service?: string;
  infrastructure?: string;
  wait?: boolean;
}

/** What a platform rollback command line names: an execution, or a service's current deployment on an infrastructure. */
export type PlatformRollbackTarget = { force: boolean; acceptDataLoss: boolean } & (
  { execution: string } | { service: string; infrastructure: string }
);

const PLATFORM_USAGE =
  'roll back an execution with --execution ID, or the current deployment of a service with --service S ' +
  '--infrastructure I --last (both take --force, --accept-data-loss and --wait).';
const SALESFORCE_ONLY = [
  'job',
  'branch',
  'org',
  'all',
  'component',
  'test-level',
  'run-tests',
  'check-only',
  'delete-flow-versions',
] as const;

/**
 * The platform rollback a command line asks for, or null when it is a Salesforce one (--job, --branch); a usage error
 * when it mixes the two or misses --last.
 */
export function platformRollbackTarget(options: RollbackOptions): PlatformRollbackTarget | null {
  if (!options.execution && !options.service && !options.infrastructure) return null;
  const stray = SALESFORCE_ONLY.find((name) => {
    const value = options[name];
    return Array.isArray(value) ? value.length > 0 : Boolean(value);
  });
  if (stray) throw new CliError(ExitCode.Usage, `--${stray} is for Salesforce rollbacks: ${PLATFORM_USAGE}`);
  const force = options.force ?? false;
  // A salesforce stage's Rollback job may delete fields (with their data) only with this confirmation.
  const acceptDataLoss = options['accept-data-loss'] ?? false;
  if (options.execution) {
    if (options.service || options.infrastructure || options.last)
      throw new CliError(
        ExitCode.Usage,
        `--execution cannot go with --service, --infrastructure or --last: ${PLATFORM_USAGE}`,
      );
    return { execution: options.execution, force, acceptDataLoss };
  }
  if (options.service && options.infrastructure && options.last)
    return { service: options.service, infrastructure: options.infrastructure, force, acceptDataLoss };
  throw new CliError(ExitCode.Usage, `--service, --infrastructure and --last go together: ${PLATFORM_USAGE}`);
}

/**
 * The execution whose rollback undoes the service's current deployment on the infrastructure (a name or id), from the
 * service's instances; refused with the server's reason when that deployment cannot be rolled back — never an older
 * execution in its place.
 */
export function currentDeployment(
  instances: ServiceInstance[],
  serviceName: string,
  infrastructure: string,
): { executionId: string } {
  const matches = instances.filter(
    (i) => i.infrastructure.id === infrastructure || i.infrastructure.name === infrastructure,
  );
  if (matches.length === 0) {
    const where = instances.map((i) => `${i.infrastructure.name} (${i.environment})`).join(', ');
    throw new CliError(
      ExitCode.Usage,
      `${serviceName} has no current deployment on ${infrastructure}${where ? `; it runs on: ${where}` : ''}.`,
    );
  }
  if (matches.length > 1)
    throw new CliError(ExitCode.Usage, `${matches.length} infrastructures are named "${infrastructure}": give the id.`);
  const instance = matches[0]!;
  const verdict: RollbackVerdict = instance.rollback;
  if (!verdict.available) {
    throw new CliError(
      exitCodeForStatus(verdict.status ?? 409),
      `The current deployment of ${serviceName} on ${instance.infrastructure.name} (execution ` +
        `${instance.current.executionId}) cannot be rolled back: ${verdict.reason ?? 'the server gave no reason'}`,
    );
  }
  return { executionId: instance.current.executionId };
}

/** Starts the Rollback of an execution, finding it first for --service --infrastructure --last. */
async function platformRollback(ctx: CommandContext, target: PlatformRollbackTarget, wait: boolean): Promise<ExitCode> {
  let executionId: string;
  if ('execution' in target) executionId = target.execution;
  else {
    const { items } = await ctx.client.request<{ items: { id: string; name: string }[] }>('GET', '/api/services');
    const service = resolveByName(items, target.service, 'service');
    const { instances } = await ctx.client.request<{ instances: ServiceInstance[] }>(
      'GET',
      `/api/services/${encodeURIComponent(service.id)}/instances`,
    );
    executionId = currentDeployment(instances, service.name, target.infrastructure).executionId;
  }
  const rollbackExecution = await ctx.client.request<Execution>(
    'POST',
    `/api/executions/${encodeURIComponent(executionId)}/rollback`,
    { json: { force: target.force, ...(target.acceptDataLoss ? { acceptDataLoss: true } : {}) } },
  );
  return reportExecution(ctx, rollbackExecution, wait);
}

const USAGE =
  'rollback needs either --job JOB with --all or --component Type:Name (repeatable), or --branch B --org O --last --all; ' +
  'for a pipeline execution, --execution ID or --service S --infrastructure I --last.';

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

/**
 * backtrack rollback (--job JOB (--all | --component T:N …) | --branch B --org O --last --all) [--check-only] [--force]
 * [--accept-data-loss] [--wait], or (--execution ID | --service S --infrastructure I --last) [--force] [--wait].
 */
export async function rollback(ctx: CommandContext, options: RollbackOptions): Promise<ExitCode> {
  const platform = platformRollbackTarget(options);
  if (platform) return platformRollback(ctx, platform, options.wait ?? false);
  const { route, body } = rollbackRequest(options);
  const job = await ctx.client.request<Job>('POST', route, { json: body });
  return reportJob(ctx, job, options.wait ?? false);
}

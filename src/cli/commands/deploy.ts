import fs from 'node:fs/promises';
import { CliError, ExitCode } from '../api-client.js';
import { zipFolder } from '../../salesforce/folder-zip.js';
import type { Job } from '../job.types.js';
import { formatPlan, type DeployPlanBody } from '../plan-output.js';
import { reportJob, testOptions, type CommandContext } from './command.js';

export interface DeployOptions {
  branch?: string;
  org?: string;
  upload?: string;
  'test-level'?: string;
  'run-tests'?: string;
  'check-only'?: boolean;
  'delete-removed'?: boolean;
  'dry-run'?: boolean;
  wait?: boolean;
}

interface Revision {
  number: number;
  componentCount: number;
  unchanged: boolean;
}

/**
 * backtrack deploy --branch B --org O [--upload DIR|ZIP] [--test-level L] [--check-only] [--delete-removed]
 * [--dry-run | --wait]. --dry-run prints what the deploy would create, update and delete and queues nothing.
 */
export async function deploy(ctx: CommandContext, options: DeployOptions): Promise<ExitCode> {
  const { branch, org } = options;
  if (!branch || !org) throw new CliError(ExitCode.Usage, 'deploy needs --branch and --org (names or ids).');
  if (options['dry-run'] && options.wait) {
    throw new CliError(ExitCode.Usage, '--dry-run queues no job, so there is nothing to --wait for: use one of them.');
  }
  const revision = options.upload ? await uploadRevision(ctx, branch, options.upload) : undefined;
  const json = {
    orgId: org,
    revision,
    checkOnly: options['check-only'] ?? false,
    ...(options['delete-removed'] ? { deleteRemoved: true } : {}),
    ...testOptions(options),
  };
  const route = `/api/branches/${encodeURIComponent(branch)}/deployments`;
  if (options['dry-run']) {
    const plan = await ctx.client.request<DeployPlanBody>('POST', route, { json: { ...json, dryRun: true } });
    ctx.streams.stdout.write(ctx.json ? `${JSON.stringify(plan, null, 2)}\n` : `${formatPlan(plan)}\n`);
    return ExitCode.Ok;
  }
  const job = await ctx.client.request<Job>('POST', route, { json });
  return reportJob(ctx, job, options.wait ?? false);
}

/** Sends a folder (zipped in memory) or a zip file as the branch's next revision; answers its number. */
async function uploadRevision(ctx: CommandContext, branchIdOrName: string, source: string): Promise<number> {
  const stat = await fs.stat(source).catch(() => null);
  if (!stat) throw new CliError(ExitCode.Usage, `--upload ${source}: no such folder or file.`);
  const zip = stat.isDirectory() ? await zipFolder(source) : await fs.readFile(source);
  const revision = await ctx.client.request<Revision>(
    'POST',
    `/api/branches/${encodeURIComponent(branchIdOrName)}/revisions`,
    { zip },
  );
  ctx.streams.stderr.write(
    revision.unchanged
      ? `Upload unchanged: the same as revision #${revision.number}.\n`
      : `Uploaded revision #${revision.number} (${revision.componentCount} components).\n`,
  );
  return revision.number;
}

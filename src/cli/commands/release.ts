import { CliError, ExitCode } from '../api-client.js';
import type { Execution, PreviousRelease, Release } from '../execution.types.js';
import type { CommandContext } from './command.js';
import { reportExecution, resolveByName } from './execution.js';
import { parsePairs } from './run.js';

export interface ReleaseOptions {
  pipeline?: string;
  version?: string;
  package?: string[];
  variable?: string[];
  var?: string[];
  artifact?: string[];
  release?: string;
  environment?: string;
  wait?: boolean;
}

/** The options of each `release` subcommand (the others are a usage error). */
const SUBCOMMANDS = {
  create: ['pipeline', 'version', 'package', 'variable', 'var', 'artifact'],
  deploy: ['pipeline', 'release', 'environment', 'wait'],
  'redeploy-previous': ['pipeline', 'environment', 'wait'],
} satisfies Record<string, (keyof ReleaseOptions)[]>;
type Subcommand = keyof typeof SUBCOMMANDS;

export const RELEASE_OPTIONS = [...new Set(Object.values(SUBCOMMANDS).flat())];

/**
 * backtrack release create | deploy | redeploy-previous — releases of a pipeline (docs/platform-api.md, "Releases"):
 * create one from the pipeline's latest version with pinned packages, deploy one to an environment, or redeploy the
 * previous release there as a rollback (Octopus's way back).
 */
export async function release(ctx: CommandContext, subcommand: string, options: ReleaseOptions): Promise<ExitCode> {
  if (!Object.hasOwn(SUBCOMMANDS, subcommand))
    throw new CliError(
      ExitCode.Usage,
      `Unknown command "release ${subcommand}": use release create, release deploy or release redeploy-previous.`,
    );
  const name = subcommand as Subcommand;
  const allowed: string[] = SUBCOMMANDS[name];
  const stray = RELEASE_OPTIONS.find((o) => options[o] !== undefined && !allowed.includes(o));
  if (stray)
    throw new CliError(ExitCode.Usage, `--${stray} is not an option of "release ${name}". Run "backtrack --help".`);
  if (name === 'create') return create(ctx, options);
  if (name === 'deploy') return deploy(ctx, options);
  return redeployPrevious(ctx, options);
}

/** The body of POST /api/pipelines/:id/releases from the command line (--var is --variable's short name). */
export function releaseRequest(options: ReleaseOptions): Record<string, unknown> {
  if (!options.version) throw new CliError(ExitCode.Usage, 'release create needs --version, e.g. --version 1.1.21.');
  const packages = parsePairs(options.package, 'package', 'web=1.1.21');
  const variables = parsePairs([...(options.variable ?? []), ...(options.var ?? [])], 'variable', 'replicas=2');
  const artifacts = parsePairs(options.artifact, 'artifact', 'checkout=nginx:1.27');
  return {
    version: options.version,
    ...(Object.keys(packages).length ? { packages } : {}),
    ...(Object.keys(variables).length ? { variables } : {}),
    ...(Object.keys(artifacts).length ? { artifacts } : {}),
  };
}

/** "Release 1.1.21 (id) of pipeline shop v3 created." and what it pins. */
export function describeRelease(created: Release): string {
  const lines = [
    `Release ${created.version} (${created.id}) of pipeline ${created.pipeline.name} v${created.pipelineVersion} created.`,
  ];
  for (const p of created.packages) lines.push(`Package: ${p.name} ${p.version} (sha256 ${p.sha256.slice(0, 12)}…)`);
  const artifacts = Object.entries(created.artifacts);
  if (artifacts.length) lines.push(`Artifacts: ${artifacts.map(([s, image]) => `${s}=${image}`).join(', ')}`);
  return lines.join('\n');
}

async function create(ctx: CommandContext, options: ReleaseOptions): Promise<ExitCode> {
  const body = releaseRequest(options);
  const pipeline = await findPipeline(ctx, options, 'create');
  const created = await ctx.client.request<Release>(
    'POST',
    `/api/pipelines/${encodeURIComponent(pipeline.id)}/releases`,
    { json: body },
  );
  ctx.streams.stdout.write(
    ctx.json ? `${JSON.stringify({ release: created }, null, 2)}\n` : `${describeRelease(created)}\n`,
  );
  return ExitCode.Ok;
}

async function deploy(ctx: CommandContext, options: ReleaseOptions): Promise<ExitCode> {
  if (!options.release) throw new CliError(ExitCode.Usage, 'release deploy needs --release (a version or id).');
  const environment = needEnvironment(options, 'deploy');
  const chosen = options.pipeline
    ? await releaseOfPipeline(ctx, await findPipeline(ctx, options, 'deploy'), options.release)
    : await releaseOfAnyPipeline(ctx, options.release);
  const execution = await ctx.client.request<Execution>(
    'POST',
    `/api/releases/${encodeURIComponent(chosen.id)}/deployments`,
    { json: { environment } },
  );
  return reportExecution(ctx, execution, options.wait ?? false);
}

async function redeployPrevious(ctx: CommandContext, options: ReleaseOptions): Promise<ExitCode> {
  const environment = needEnvironment(options, 'redeploy-previous');
  const pipeline = await findPipeline(ctx, options, 'redeploy-previous');
  const query = new URLSearchParams({ pipeline: pipeline.id, environment });
  const { current, previous } = await ctx.client.request<PreviousRelease>(
    'GET',
    `/api/releases/previous?${query.toString()}`,
  );
  ctx.streams.stderr.write(`${describeRedeploy(previous, current, environment)}\n`);
  const execution = await ctx.client.request<Execution>(
    'POST',
    `/api/releases/${encodeURIComponent(previous.release.id)}/deployments`,
    { json: { environment, mode: 'rollback' } },
  );
  return reportExecution(ctx, execution, options.wait ?? false);
}

/** "Redeploys release 1.1.20 to qa as a rollback, over release 1.1.21 (execution E)." */
export function describeRedeploy(
  previous: PreviousRelease['previous'],
  current: PreviousRelease['current'],
  environment: string,
): string {
  const over = current.release
    ? `release ${current.release.version} (execution ${current.executionId})`
    : `execution ${current.executionId}`;
  return `Redeploys release ${previous.release.version} to ${environment} as a rollback, over ${over}.`;
}

/** The release named by id or version (versions match case-insensitively, as the server keeps them unique). */
export function findRelease(releases: Release[], wanted: string, pipeline: string): Release {
  const found =
    releases.find((r) => r.id === wanted) ?? releases.find((r) => r.version.toLowerCase() === wanted.toLowerCase());
  if (found) return found;
  const known = releases.map((r) => r.version).join(', ');
  throw new CliError(
    ExitCode.Usage,
    `Pipeline ${pipeline} has no release "${wanted}"${known ? ` (its releases: ${known})` : ' (it has none yet)'}.`,
  );
}

async function releasesOf(ctx: CommandContext, pipelineId: string): Promise<Release[]> {
  const { releases } = await ctx.client.request<{ releases: Release[] }>(
    'GET',
    `/api/pipelines/${encodeURIComponent(pipelineId)}/releases`,
  );
  return releases;
}

async function releaseOfPipeline(ctx: CommandContext, pipeline: { id: string; name: string }, wanted: string) {
  return findRelease(await releasesOf(ctx, pipeline.id), wanted, pipeline.name);
}

/** Without --pipeline: the one release of any pipeline with that version (or id); two pipelines having it is an error. */
async function releaseOfAnyPipeline(ctx: CommandContext, wanted: string): Promise<Release> {
  const { pipelines } = await ctx.client.request<{ pipelines: { id: string; name: string }[] }>(
    'GET',
    '/api/pipelines',
  );
  const found: { release: Release; pipeline: string }[] = [];
  for (const pipeline of pipelines)
    for (const release of await releasesOf(ctx, pipeline.id))
      if (release.id === wanted || release.version.toLowerCase() === wanted.toLowerCase())
        found.push({ release, pipeline: pipeline.name });
  if (found.length === 1) return found[0]!.release;
  throw new CliError(
    ExitCode.Usage,
    found.length
      ? `Release "${wanted}" exists in pipelines ${found.map((f) => f.pipeline).join(', ')}: name one with --pipeline.`
      : `No pipeline has a release "${wanted}".`,
  );
}

async function findPipeline(ctx: CommandContext, options: ReleaseOptions, name: Subcommand) {
  if (!options.pipeline) throw new CliError(ExitCode.Usage, `release ${name} needs --pipeline (a name or id).`);
  const { pipelines } = await ctx.client.request<{ pipelines: { id: string; name: string }[] }>(
    'GET',
    '/api/pipelines',
  );
  return resolveByName(pipelines, options.pipeline, 'pipeline');
}

function needEnvironment(options: ReleaseOptions, name: Subcommand): string {
  if (!options.environment)
    throw new CliError(ExitCode.Usage, `release ${name} needs --environment, e.g. --environment qa.`);
  return options.environment;
}

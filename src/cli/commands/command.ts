import { CliError, ExitCode, type ApiClient } from '../api-client.js';
import { isFinished, type Job, type JobComponent } from '../job.types.js';
import {
  describeOutcome,
  describeProgress,
  exitCodeForJob,
  formatComponents,
  ProgressDisplay,
  type Streams,
} from '../output.js';

/** What every command gets: the API client, whether to print JSON, and the output streams. */
export interface CommandContext {
  client: ApiClient;
  json: boolean;
  streams: Streams;
  /** Between two status polls while waiting. */
  pollIntervalMs: number;
}

/** The test-level fields of a deploy or rollback request (`--run-tests A,B` for RunSpecifiedTests). */
export function testOptions(options: { 'test-level'?: string; 'run-tests'?: string }): {
  testLevel?: string;
  runTests?: string[];
} {
  const runTests = options['run-tests']
    ?.split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  return {
    ...(options['test-level'] ? { testLevel: options['test-level'] } : {}),
    ...(runTests?.length ? { runTests } : {}),
  };
}

/** "ApexClass:Foo" → {type, fullName}; the name may itself hold colons. */
export function parseComponentRef(text: string): { type: string; fullName: string } {
  const colon = text.indexOf(':');
  if (colon <= 0 || colon === text.length - 1)
    throw new CliError(ExitCode.Usage, `--component ${text}: use Type:FullName, e.g. ApexClass:InvoiceService.`);
  return { type: text.slice(0, colon), fullName: text.slice(colon + 1) };
}

/**
 * Reports a job the command started or looked up: waits for it when asked (with a progress display on stderr),
 * prints the outcome and its per-component results (or {job, components} as JSON), and answers the exit code.
 */
export async function reportJob(ctx: CommandContext, started: Job, wait: boolean): Promise<ExitCode> {
  const job = wait ? await waitForJob(ctx, started) : started;
  const { items: components } = await ctx.client.request<{ items: JobComponent[] }>(
    'GET',
    `/api/jobs/${job.id}/components`,
  );
  if (ctx.json) {
    ctx.streams.stdout.write(`${JSON.stringify({ job, components }, null, 2)}\n`);
  } else {
    ctx.streams.stdout.write(`${describeOutcome(job, ctx.client.baseUrl)}\n`);
    if (isFinished(job)) ctx.streams.stdout.write(`${formatComponents(components)}\n`);
  }
  return isFinished(job) ? exitCodeForJob(job) : ExitCode.Ok;
}

/** How long a wait rides out an unreachable server (a restart, a network blip) before giving up. */
const UNREACHABLE_GRACE_MS = 60_000;

/** Polls the job (with its ETag, so an unchanged job costs a 304) until it is Completed or Exception. */
function waitForJob(ctx: CommandContext, started: Job): Promise<Job> {
  return waitUntilFinished(ctx, `/api/jobs/${started.id}`, started, describeProgress);
}

/**
 * Polls `route` (with its ETag, so an unchanged answer costs a 304) until what it answers is Completed or Exception,
 * showing `describe(it)` on stderr at every change; rides out an unreachable server for a while.
 */
export async function waitUntilFinished<T extends Pick<Job, 'status'>>(
  ctx: CommandContext,
  route: string,
  started: T,
  describe: (current: T) => string,
): Promise<T> {
  const display = new ProgressDisplay(ctx.streams.stderr);
  let current = started;
  let etag: string | null = null;
  let unreachableSince: number | null = null;
  display.show(describe(current));
  while (!isFinished(current)) {
    await new Promise((resolve) => setTimeout(resolve, ctx.pollIntervalMs));
    try {
      const polled: { body: T | null; etag: string | null } = await ctx.client.poll<T>(route, etag);
      etag = polled.etag;
      current = polled.body ?? current;
      unreachableSince = null;
    } catch (error) {
      unreachableSince ??= Date.now();
      if (!(error instanceof CliError && error.transient) || Date.now() - unreachableSince > UNREACHABLE_GRACE_MS)
        throw error;
    }
    display.show(describe(current));
  }
  display.finish();
  return current;
}

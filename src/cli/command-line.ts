import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ApiClient, CliError, ExitCode } from './api-client.js';
import type { CommandContext } from './commands/command.js';
import { cancel } from './commands/cancel.js';
import { deploy } from './commands/deploy.js';
import { logs } from './commands/logs.js';
import { release, RELEASE_OPTIONS } from './commands/release.js';
import { rollback } from './commands/rollback.js';
import { run } from './commands/run.js';
import { status } from './commands/status.js';

export const HELP = `Usage: backtrack <command> [options]

Commands
  deploy --branch B --org O [--upload DIR|ZIP] [--test-level L] [--run-tests A,B] [--check-only]
         [--delete-removed] [--dry-run | --wait]
      Starts a Deploy job of the branch's latest revision. --upload first sends a project folder (zipped in
      memory) or a zip file as a new revision and deploys exactly that one. B and O are names or ids.
      --delete-removed also deletes what the branch's last Completed deploy to O sent and the revision no
      longer holds. --dry-run prints what would be created, updated and deleted, and queues nothing.
  run --pipeline P --artifact SERVICE=IMAGE [--artifact ...] [--var NAME=VALUE ...] [--wait]
      Starts an execution of pipeline P's latest version (P a name or id) with an image per service, e.g.
      --artifact checkout=nginx:1.27; --var sets a pipeline variable. With --wait, shows stage progress and
      prints the stage table at the end.
  release create --pipeline P --version V [--package NAME=VERSION ...] [--variable NAME=VALUE ...]
                 [--artifact SERVICE=IMAGE ...]
      Creates release V of pipeline P: a snapshot of its latest version with its variables, artifacts and the
      exact package versions (each uploaded before), e.g. --version 1.1.21 --package web=1.1.21.
  release deploy [--pipeline P] --release V --environment E [--wait]
      Deploys release V (a version or id) of pipeline P to environment E: its stages there, as the release
      snapshot has them. With --wait, shows stage progress and prints the stage table at the end.
  release redeploy-previous --pipeline P --environment E [--wait]
      Redeploys the release deployed in E before the current one, as a rollback (steps flagged skipOnRollback
      are skipped); refused with the server's reason when the current deployment cannot be rolled back.
  status ID
      The job's status, and its per-component results once it finished; for an execution of a pipeline (or
      its rollback), the stage table.
  logs ID [--component Type:Name | --stage NAME] [--follow]
      The job's log, or one component's thread; for an execution, every stage's log or one stage's (--stage).
      --follow streams it until the job finished.
  rollback --job JOB (--all | --component Type:Name ...) [--test-level L] [--check-only] [--force]
           [--accept-data-loss] [--delete-flow-versions] [--wait]
      Rolls back the components a Completed deploy changed: all of them, or the ones named.
      --accept-data-loss confirms a rollback that deletes a field or object (with its data) or recreates one empty.
      A flow is put back by re-activating its earlier version; --delete-flow-versions also deletes the versions the
      deploy created.
  rollback --branch B --org O --last --all [--check-only] [--force] [--accept-data-loss] [--delete-flow-versions]
           [--wait]
      Rolls back the last deploy of branch B to org O, completely (refused with the reason when that deploy
      cannot be rolled back; never an older one).
  rollback --execution ID [--force] [--accept-data-loss] [--wait]
      Rolls back an execution of a pipeline: its stages in reverse order, from what the execution recorded.
      --force rolls back a stage whose live state changed since (drift), which is refused otherwise.
  rollback --service S --infrastructure I --last [--force] [--accept-data-loss] [--wait]
      Rolls back the current deployment of service S on infrastructure I (names or ids): refused with the
      server's reason when it cannot be rolled back; never an older execution.
  cancel JOB [--wait]
      Cancels a Queued or In Progress job; a deploy Salesforce is running is canceled there. Exits 0 once
      the cancel is accepted; with --wait, with the job's code once it ended.

Options
  --url URL        the Backtrack server (default: $BACKTRACK_URL, else http://localhost:3000)
  --token TOKEN    the API token (default: $BACKTRACK_TOKEN)
  --wait           wait for the job to finish: progress on stderr (one updating line on a terminal,
                   timestamped lines otherwise), per-component results (an execution's stage table) at the end
  --json           print machine-readable JSON on stdout: {job, components}, or {execution} for an execution
                   of a pipeline; logs print one JSON line each
  --help           this text

Exit codes
  0  the job is Completed (without --wait: the request was accepted)
  1  the job ended in Exception (status, --wait, logs --follow)
  2  invalid usage, or the server refused the request (4xx other than 401/403)
  3  cannot reach the server or authenticate (network error, 401, 403) or the server failed (5xx)
`;

const OPTIONS = {
  url: { type: 'string' },
  token: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  branch: { type: 'string' },
  org: { type: 'string' },
  upload: { type: 'string' },
  'test-level': { type: 'string' },
  'run-tests': { type: 'string' },
  'check-only': { type: 'boolean' },
  'delete-removed': { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  wait: { type: 'boolean' },
  component: { type: 'string', multiple: true },
  follow: { type: 'boolean' },
  job: { type: 'string' },
  all: { type: 'boolean' },
  last: { type: 'boolean' },
  force: { type: 'boolean' },
  'accept-data-loss': { type: 'boolean' },
  'delete-flow-versions': { type: 'boolean' },
  pipeline: { type: 'string' },
  artifact: { type: 'string', multiple: true },
  var: { type: 'string', multiple: true },
  stage: { type: 'string' },
  execution: { type: 'string' },
  service: { type: 'string' },
  infrastructure: { type: 'string' },
  version: { type: 'string' },
  package: { type: 'string', multiple: true },
  variable: { type: 'string', multiple: true },
  release: { type: 'string' },
  environment: { type: 'string' },
} satisfies ParseArgsConfig['options'];

type Options = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];
type OptionName = keyof typeof OPTIONS;

interface Command {
  /** Positional arguments after the command name. */
  arguments: string[];
  options: OptionName[];
  run(ctx: CommandContext, args: string[], options: Options): Promise<ExitCode>;
}

const COMMANDS: Record<string, Command> = {
  deploy: {
    arguments: [],
    options: ['branch', 'org', 'upload', 'test-level', 'run-tests', 'check-only', 'delete-removed', 'dry-run', 'wait'],
    run: (ctx, _, o) => deploy(ctx, o),
  },
  run: {
    arguments: [],
    options: ['pipeline', 'artifact', 'var', 'wait'],
    run: (ctx, _, o) => run(ctx, o),
  },
  release: {
    arguments: ['create|deploy|redeploy-previous'],
    options: RELEASE_OPTIONS,
    run: (ctx, [subcommand], o) => release(ctx, subcommand!, o),
  },
  status: { arguments: ['ID'], options: [], run: (ctx, [id]) => status(ctx, id!) },
  logs: {
    arguments: ['ID'],
    options: ['component', 'stage', 'follow'],
    run: (ctx, [id], o) => logs(ctx, id!, { component: o.component?.at(-1), stage: o.stage, follow: o.follow }),
  },
  rollback: {
    arguments: [],
    options: [
      'job',
      'branch',
      'org',
      'last',
      'all',
      'component',
      'test-level',
      'run-tests',
      'check-only',
      'force',
      'accept-data-loss',
      'delete-flow-versions',
      'execution',
      'service',
      'infrastructure',
      'wait',
    ],
    run: (ctx, _, o) => rollback(ctx, o),
  },
  cancel: { arguments: ['JOB'], options: ['wait'], run: (ctx, [job], o) => cancel(ctx, job!, { wait: o.wait }) },
};
const GLOBAL: OptionName[] = ['url', 'token', 'json', 'help'];

/** Parses the command line, checks it against the command, and builds the API client. */
export function parseCommandLine(
  argv: string[],
  env: NodeJS.ProcessEnv,
): { help: true } | { command: Command; args: string[]; options: Options; client: ApiClient } {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new CliError(ExitCode.Usage, `${(error as Error).message}\nRun "backtrack --help" for usage.`);
  }
  const { values: options, positionals } = parsed;
  const [name, ...args] = positionals;
  if (options.help || !name) return { help: true };
  const command = COMMANDS[name];
  if (!command)
    throw new CliError(
      ExitCode.Usage,
      `Unknown command "${name}": use deploy, run, release, status, logs, rollback or cancel. Run "backtrack --help" for usage.`,
    );
  const stray = (Object.keys(options) as OptionName[]).find((o) => !GLOBAL.includes(o) && !command.options.includes(o));
  if (stray)
    throw new CliError(ExitCode.Usage, `--${stray} is not an option of "${name}". Run "backtrack --help" for usage.`);
  if (args.length !== command.arguments.length) {
    throw new CliError(
      ExitCode.Usage,
      `"${name}" takes ${command.arguments.length ? command.arguments.join(' ') : 'no arguments'}${args.length ? `, not: ${args.join(' ')}` : ''}.`,
    );
  }
  const token = options.token ?? env.BACKTRACK_TOKEN;
  if (!token) throw new CliError(ExitCode.Unreachable, 'No API token: set BACKTRACK_TOKEN or pass --token.');
  const url = options.url ?? env.BACKTRACK_URL ?? 'http://localhost:3000';
  if (!URL.canParse(url)) throw new CliError(ExitCode.Usage, `--url ${url} is not a URL, e.g. http://localhost:3000.`);
  return { command, args, options, client: new ApiClient(url, token) };
}

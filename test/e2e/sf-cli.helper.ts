// Runs the official Salesforce CLI (@salesforce/cli, pinned in package.json) as a process against an
// emulator started in this process: a throw-away HOME, no telemetry, no update checks, no prompts.
import { execFile } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from '@jest/globals';
import { startEmulator, type EmulatorHandle } from '../../src/emulator/emulator.server.js';

/** The repository root (this file runs from dist/test/emulator). */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SF_BIN = join(ROOT, 'node_modules', '.bin', 'sf');
export const CLI_API_VERSION = '66.0';

export interface CliResult<T = unknown> {
  readonly exitCode: number;
  /** The `--json` output: `{ status, result, warnings }` on success, `{ name, message, … }` on failure. */
  readonly json: { status: number; result?: T; name?: string; message?: string; [key: string]: unknown };
  readonly stderr: string;
}

export interface CliSandbox {
  readonly emulator: EmulatorHandle;
  /** A project folder with sfdx-project.json (sourceApiVersion 66.0) and force-app/main/default. */
  readonly projectDir: string;
  readonly alias: string;
  /** Runs `sf <args> --json` in the project folder. */
  sf<T = unknown>(...args: string[]): Promise<CliResult<T>>;
  /** Runs `sf <args> -o <alias> --json`: a command against the logged-in org. */
  sfOrg<T = unknown>(...args: string[]): Promise<CliResult<T>>;
  /** The same with extra environment variables (e.g. SF_ORG_METADATA_REST_DEPLOY). */
  sfWithEnv<T = unknown>(extra: Record<string, string>, ...args: string[]): Promise<CliResult<T>>;
  /** Writes project files (paths relative to force-app/main/default). */
  writeSource(files: Record<string, string | Buffer>): Promise<void>;
  close(): Promise<void>;
}

function cliEnv(home: string, accessToken: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: home,
    USERPROFILE: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_DATA_HOME: join(home, '.local', 'share'),
    XDG_CACHE_HOME: join(home, '.cache'),
    SF_ACCESS_TOKEN: accessToken,
    SF_DISABLE_TELEMETRY: 'true',
    SFDX_DISABLE_TELEMETRY: 'true',
    SF_AUTOUPDATE_DISABLE: 'true',
    SFDX_AUTOUPDATE_DISABLE: 'true',
    SF_SKIP_NEW_VERSION_CHECK: 'true',
    SF_DISABLE_LOG_FILE: 'true',
    SF_USE_GENERIC_UNIX_KEYCHAIN: 'true',
    SFDX_USE_GENERIC_UNIX_KEYCHAIN: 'true',
    SFDX_DISABLE_DNS_CHECK: 'true',
    SF_DISABLE_DNS_CHECK: 'true',
    SF_USE_PROGRESS_BAR: 'false',
    SF_DISABLE_SOURCE_MEMBER_POLLING: 'true',
    SF_CONTENT_TYPE: 'JSON',
    NODE_NO_WARNINGS: '1',
    FORCE_COLOR: '0',
    CI: 'true',
  };
}

function run(cwd: string, env: NodeJS.ProcessEnv, args: readonly string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [SF_BIN, ...args, '--json'],
      { cwd, env, maxBuffer: 64 * 1024 * 1024, timeout: 300_000 },
      (error, stdout, stderr) => {
        const exitCode = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        let json: CliResult['json'];
        try {
          json = JSON.parse(stdout) as CliResult['json'];
        } catch {
          json = { status: exitCode, name: 'NoJson', message: `${stdout}\n${stderr}` };
        }
        resolve({ exitCode, json, stderr });
      },
    );
  });
}

/** Starts an emulator, makes a project and logs the CLI in with `sf org login access-token`. */
export async function startCliSandbox(options: { latencyMs?: number } = {}): Promise<CliSandbox> {
  const emulator = await startEmulator({ latencyMs: options.latencyMs ?? 50 });
  const base = await mkdtemp(join(tmpdir(), 'backtrack-sf-cli-'));
  const home = join(base, 'home');
  const projectDir = join(base, 'project');
  await mkdir(join(projectDir, 'force-app', 'main', 'default'), { recursive: true });
  await mkdir(home, { recursive: true });
  await writeFile(
    join(projectDir, 'sfdx-project.json'),
    JSON.stringify({
      packageDirectories: [{ path: 'force-app', default: true }],
      name: 'cli-test',
      namespace: '',
      sourceApiVersion: CLI_API_VERSION,
    }),
  );
  const env = cliEnv(home, emulator.defaultOrg.accessToken);
  const alias = 'emu';
  const sandbox: CliSandbox = {
    emulator,
    projectDir,
    alias,
    sf: <T>(...args: string[]) => run(projectDir, env, args) as Promise<CliResult<T>>,
    sfOrg: <T>(...args: string[]) => run(projectDir, env, [...args, '-o', alias]) as Promise<CliResult<T>>,
    sfWithEnv: <T>(extra: Record<string, string>, ...args: string[]) =>
      run(projectDir, { ...env, ...extra }, args) as Promise<CliResult<T>>,
    async writeSource(files) {
      for (const [path, content] of Object.entries(files)) {
        const target = join(projectDir, 'force-app', 'main', 'default', path);
        await mkdir(dirname(target), { recursive: true });
        await writeFile(target, content);
      }
    },
    async close() {
      await emulator.close();
      await rm(base, { recursive: true, force: true });
    },
  };
  return sandbox;
}

/** `sf org login access-token` against the sandbox's emulator, with the instance URL's trailing slash. */
export function login(
  sandbox: CliSandbox,
): Promise<CliResult<{ username: string; orgId: string; instanceUrl: string }>> {
  return sandbox.sf(
    'org',
    'login',
    'access-token',
    '--instance-url',
    `${sandbox.emulator.url}/`,
    '--no-prompt',
    '--alias',
    sandbox.alias,
  );
}

/** A sandbox whose CLI is logged in to the emulator's default org (throws when the login fails). */
export async function startLoggedInSandbox(options: { latencyMs?: number } = {}): Promise<CliSandbox> {
  const sandbox = await startCliSandbox(options);
  const logged = await login(sandbox);
  if (logged.exitCode !== 0) {
    await sandbox.close();
    throw new Error(`login failed: ${logged.json.message}`);
  }
  return sandbox;
}

/** A command that succeeded: exit code 0 and no error message (the message first, as it says why). */
export function expectSuccess(result: CliResult): void {
  expect(result.json.message).toBeUndefined();
  expect(result.exitCode).toBe(0);
}

/** The components the emulator's default org holds, as `Type:FullName`. */
export function storedComponents(sandbox: CliSandbox): string[] {
  return sandbox.emulator.admin.listComponents(sandbox.emulator.defaultOrg.id).map((c) => `${c.type}:${c.fullName}`);
}

/** An Apex class's two source files (paths relative to force-app/main/default). */
export function apexClassFiles(name: string, body?: string): Record<string, string> {
  return { [`classes/${name}.cls`]: apexClassSource(name, body), [`classes/${name}.cls-meta.xml`]: apexClassMeta };
}

export const apexClassSource = (name: string, body = "return 'hi';") =>
  `public with sharing class ${name} {\n    public static String hello() {\n        ${body}\n    }\n}\n`;

export const apexClassMeta = `<?xml version="1.0" encoding="UTF-8"?>
<ApexClass xmlns="http://soap.sforce.com/2006/04/metadata">
    <apiVersion>${CLI_API_VERSION}</apiVersion>
    <status>Active</status>
</ApexClass>
`;

import { describe, it, beforeAll, afterAll, expect } from '@jest/globals';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ADMIN_TOKEN, startHarness, type Harness } from '../helpers/backtrack.harness.js';
import { SAMPLE_PROJECT, zipFolder } from '../helpers/project-zip.js';
import { closeStarted } from '../helpers/lifecycle.js';

const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const SERVICE = 'force-app/main/default/classes/InvoiceService.cls';
const ORG = 'Local Sandbox';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

describe('the backtrack CLI as a process', () => {
  let h: Harness;
  let work: string;

  /** Runs the CLI against the harness (asynchronously: the server answers from this same process). */
  const cli = (...args: string[]): Promise<Run> =>
    new Promise((resolve) => {
      const env = { ...process.env, BACKTRACK_URL: h.url, BACKTRACK_TOKEN: ADMIN_TOKEN };
      execFile(process.execPath, [CLI, ...args], { env }, (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
      );
    });
  const orgState = () =>
    h.backtrack
      .emulator!.admin.listComponents(h.backtrack.emulator!.defaultOrg.id)
      .map((c) => `${c.type}:${c.fullName} ${c.files.map((f) => f.sha256).join(',')}`);

  beforeAll(async () => {
    h = await startHarness();
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'backtrack-cli-'));
    expect((await h.api('POST', '/api/branches', { body: { name: 'cli' } })).status).toBe(201);
  });
  afterAll(async () => {
    await closeStarted(h);
    fs.rmSync(work, { recursive: true, force: true });
  });

  let firstDeployState: string[];
  it('deploys a project folder with --upload --wait: exit 0 and a Succeeded row per component', async () => {
    const run = await cli('deploy', '--branch', 'cli', '--org', ORG, '--upload', SAMPLE_PROJECT, '--wait');
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/Uploaded revision #1 \(11 components\)/);
    expect(run.stderr).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z Deploy [0-9a-f]{8} /m); // not a TTY: timestamped progress lines
    expect(run.stdout).toMatch(/Deploy [0-9a-f-]{36} Completed in \d+ s: 11 created\./);
    expect(run.stdout).toMatch(/^ApexClass\s+InvoiceService\s+create\s+Succeeded$/m);
    firstDeployState = orgState();
    expect(firstDeployState.length).toBe(11);
  });

  it('deploys a changed project as the next revision: the org changes', async () => {
    const changed = path.join(work, 'changed');
    fs.cpSync(SAMPLE_PROJECT, changed, { recursive: true });
    fs.writeFileSync(path.join(changed, SERVICE), 'public with sharing class InvoiceService {\n    // version 2\n}\n');
    const run = await cli('deploy', '--branch', 'cli', '--org', ORG, '--upload', changed, '--wait', '--json');
    expect(run.code).toBe(0);
    const { job, components } = JSON.parse(run.stdout);
    expect(job.status).toBe('Completed');
    expect(job.revision).toBe(2);
    expect(components.find((c: any) => c.fullName === 'InvoiceService').action).toBe('update');
    expect(orgState()).not.toEqual(firstDeployState);
  });

  let failedJobId: string;
  it('exits 1 when the deploy ends in Exception, printing the problem with its line', async () => {
    const zip = path.join(work, 'broken.zip');
    fs.writeFileSync(
      zip,
      await zipFolder(SAMPLE_PROJECT, { [SERVICE]: 'public with sharing class InvoiceService {\n    void run() {\n' }),
    );
    const before = orgState();
    const run = await cli('deploy', '--branch', 'cli', '--org', ORG, '--upload', zip, '--wait');
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/Exception/);
    expect(run.stdout).toMatch(/^ApexClass\s+InvoiceService\s+\w+\s+Failed\s+line \d+(:\d+)? .+$/m);
    failedJobId = /Deploy ([0-9a-f-]{36}) Exception/.exec(run.stdout)![1]!;
    expect(orgState()).toEqual(before); // a failed deploy changes nothing
  });

  it("reports a finished job with status (exit 1 for Exception) and prints one component's log", async () => {
    const status = await cli('status', failedJobId);
    expect(status.code).toBe(1);
    expect(status.stdout).toMatch(/Failed/);
    const logs = await cli('logs', failedJobId, '--component', 'ApexClass:InvoiceService');
    expect(logs.code).toBe(0);
    const lines = logs.stdout.trim().split('\n');
    expect(lines.length > 0 && lines.every((l) => l.includes('ApexClass:InvoiceService'))).toBeTruthy();
    const follow = await cli('logs', failedJobId, '--follow', '--json');
    expect(follow.code).toBe(1); // follows until the end, then exits with the job
    expect(
      follow.stdout
        .trim()
        .split('\n')
        .every((l) => typeof JSON.parse(l).seq === 'number'),
    ).toBeTruthy();
  });

  it('refuses --last --all when the last deploy of the branch failed, naming it, instead of rolling back an older one', async () => {
    const before = orgState();
    const run = await cli('rollback', '--branch', 'cli', '--org', ORG, '--last', '--all', '--wait');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(new RegExp(`job ${failedJobId}.*applied none of it`));
    expect(orgState()).toEqual(before);
  });

  it('exits 3 when the token is refused or the server cannot be reached', async () => {
    const refused = await cli('status', failedJobId, '--token', 'bt_wrong_token_0123456789abcdefghij');
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/token/i);
    const unreachable = await cli('status', failedJobId, '--url', 'http://127.0.0.1:9');
    expect(unreachable.code).toBe(3);
    expect(unreachable.stderr).toMatch(/Cannot reach Backtrack/);
  });

  it('exits 2 on invalid usage or a refused request', async () => {
    const usage = await cli('rollback', '--job', failedJobId);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/--all, or --component/);
    expect((await cli('deploy', '--org', ORG)).code).toBe(2);
    expect((await cli('frobnicate')).code).toBe(2);
    const refused = await cli('rollback', '--job', failedJobId, '--all');
    expect(refused.code).toBe(2); // an Exception deploy cannot be rolled back (409)
    expect(refused.stderr).toMatch(/Only a Completed deploy can be rolled back/);
  });
});

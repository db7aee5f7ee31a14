import { describe, it, beforeAll, afterAll, expect } from '@jest/globals';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ADMIN_TOKEN, startHarness, type Harness } from '../helpers/backtrack.harness.js';
import { closeStarted } from '../helpers/lifecycle.js';
import {
  createPipeline,
  createService,
  deploymentManifest,
  kubernetesStage,
  liveImage,
} from '../helpers/executions.js';

const LOCAL_CLUSTER = 'Local Cluster';

const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

describe('the backtrack CLI with pipelines: run, wait, roll back the current deployment', () => {
  let h: Harness;
  let serviceId: string;

  /** Runs the CLI against the harness (asynchronously: the server answers from this same process). */
  const cli = (...args: string[]): Promise<Run> =>
    new Promise((resolve) => {
      const env = { ...process.env, BACKTRACK_URL: h.url, BACKTRACK_TOKEN: ADMIN_TOKEN };
      execFile(process.execPath, [CLI, ...args], { env }, (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
      );
    });
  const current = async () => {
    const { body } = await h.api('GET', `/api/services/${serviceId}/instances`);
    return body.instances.find((i: any) => i.infrastructure.name === LOCAL_CLUSTER);
  };

  beforeAll(async () => {
    h = await startHarness();
    serviceId = await createService(h, 'cart');
    await createPipeline(h, 'cart-release', {
      stages: [kubernetesStage('cart', 'cart', LOCAL_CLUSTER, [deploymentManifest('cart', '<+artifact.image>')])],
    });
  });
  afterAll(async () => {
    await closeStarted(h);
  });

  const executionIds: string[] = [];
  it('runs the pipeline by name twice with --wait: exit 0, stage progress, the stage table', async () => {
    for (const image of ['nginx:1.26', 'nginx:1.27']) {
      const run = await cli('run', '--pipeline', 'cart-release', '--artifact', `cart=${image}`, '--wait');
      expect(run.code).toBe(0);
      expect(run.stderr).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z Deploy [0-9a-f]{8} /m);
      expect(run.stdout).toMatch(new RegExp(`of pipeline cart-release v1 Completed in \\d+ s \\(cart=${image}\\)`));
      expect(run.stdout).toMatch(
        new RegExp(`^cart\\s+kubernetes\\s+cart\\s+${LOCAL_CLUSTER} \\(\\w+\\)\\s+Completed\\s+${image}`, 'm'),
      );
      executionIds.push(/^Deploy ([0-9a-f-]{36}) /m.exec(run.stdout)![1]!);
    }
    expect((await current()).artifact).toBe('nginx:1.27');
    expect(await liveImage(h, 'cart')).toBe('nginx:1.27');
  }, 120_000);

  it('status and logs --stage read an execution', async () => {
    const status = await cli('status', executionIds[1]!, '--json');
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout).execution.stages[0].status).toBe('Completed');
    const logs = await cli('logs', executionIds[1]!, '--stage', 'cart');
    expect(logs.code).toBe(0);
    expect(logs.stdout).toMatch(/ {2}cart {2}/);
  });

  it('refuses an unknown pipeline (exit 2) naming the ones there are', async () => {
    const run = await cli('run', '--pipeline', 'nope', '--artifact', 'cart=nginx:1.28');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/No pipeline named "nope" \(there are: cart-release\)/);
  });

  it('rollback --service --infrastructure --last --wait rolls back the current deployment: Completed, exit 0', async () => {
    const run = await cli('rollback', '--service', 'cart', '--infrastructure', LOCAL_CLUSTER, '--last', '--wait');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Rollback [0-9a-f-]{36} of pipeline cart-release v1 Completed/m);
    expect(run.stdout).toContain(`Rolls back: ${executionIds[1]}`);
    const now = await current();
    expect(now.artifact).toBe('nginx:1.26');
    expect(now.current.executionId).toBe(executionIds[0]);
    expect(await liveImage(h, 'cart')).toBe('nginx:1.26');
  }, 120_000);

  it("refuses to roll back the rolled-back execution again: exit 2 with the server's reason", async () => {
    const again = await cli('rollback', '--execution', executionIds[1]!);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already rolled back/);
  });
});

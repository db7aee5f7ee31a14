import crypto from 'node:crypto';
import { describe, it, beforeAll, afterAll, expect } from '@jest/globals';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ADMIN_TOKEN, startHarness, type Harness } from '../helpers/backtrack.harness.js';
import {
  createPipeline,
  createService,
  deploymentManifest,
  kubernetesStage,
  liveImage,
  registerCluster,
} from '../helpers/executions.js';
import { closeStarted } from '../helpers/lifecycle.js';

const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

describe('the backtrack CLI with releases: create, deploy to an environment, redeploy the previous one', () => {
  let h: Harness;
  let pipelineId: string;
  let webSha256: string;

  /** Runs the CLI against the harness (asynchronously: the server answers from this same process). */
  const cli = (...args: string[]): Promise<Run> =>
    new Promise((resolve) => {
      const env = { ...process.env, BACKTRACK_URL: h.url, BACKTRACK_TOKEN: ADMIN_TOKEN };
      execFile(process.execPath, [CLI, ...args], { env }, (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
      );
    });

  beforeAll(async () => {
    h = await startHarness();
    await createService(h, 'shop-web');
    await registerCluster(h, 'QA Cluster', 'qa');
    pipelineId = await createPipeline(h, 'storefront', {
      variables: { color: 'blue' },
      stages: [
        kubernetesStage('dev', 'shop-web', 'Local Cluster', [
          deploymentManifest('storefront-dev', '<+artifact.image>'),
        ]),
        kubernetesStage('qa', 'shop-web', 'QA Cluster', [deploymentManifest('storefront-qa', '<+artifact.image>')]),
      ],
    });
    // a package version as an upload leaves it (the bytes are not needed: no stage installs it)
    webSha256 = crypto.createHash('sha256').update('web 1.1.20').digest('hex');
    await h.backtrack.dataSource.query(
      `INSERT INTO package_versions (id, name, version, format, size, sha256, files)
       VALUES ($1, 'web', '1.1.20', 'tar.gz', 10, $2, '[]')`,
      [crypto.randomUUID(), webSha256],
    );
  });
  afterAll(async () => {
    await closeStarted(h);
  });

  it('release create pins the package and takes variables and artifacts', async () => {
    const first = await cli(
      ...['release', 'create', '--pipeline', 'storefront', '--version', '1.1.20', '--package', 'web=1.1.20'],
      ...['--variable', 'color=green', '--artifact', 'shop-web=nginx:1.20'],
    );
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^Release 1\.1\.20 \([0-9a-f-]{36}\) of pipeline storefront v1 created\.$/m);
    expect(first.stdout).toContain(`Package: web 1.1.20 (sha256 ${webSha256.slice(0, 12)}…)`);
    const second = await cli(
      ...['release', 'create', '--pipeline', pipelineId, '--version', '1.1.21', '--artifact', 'shop-web=nginx:1.21'],
      '--json',
    );
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout).release).toMatchObject({ version: '1.1.21', variables: { color: 'blue' } });
    const { body } = await h.api('GET', `/api/pipelines/${pipelineId}/releases`);
    expect(body.releases.map((r: { version: string; variables: unknown }) => [r.version, r.variables])).toEqual([
      ['1.1.21', { color: 'blue' }],
      ['1.1.20', { color: 'green' }],
    ]);
  });

  it('refuses a release version used already, with the server reason (exit 2)', async () => {
    const again = await cli(
      ...['release', 'create', '--pipeline', 'storefront', '--version', '1.1.20', '--artifact', 'shop-web=nginx:1'],
    );
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('Pipeline storefront already has a release 1.1.20');
  });

  const deployedIds: string[] = [];
  it('release deploy --wait deploys only the stages of that environment: exit 0, progress, the stage table', async () => {
    for (const [version, image] of [
      ['1.1.20', 'nginx:1.20'],
      ['1.1.21', 'nginx:1.21'],
    ] as const) {
      // the second as the issue writes it: without --pipeline, the one pipeline having that release is found
      const pipeline = version === '1.1.20' ? ['--pipeline', 'storefront'] : [];
      const run = await cli(
        ...['release', 'deploy', ...pipeline, '--release', version, '--environment', 'qa', '--wait'],
      );
      expect(run.code).toBe(0);
      expect(run.stderr).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z Deploy [0-9a-f]{8} /m);
      expect(run.stdout).toMatch(
        new RegExp(`of pipeline storefront v1 Completed in \\d+ s \\(shop-web=${image}\\)\\.\\nRelease: ${version}\\n`),
      );
      expect(run.stdout).toMatch(new RegExp(`^qa\\s+kubernetes\\s+shop-web\\s+QA Cluster \\(qa\\)\\s+Completed`, 'm'));
      expect(run.stdout).not.toMatch(/^dev\s/m);
      deployedIds.push(/^Deploy ([0-9a-f-]{36}) /m.exec(run.stdout)![1]!);
      expect(await liveImage(h, 'storefront-qa')).toBe(image);
    }
    expect(await liveImage(h, 'storefront-dev')).toBeNull();
  }, 120_000);

  it('release deploy refuses an unknown release (listing them) and an environment without stages (exit 2)', async () => {
    const unknown = await cli(
      'release',
      'deploy',
      '--pipeline',
      'storefront',
      '--release',
      '9.9',
      '--environment',
      'qa',
    );
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Pipeline storefront has no release "9.9" (its releases: 1.1.21, 1.1.20)');
    const nowhere = await cli('release', 'deploy', '--release', '9.9', '--environment', 'qa');
    expect([nowhere.code, nowhere.stderr.trim()]).toEqual([2, 'backtrack: No pipeline has a release "9.9".']);
    const prod = await cli(
      ...['release', 'deploy', '--pipeline', 'storefront', '--release', '1.1.21', '--environment', 'prod'],
    );
    expect(prod.code).toBe(2);
    expect(prod.stderr).toContain('has no stage in "prod"; its stages deploy to dev, qa');
  });

  it('release redeploy-previous --wait puts 1.1.20 back in qa as a rollback, once', async () => {
    const run = await cli('release', 'redeploy-previous', '--pipeline', 'storefront', '--environment', 'qa', '--wait');
    expect(run.code).toBe(0);
    expect(run.stderr).toContain(
      `Redeploys release 1.1.20 to qa as a rollback, over release 1.1.21 (execution ${deployedIds[1]}).`,
    );
    expect(run.stdout).toMatch(
      /of pipeline storefront v1 Completed .*\nRelease: 1\.1\.20 \(redeployed as a rollback\)\n/,
    );
    expect(await liveImage(h, 'storefront-qa')).toBe('nginx:1.20');

    const replaced = await cli('rollback', '--execution', deployedIds[1]!);
    expect(replaced.code).toBe(2);
    expect(replaced.stderr).toContain('already rolled back (by redeploying a previous release');
    const again = await cli('release', 'redeploy-previous', '--pipeline', 'storefront', '--environment', 'qa');
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('Pipeline storefront has no previous release in qa');
  }, 120_000);
});

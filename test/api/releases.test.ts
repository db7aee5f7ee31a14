import crypto from 'node:crypto';
import { describe, it, beforeAll, afterAll, expect } from '@jest/globals';
import { startHarness, type Harness } from '../helpers/backtrack.harness.js';
import {
  clusterClients,
  configMapManifest,
  createPipeline,
  createService,
  deploymentManifest,
  finished,
  kubernetesStage,
  liveImage,
  registerCluster,
  rollBack,
} from '../helpers/executions.js';
import { closeStarted } from '../helpers/lifecycle.js';
import { createToken } from '../helpers/scoped-access.js';

const DEV = 'Local Cluster'; // environment dev
const QA = 'QA Cluster'; // environment qa, on the same emulator

describe('releases: snapshots of a pipeline, deployed to an environment, and redeployed as a rollback', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    for (const name of ['web', 'api']) await createService(h, name);
    await registerCluster(h, QA, 'qa');
  });
  afterAll(() => closeStarted(h));

  const sql = (text: string, params: unknown[] = []): Promise<any[]> => h.backtrack.dataSource.query(text, params);

  /** An uploaded package version, as PackagesService stores it (its bytes are not needed here). */
  const uploadedPackage = async (name: string, version: string, options: { pruned?: boolean } = {}) => {
    const id = crypto.randomUUID();
    const sha256 = crypto.createHash('sha256').update(`${name}@${version}`).digest('hex');
    await sql(
      `INSERT INTO package_versions (id, name, version, format, size, sha256, files, pruned_at)
       VALUES ($1, $2, $3, 'tar.gz', 10, $4, '[]', $5)`,
      [id, name, version, sha256, options.pruned ? new Date() : null],
    );
    return { id, sha256 };
  };

  const createRelease = async (pipelineId: string, body: Record<string, unknown>): Promise<any> => {
    const res = await h.api('POST', `/api/pipelines/${pipelineId}/releases`, { body });
    if (res.status !== 201) throw new Error(`release refused: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };

  /** Deploys the release (201 expected) and waits until the execution finished. */
  const deploy = async (releaseId: string, environment: string, mode?: 'deploy' | 'rollback'): Promise<any> => {
    const res = await h.api('POST', `/api/releases/${releaseId}/deployments`, {
      body: { environment, ...(mode ? { mode } : {}) },
    });
    if (res.status !== 201) throw new Error(`deployment refused: ${res.status} ${JSON.stringify(res.body)}`);
    return finished(h, res.body.id as string);
  };

  const jobRow = async (id: string) => (await sql(`SELECT release_id, options FROM jobs WHERE id = $1`, [id]))[0];

  /** A pipeline with one stage in dev and one in qa, each a Deployment of the web artifact. */
  const twoEnvironments = (name: string, prefix: string, extra: Record<string, unknown> = {}) =>
    createPipeline(h, name, {
      stages: [
        kubernetesStage('dev-web', 'web', DEV, [deploymentManifest(`${prefix}-dev`, '<+artifact.image>')], extra),
        kubernetesStage('qa-web', 'web', QA, [deploymentManifest(`${prefix}-qa`, '<+artifact.image>')], extra),
      ],
    });

  it('snapshots the latest version with its variables, artifacts and pins; editing the pipeline changes no release', async () => {
    const pipelineId = await createPipeline(h, 'snapshot', {
      variables: { color: 'blue', size: 'm' },
      stages: [
        kubernetesStage('web', 'web', DEV, [
          deploymentManifest('snapshot-web', '<+artifact.image>'),
          configMapManifest('snapshot-color', { color: '<+pipeline.variables.color>' }),
        ]),
      ],
    });
    const web = await uploadedPackage('web', '1.1.20');
    const created = await h.api('POST', `/api/pipelines/${pipelineId}/releases`, {
      body: {
        version: '1.1.20',
        packages: { WEB: '1.1.20' },
        variables: { color: 'green' },
        artifacts: { web: 'nginx:1.20' },
      },
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`/api/releases/${created.body.id}`);
    expect(created.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      pipeline: { id: pipelineId, name: 'snapshot' },
      version: '1.1.20',
      pipelineVersion: 1,
      variables: { color: 'green', size: 'm' },
      artifacts: { web: 'nginx:1.20' },
      packages: [{ name: 'web', version: '1.1.20', sha256: web.sha256 }],
      createdAt: expect.any(String),
      createdBy: expect.any(String),
    });

    const edited = await h.api('PUT', `/api/pipelines/${pipelineId}`, {
      body: {
        definition: {
          variables: { color: 'red', size: 'm' },
          stages: [kubernetesStage('web', 'web', DEV, [configMapManifest('snapshot-color', { color: 'edited' })])],
        },
      },
    });
    expect(edited.status).toBe(200);
    const later = await createRelease(pipelineId, { version: '1.1.21' });
    expect(later).toMatchObject({ pipelineVersion: 2, variables: { color: 'red', size: 'm' }, packages: [] });

    const execution = await deploy(created.body.id, 'dev');
    expect(execution).toMatchObject({
      status: 'Completed',
      pipeline: { id: pipelineId, version: 1 },
      artifacts: { web: 'nginx:1.20' },
      release: { id: created.body.id, version: '1.1.20', mode: 'deploy' },
    });
    expect(await liveImage(h, 'snapshot-web')).toBe('nginx:1.20');
    const color = await clusterClients(h).core.readNamespacedConfigMap({
      name: 'snapshot-color',
      namespace: 'default',
    });
    expect(color.data).toEqual({ color: 'green' });

    const listed = await h.api('GET', `/api/pipelines/${pipelineId}/releases`);
    expect(listed.body.releases.map((r: { version: string }) => r.version)).toEqual(['1.1.21', '1.1.20']);
    const one = await h.api('GET', `/api/releases/${created.body.id}`);
    expect(one.body).toMatchObject({ version: '1.1.20', pipelineVersion: 1 });
    expect(one.body.deployments).toEqual([
      {
        executionId: execution.id,
        environment: 'dev',
        mode: 'deploy',
        status: 'Completed',
        finishedAt: execution.finishedAt,
      },
    ]);
  });

  it('refuses a release with a clear 400, 403 or 409: variables, packages, version, permission', async () => {
    const pipelineId = await createPipeline(h, 'refusals', {
      variables: { color: 'blue' },
      stages: [kubernetesStage('web', 'web', DEV, [deploymentManifest('refusals-web', 'nginx:1.27')])],
    });
    await uploadedPackage('old', '1.0.0', { pruned: true });
    const refused = async (body: Record<string, unknown>, token?: string) => {
      const res = await h.api('POST', `/api/pipelines/${pipelineId}/releases`, { body, token });
      return { status: res.status, message: res.body.message as string };
    };
    expect(await refused({ version: '1', variables: { nope: 'x' } })).toEqual({
      status: 400,
      message: expect.stringContaining('variables.nope: the pipeline declares no variable "nope" (it declares color)'),
    });
    expect(await refused({ version: '1', packages: { ghost: '1.0.0' } })).toEqual({
      status: 400,
      message: expect.stringContaining('packages.ghost: no version "1.0.0" of package "ghost" was uploaded'),
    });
    expect(await refused({ version: '1', packages: { old: '1.0.0' } })).toEqual({
      status: 400,
      message: expect.stringMatching(
        /^packages\.old: version 1\.0\.0 of package old was pruned on .*upload a new version/,
      ),
    });
    expect(await refused({ version: '../1' })).toEqual({
      status: 400,
      message: expect.stringContaining('version: must be 1 to 64 letters'),
    });
    expect(await refused({ version: '1', artifacts: { nope: 'nginx:1' } })).toEqual({
      status: 400,
      message: expect.stringContaining('artifacts.nope: no stage of this pipeline deploys a service named "nope"'),
    });

    await createRelease(pipelineId, { version: 'V1' });
    expect(await refused({ version: 'v1' })).toEqual({
      status: 409,
      message: 'Pipeline refusals already has a release V1; releases are immutable: create a new version.',
    });

    const prodOnly = await createToken(h, ['deploy'], ['prod']);
    expect(await refused({ version: '2' }, prodOnly.token)).toEqual({
      status: 403,
      message: expect.stringContaining('needs "deploy" in one of its environments (dev)'),
    });
    const reader = await createToken(h, ['read']);
    expect((await refused({ version: '2' }, reader.token)).status).toBe(403);
    const devDeployer = await createToken(h, ['deploy'], ['dev']);
    const res = await h.api('POST', `/api/pipelines/${pipelineId}/releases`, {
      body: { version: '2' },
      token: devDeployer.token,
    });
    expect(res.status).toBe(201);
  });

  it('pins the package of every ssh stage, and refuses to deploy a release whose package was pruned since', async () => {
    // kind ssh is refused by POST /api/infrastructures for now; nothing here opens its connection
    await sql(
      `INSERT INTO infrastructures (id, name, environment, kind, connection_ciphertext)
       VALUES ($1, 'Web Hosts', 'hosts', 'ssh', 'never-opened')`,
      [crypto.randomUUID()],
    );
    const pipelineId = await createPipeline(h, 'hosts', {
      stages: [
        {
          name: 'install',
          service: 'api',
          infrastructure: 'Web Hosts',
          spec: { package: 'api', installDir: '/srv/api' },
        },
      ],
    });
    const unpinned = await h.api('POST', `/api/pipelines/${pipelineId}/releases`, { body: { version: '1' } });
    expect(unpinned.status).toBe(400);
    expect(unpinned.body.message).toBe(
      'packages: stage "install" deploys package "api", which the release does not pin; send packages: {"api": "VERSION"} (an uploaded version).',
    );
    const api = await uploadedPackage('api', '7.0.0');
    const release = await createRelease(pipelineId, { version: '1', packages: { api: '7.0.0' } });
    expect(release.packages).toEqual([{ name: 'api', version: '7.0.0', sha256: api.sha256 }]);

    await sql(`UPDATE package_versions SET pruned_at = now() WHERE id = $1`, [api.id]);
    const gone = await h.api('POST', `/api/releases/${release.id}/deployments`, { body: { environment: 'hosts' } });
    expect(gone.status).toBe(410);
    expect(gone.body.message).toContain('Release 1 pins package api 7.0.0, whose bytes are no longer kept');
    expect((await sql(`SELECT count(*)::int AS n FROM jobs WHERE release_id = $1`, [release.id]))[0].n).toBe(0);
  });

  it("deploys only the environment's stages, with the release and the environment's facts in options.release", async () => {
    const pipelineId = await twoEnvironments('two-envs', 'envs');
    const web20 = await uploadedPackage('envs-web', '1.1.20');
    const r20 = await createRelease(pipelineId, {
      version: '1.1.20',
      packages: { 'envs-web': '1.1.20' },
      artifacts: { web: 'nginx:1.20' },
    });
    const r21 = await createRelease(pipelineId, { version: '1.1.21', artifacts: { web: 'nginx:1.21' } });

    const started = await h.api('POST', `/api/releases/${r20.id}/deployments`, { body: { environment: 'QA' } });
    expect(started.status).toBe(201);
    expect(started.headers.get('location')).toBe(`/api/executions/${started.body.id}`);
    expect(started.body).toMatchObject({
      kind: 'Deploy',
      pipeline: { id: pipelineId, name: 'two-envs', version: 1 },
      release: { id: r20.id, version: '1.1.20', mode: 'deploy' },
    });
    expect(started.body.stages.map((s: { name: string }) => s.name)).toEqual(['qa-web']);
    const e20 = await finished(h, started.body.id);
    expect(e20.status).toBe('Completed');
    expect(await liveImage(h, 'envs-qa')).toBe('nginx:1.20');
    expect(await liveImage(h, 'envs-dev')).toBeNull();
    expect(await jobRow(e20.id)).toEqual({
      release_id: r20.id,
      options: {
        artifacts: { web: 'nginx:1.20' },
        variables: {},
        pipelineName: 'two-envs',
        release: {
          id: r20.id,
          version: '1.1.20',
          mode: 'deploy',
          packages: { 'envs-web': { version: '1.1.20', sha256: web20.sha256, packageVersionId: web20.id } },
          environment: { currentRelease: null, previousRelease: null, previousSuccessfulDeploymentId: null },
        },
      },
    });

    const e21 = await deploy(r21.id, 'qa');
    expect((await jobRow(e21.id)).options.release.environment).toEqual({
      currentRelease: '1.1.20',
      previousRelease: '1.1.20',
      previousSuccessfulDeploymentId: e20.id,
    });
    // deploying 1.1.20 again: the previous release other than itself is 1.1.21
    const again = await deploy(r20.id, 'qa');
    expect((await jobRow(again.id)).options.release.environment).toEqual({
      currentRelease: '1.1.21',
      previousRelease: '1.1.21',
      previousSuccessfulDeploymentId: e21.id,
    });

    const previous = await h.api('GET', `/api/releases/previous?pipeline=${pipelineId}&environment=qa`);
    expect(previous.status).toBe(200);
    expect(previous.body).toEqual({
      current: { release: { id: r20.id, version: '1.1.20' }, executionId: again.id },
      previous: { release: { id: r21.id, version: '1.1.21' }, executionId: e21.id },
    });
    const none = await h.api('GET', `/api/releases/previous?pipeline=${pipelineId}&environment=dev`);
    expect(none.status).toBe(404);
    expect(none.body.message).toContain('No deployment of pipeline two-envs stands in dev');

    const elsewhere = await h.api('POST', `/api/releases/${r21.id}/deployments`, { body: { environment: 'prod' } });
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.body.message).toBe(
      'environment: release 1.1.21 of pipeline two-envs has no stage in "prod"; its stages deploy to dev, qa: pick one of those.',
    );
    const badMode = await h.api('POST', `/api/releases/${r21.id}/deployments`, {
      body: { environment: 'qa', mode: 'back' },
    });
    expect(badMode.status).toBe(400);
    expect(badMode.body.message).toContain('mode: must be one of "deploy", "rollback"');

    const activities = await h.api('GET', `/api/executions?pipeline=${pipelineId}`);
    expect(activities.body.executions.map((e: { release: unknown }) => e.release)).toEqual([
      { id: r20.id, version: '1.1.20', mode: 'deploy' },
      { id: r21.id, version: '1.1.21', mode: 'deploy' },
      { id: r20.id, version: '1.1.20', mode: 'deploy' },
    ]);

    const devOnly = await createToken(h, ['deploy'], ['dev']);
    const forbidden = await h.api('POST', `/api/releases/${r21.id}/deployments`, {
      body: { environment: 'qa' },
      token: devOnly.token,
    });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.message).toContain('not for the "qa" environment');
  });

  it('redeploys the previous release in mode rollback once, claiming the current execution', async () => {
    const pipelineId = await twoEnvironments('redeploy', 'redeploy');
    const r20 = await createRelease(pipelineId, { version: '1.1.20', artifacts: { web: 'nginx:1.20' } });
    const r21 = await createRelease(pipelineId, { version: '1.1.21', artifacts: { web: 'nginx:1.21' } });
    const r22 = await createRelease(pipelineId, { version: '1.1.22', artifacts: { web: 'nginx:1.22' } });
    const e20 = await deploy(r20.id, 'qa');
    const e21 = await deploy(r21.id, 'qa');

    const redeploy = (releaseId: string, token?: string) =>
      h.api('POST', `/api/releases/${releaseId}/deployments`, { body: { environment: 'qa', mode: 'rollback' }, token });
    const current = await redeploy(r21.id);
    expect(current.status).toBe(409);
    expect(current.body.message).toBe(
      `1.1.21 is already the current release in qa (execution ${e21.id}); there is nothing to roll back.`,
    );
    const never = await redeploy(r22.id);
    expect(never.status).toBe(409);
    expect(never.body.message).toContain('Release 1.1.22 never completed a deployment to qa');
    const deployOnly = await createToken(h, ['deploy'], ['qa']);
    const forbidden = await redeploy(r20.id, deployOnly.token);
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.message).toContain('"rollback"');

    // two at once: exactly one claims the current execution
    const both = await Promise.all([redeploy(r20.id), redeploy(r20.id)]);
    expect(both.map((r) => r.status).sort()).toEqual([201, 409]);
    const started = both.find((r) => r.status === 201)!.body;
    expect(started.release).toEqual({ id: r20.id, version: '1.1.20', mode: 'rollback' });
    const back = await finished(h, started.id);
    expect(back.status).toBe('Completed');
    expect(await liveImage(h, 'redeploy-qa')).toBe('nginx:1.20');
    expect((await jobRow(back.id)).options.release).toMatchObject({
      mode: 'rollback',
      environment: { currentRelease: '1.1.21', previousRelease: '1.1.21', previousSuccessfulDeploymentId: e21.id },
    });
    expect(await sql(`SELECT rollback_job_id FROM execution_rollbacks WHERE execution_id = $1`, [e21.id])).toEqual([
      { rollback_job_id: back.id },
    ]);

    // the core rollback of the replaced execution is refused: it was rolled back once
    const core = await h.api('POST', `/api/executions/${e21.id}/rollback`, { body: {} });
    expect(core.status).toBe(409);
    expect(core.body.message).toContain(
      `already rolled back (by redeploying a previous release, execution ${back.id})`,
    );
    // 1.1.21 no longer stands: nothing but 1.1.20 is left to go back to
    const previous = await h.api('GET', `/api/releases/previous?pipeline=${pipelineId}&environment=qa`);
    expect(previous.status).toBe(404);
    expect(previous.body.message).toContain(
      `no release other than that of the current deployment (execution ${back.id}, release 1.1.20) stands there`,
    );
    const listed = await h.api('GET', `/api/releases/${r20.id}`);
    expect(listed.body.deployments.map((d: { executionId: string; mode: string }) => [d.executionId, d.mode])).toEqual([
      [back.id, 'rollback'],
      [e20.id, 'deploy'],
    ]);

    // rolling the redeployment back (the core way) puts 1.1.21 back: it stands again, but was rolled back once
    const undone = await rollBack(h, back.id);
    expect(undone.status).toBe('Completed');
    expect(await liveImage(h, 'redeploy-qa')).toBe('nginx:1.21');
    const restored = await h.api('GET', `/api/releases/previous?pipeline=${pipelineId}&environment=qa`);
    expect(restored.body).toEqual({
      current: { release: { id: r21.id, version: '1.1.21' }, executionId: e21.id },
      previous: { release: { id: r20.id, version: '1.1.20' }, executionId: e20.id },
    });
    const twice = await redeploy(r20.id);
    expect(twice.status).toBe(409);
    expect(twice.body.message).toContain(`(execution ${e21.id}) was already rolled back (by job ${back.id})`);
  });

  it('refuses (410) to redeploy as a rollback a release whose deployment there is past the retention', async () => {
    const pipelineId = await twoEnvironments('retention', 'retention');
    const r1 = await createRelease(pipelineId, { version: '1', artifacts: { web: 'nginx:1.20' } });
    const r2 = await createRelease(pipelineId, { version: '2', artifacts: { web: 'nginx:1.21' } });
    const e1 = await deploy(r1.id, 'qa');
    await deploy(r2.id, 'qa');
    await sql(`UPDATE jobs SET finished_at = now() - interval '40 days' WHERE id = $1`, [e1.id]);
    const res = await h.api('POST', `/api/releases/${r1.id}/deployments`, {
      body: { environment: 'qa', mode: 'rollback' },
    });
    expect(res.status).toBe(410);
    expect(res.body.message).toContain('more than 30 days ago (SNAPSHOT_RETENTION_DAYS)');
  });

  it('lets go of the claim when the redeployment ends in Exception, so either way back can be asked for again', async () => {
    const pipelineId = await twoEnvironments('fragile', 'fragile', { progressDeadlineSeconds: 2 });
    const r1 = await createRelease(pipelineId, { version: '1', artifacts: { web: 'nginx:1.30' } });
    const r2 = await createRelease(pipelineId, { version: '2', artifacts: { web: 'nginx:1.31' } });
    await deploy(r1.id, 'qa');
    const e2 = await deploy(r2.id, 'qa');
    h.backtrack.kubernetes!.admin.neverAvailable({ image: 'nginx:1.30' });
    try {
      const failed = await deploy(r1.id, 'qa', 'rollback');
      expect(failed.status).toBe('Exception');
      expect(await sql(`SELECT * FROM execution_rollbacks WHERE execution_id = $1`, [e2.id])).toEqual([]);
      const offer = await h.api('GET', `/api/executions/${e2.id}/rollback`);
      expect(offer.body).toMatchObject({ available: true });

      // a claim held by a job that has not ended yet refuses the redeployment
      await sql(`INSERT INTO execution_rollbacks (execution_id, rollback_job_id) VALUES ($1, $2)`, [e2.id, failed.id]);
      const held = await h.api('POST', `/api/releases/${r1.id}/deployments`, {
        body: { environment: 'qa', mode: 'rollback' },
      });
      expect(held.status).toBe(409);
      expect(held.body).toMatchObject({ rollbackJobId: failed.id, currentExecutionId: e2.id });
      await sql(`DELETE FROM execution_rollbacks WHERE execution_id = $1`, [e2.id]);
    } finally {
      h.backtrack.kubernetes!.admin.clearFaults();
    }
  });
});

import { describe, it, beforeAll, afterAll, expect } from '@jest/globals';
import { startHarness, waitForJob, type Harness } from '../helpers/backtrack.harness.js';
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
  runPipeline,
} from '../helpers/executions.js';
import { closeStarted } from '../helpers/lifecycle.js';
import { createToken } from '../helpers/scoped-access.js';

describe('rolling back an execution on Local Cluster', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    for (const name of ['checkout', 'cart', 'db', 'search', 'ledger', 'audit']) await createService(h, name);
    await registerCluster(h, 'UAT Cluster', 'uat');
  });
  afterAll(() => closeStarted(h));

  /** A one-stage pipeline deploying `service`'s artifact as Deployment `name`. */
  const single = (pipeline: string, service: string, name: string, extra: Record<string, unknown> = {}) =>
    createPipeline(h, pipeline, {
      stages: [
        kubernetesStage('web', service, 'Local Cluster', [deploymentManifest(name, '<+artifact.image>')], extra),
      ],
    });

  it('rolls a first deployment back by removing what it created, said before Run', async () => {
    const pipelineId = await single('first-deployment', 'checkout', 'first');
    const execution = await runPipeline(h, pipelineId, { artifacts: { checkout: 'nginx:1.27' } });
    expect(execution.stages[0].firstDeployment).toBe(true);
    const offer = await h.api('GET', `/api/executions/${execution.id}/rollback`);
    expect(offer.body).toEqual({
      available: true,
      stages: [{ name: 'web', kind: 'kubernetes', action: 'delete what the first deployment created' }],
    });
    const rollback = await rollBack(h, execution.id);
    expect(rollback).toMatchObject({ kind: 'Rollback', status: 'Completed', executionId: execution.id });
    expect(rollback.stages).toMatchObject([{ name: 'web', status: 'Completed', firstDeployment: true }]);
    expect(await liveImage(h, 'first')).toBeNull();
    const after = await h.api('GET', `/api/executions/${execution.id}`);
    expect(after.body.rollbackJobId).toBe(rollback.id);
  });

  it('rolls back to the previous deployment with what the execution ran, even after the pipeline changed', async () => {
    const pipelineId = await createPipeline(h, 'two-versions', {
      stages: [
        kubernetesStage('web', 'cart', 'Local Cluster', [deploymentManifest('versions', '<+artifact.image>')], {
          rollbackSteps: [
            { name: 'mark', apply: [configMapManifest('versions-mark', { rolledBackFrom: '<+artifact.image>' })] },
          ],
        }),
      ],
    });
    const one = await runPipeline(h, pipelineId, { artifacts: { cart: 'nginx:1.26' } });
    const two = await runPipeline(h, pipelineId, { artifacts: { cart: 'nginx:1.27' } });
    expect(two.stages[0].firstDeployment).toBe(false);

    // today's definition differs: the rollback must not read it
    const changed = await h.api('PUT', `/api/pipelines/${pipelineId}`, {
      body: {
        definition: {
          stages: [
            kubernetesStage('web', 'cart', 'Local Cluster', [deploymentManifest('other-name', '<+artifact.image>')], {
              rollbackSteps: [
                { name: 'mark', apply: [configMapManifest('versions-mark', { rolledBackFrom: 'today' })] },
              ],
            }),
          ],
        },
      },
    });
    expect(changed.status).toBe(200);

    const older = await h.api('POST', `/api/executions/${one.id}/rollback`, { body: {} });
    expect(older.status).toBe(409);
    expect(older.body.message).toContain(`not the current deployment of service "cart" on "Local Cluster"`);
    expect(older.body.message).toContain(`execution ${two.id} is`);

    const offer = await h.api('GET', `/api/executions/${two.id}/rollback`);
    expect(offer.body.available).toBe(true);
    expect(offer.body.stages[0].action).toContain('nginx:1.26');
    const rollback = await rollBack(h, two.id);
    expect(rollback.status).toBe('Completed');
    expect(await liveImage(h, 'versions')).toBe('nginx:1.26');
    const mark = await clusterClients(h).core.readNamespacedConfigMap({ name: 'versions-mark', namespace: 'default' });
    expect(mark.data).toEqual({ rolledBackFrom: 'nginx:1.27' });
    expect(await liveImage(h, 'other-name')).toBeNull();

    const again = await h.api('POST', `/api/executions/${two.id}/rollback`, { body: {} });
    expect(again.status).toBe(409);
    expect(again.body.message).toContain(`already rolled back (Rollback ${rollback.id})`);
    const reoffer = await h.api('GET', `/api/executions/${two.id}/rollback`);
    expect(reoffer.body).toMatchObject({ available: false, status: 409, rollbackJobId: rollback.id });
    // the previous execution is the current deployment again
    expect((await h.api('GET', `/api/executions/${one.id}/rollback`)).body).toMatchObject({ available: true });
  });

  it('rolls the stages back in reverse order', async () => {
    const pipelineId = await createPipeline(h, 'reverse', {
      stages: [
        kubernetesStage('schema', 'db', 'Local Cluster', [deploymentManifest('reverse-db', '<+artifact.image>')]),
        kubernetesStage('api', 'search', 'Local Cluster', [deploymentManifest('reverse-api', '<+artifact.image>')]),
      ],
    });
    const execution = await runPipeline(h, pipelineId, { artifacts: { db: 'postgres:16', search: 'nginx:1.27' } });
    const offer = await h.api('GET', `/api/executions/${execution.id}/rollback`);
    expect(offer.body.stages.map((s: { name: string }) => s.name)).toEqual(['api', 'schema']);
    const rollback = await rollBack(h, execution.id);
    expect(rollback.stages.map((s: { name: string; position: number }) => [s.position, s.name])).toEqual([
      [0, 'api'],
      [1, 'schema'],
    ]);
    const logs = await h.api('GET', `/api/executions/${rollback.id}/logs`);
    const started = logs.body.logs
      .filter((l: { message: string }) => l.message.startsWith('Rolling back stage'))
      .map((l: { stage: string }) => l.stage);
    expect(started).toEqual(['api', 'schema']);
    const done = (stage: string) => rollback.stages.find((s: { name: string }) => s.name === stage).finishedAt;
    expect(Date.parse(done('api'))).toBeLessThanOrEqual(Date.parse(done('schema')));
  });

  it('refuses an execution that is not Completed, or Completed only by ignoring a failure', async () => {
    h.backtrack.kubernetes!.admin.neverAvailable({ image: 'broken:2' });
    const failing = await single('not-completed', 'ledger', 'not-completed', { progressDeadlineSeconds: 1 });
    const failed = await runPipeline(h, failing, { artifacts: { ledger: 'broken:2' } });
    expect(failed.status).toBe('Exception');
    const refused = await h.api('POST', `/api/executions/${failed.id}/rollback`, { body: {} });
    expect(refused.status).toBe(409);
    expect(refused.body.message).toContain('Only a Completed execution can be rolled back: this one is Exception');

    const ignoring = await single('ignored', 'audit', 'ignored', {
      progressDeadlineSeconds: 1,
      failureStrategy: 'ignore',
    });
    const ignored = await runPipeline(h, ignoring, { artifacts: { audit: 'broken:2' } });
    expect(ignored.status).toBe('Completed');
    const marked = await h.api('POST', `/api/executions/${ignored.id}/rollback`, { body: {} });
    expect(marked.status).toBe(409);
    expect(marked.body.message).toContain('marked successful by ignoring a failure');
    expect((await h.api('GET', `/api/executions/${ignored.id}/rollback`)).body).toMatchObject({
      available: false,
      status: 409,
    });
  });

  it('refuses (403) a token without both deploy and rollback in every stage’s environment', async () => {
    const pipelineId = await createPipeline(h, 'permissions', {
      stages: [
        kubernetesStage('dev', 'checkout', 'Local Cluster', [deploymentManifest('perm-dev', 'nginx:1.27')]),
        kubernetesStage('uat', 'checkout', 'UAT Cluster', [deploymentManifest('perm-uat', 'nginx:1.27')]),
      ],
    });
    const execution = await runPipeline(h, pipelineId);
    for (const [permissions, environments, missing] of [
      [['rollback'], undefined, '"deploy"'],
      [['deploy'], undefined, '"rollback"'],
      [['deploy', 'rollback'], ['dev'], '"uat"'],
    ] as const) {
      const token = await createToken(h, [...permissions], environments ? [...environments] : undefined);
      const res = await h.api('POST', `/api/executions/${execution.id}/rollback`, { body: {}, token: token.token });
      expect([permissions, res.status]).toEqual([permissions, 403]);
      expect(res.body.message).toContain(missing);
    }
    const both = await createToken(h, ['deploy', 'rollback'], ['dev', 'uat']);
    const offer = await h.api('GET', `/api/executions/${execution.id}/rollback`, { token: both.token });
    expect(offer.body.available).toBe(true);
  });

  it('refuses (410) an execution older than SNAPSHOT_RETENTION_DAYS', async () => {
    const pipelineId = await single('retention', 'ledger', 'retention');
    const execution = await runPipeline(h, pipelineId, { artifacts: { ledger: 'nginx:1.27' } });
    await h.backtrack.dataSource.query(`UPDATE jobs SET finished_at = now() - interval '31 days' WHERE id = $1`, [
      execution.id,
    ]);
    const res = await h.api('POST', `/api/executions/${execution.id}/rollback`, { body: {} });
    expect(res.status).toBe(410);
    expect(res.body.message).toContain('SNAPSHOT_RETENTION_DAYS');
  });

  it('refuses a drifted stage in the Rollback job before changing anything; the claim goes, and force rolls back', async () => {
    const pipelineId = await single('drift', 'search', 'drift');
    await runPipeline(h, pipelineId, { artifacts: { search: 'nginx:1.26' } });
    const execution = await runPipeline(h, pipelineId, { artifacts: { search: 'nginx:1.27' } });
    const { apps } = clusterClients(h);
    const live = await apps.readNamespacedDeployment({ name: 'drift', namespace: 'default' });
    live.spec!.template.spec!.containers[0]!.image = 'nginx:hotfix';
    await apps.replaceNamespacedDeployment({ name: 'drift', namespace: 'default', body: live });

    const refused = await rollBack(h, execution.id);
    expect(refused.status).toBe('Exception');
    expect(refused.error).toContain('Drift');
    expect(refused.error).toContain('force: true');
    expect(refused.stages.map((s: { status: string }) => s.status)).toEqual(['Skipped']);
    expect(await liveImage(h, 'drift')).toBe('nginx:hotfix');

    expect((await h.api('GET', `/api/executions/${execution.id}/rollback`)).body).toMatchObject({ available: true });
    const forced = await rollBack(h, execution.id, { force: true });
    expect(forced.status).toBe('Completed');
    expect(await liveImage(h, 'drift')).toBe('nginx:1.26');
  });

  it('gives exactly one 202 to concurrent requests', async () => {
    const pipelineId = await single('concurrent', 'audit', 'concurrent');
    const execution = await runPipeline(h, pipelineId, { artifacts: { audit: 'nginx:1.27' } });
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => h.api('POST', `/api/executions/${execution.id}/rollback`, { body: {} })),
    );
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([202, 409, 409, 409, 409]);
    const winner = answers.find((a) => a.status === 202)!;
    for (const loser of answers.filter((a) => a.status === 409)) expect(loser.body.message).toContain(winner.body.id);
    expect((await waitForJob(h, winner.body.id)).status).toBe('Completed');
    const rollbacks = await h.api('GET', `/api/executions?pipeline=${pipelineId}&kind=Rollback`);
    expect(rollbacks.body.executions.map((e: { id: string }) => e.id)).toEqual([winner.body.id]);
    expect((await finished(h, winner.body.id)).executionId).toBe(execution.id);
  });

  it('answers 404 for an unknown execution and 409 for rolling back a rollback', async () => {
    expect(
      (await h.api('POST', '/api/executions/00000000-0000-4000-8000-000000000000/rollback', { body: {} })).status,
    ).toBe(404);
    const pipelineId = await single('rollback-of-rollback', 'checkout', 'rollback-of-rollback');
    const execution = await runPipeline(h, pipelineId, { artifacts: { checkout: 'nginx:1.27' } });
    const rollback = await rollBack(h, execution.id);
    const res = await h.api('POST', `/api/executions/${rollback.id}/rollback`, { body: {} });
    expect(res.status).toBe(409);
    expect(res.body.message).toContain('is a Rollback');
  });
});

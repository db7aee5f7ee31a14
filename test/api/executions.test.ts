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
  runPipeline,
} from '../helpers/executions.js';
import { closeStarted } from '../helpers/lifecycle.js';
import { createToken, openStream } from '../helpers/scoped-access.js';

describe('executions of pipelines on Local Cluster', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    for (const name of ['checkout', 'cart', 'search', 'db']) await createService(h, name);
    await registerCluster(h, 'UAT Cluster', 'uat');
  });
  afterAll(() => closeStarted(h));

  it('runs the stages in order with the artifact resolved, and answers as a job too', async () => {
    const pipelineId = await createPipeline(h, 'checkout-release', {
      stages: [
        kubernetesStage('web', 'checkout', 'Local Cluster', [deploymentManifest('checkout', '<+artifact.image>')]),
      ],
    });
    const started = await h.api('POST', `/api/pipelines/${pipelineId}/executions`, {
      body: { artifacts: { checkout: 'nginx:1.27' } },
    });
    expect(started.status).toBe(202);
    expect(started.headers.get('location')).toBe(`/api/executions/${started.body.id}`);
    expect(started.body).toMatchObject({
      kind: 'Deploy',
      status: 'Queued',
      pipeline: { id: pipelineId, name: 'checkout-release', version: 1 },
      artifacts: { checkout: 'nginx:1.27' },
      executionId: null,
      rollbackJobId: null,
      stages: [
        {
          position: 0,
          name: 'web',
          kind: 'kubernetes',
          service: { name: 'checkout' },
          infrastructure: { name: 'Local Cluster', environment: 'dev', kind: 'kubernetes' },
          status: 'Queued',
          failureStrategy: 'fail',
          artifact: 'nginx:1.27',
          childJobId: null,
        },
      ],
    });
    const execution = await finished(h, started.body.id);
    expect(execution.status).toBe('Completed');
    expect(execution.stages[0]).toMatchObject({ status: 'Completed', firstDeployment: true, error: null });
    expect(execution.stages[0].outputs).toMatchObject({ image: 'nginx:1.27' });
    expect(await liveImage(h, 'checkout')).toBe('nginx:1.27');
    const asJob = await h.api('GET', `/api/jobs/${execution.id}`);
    expect(asJob.status).toBe(200);
    expect(asJob.body).toMatchObject({ id: execution.id, kind: 'Deploy', status: 'Completed' });
  });

  it('answers 304 to the ETag it gave until the execution changes', async () => {
    const pipelineId = await createPipeline(h, 'etag', {
      stages: [kubernetesStage('web', 'cart', 'Local Cluster', [deploymentManifest('cart', '<+artifact.image>')])],
    });
    const started = await h.api('POST', `/api/pipelines/${pipelineId}/executions`, {
      body: { artifacts: { cart: 'nginx:1.25' } },
    });
    const first = await h.api('GET', `/api/executions/${started.body.id}`);
    const etag = first.headers.get('etag')!;
    expect(etag).toBe(`"${first.body.version}"`);
    await waitForJob(h, started.body.id);
    const changed = await h.api('GET', `/api/executions/${started.body.id}`, { headers: { 'if-none-match': etag } });
    expect(changed.status).toBe(200);
    expect(changed.body.status).toBe('Completed');
    const same = await h.api('GET', `/api/executions/${started.body.id}`, {
      headers: { 'if-none-match': changed.headers.get('etag')! },
    });
    expect(same.status).toBe(304);
  });

  it('keeps each stage’s log lines apart (logs and events by stage)', async () => {
    const pipelineId = await createPipeline(h, 'two-stages-logs', {
      stages: [
        kubernetesStage('first', 'search', 'Local Cluster', [deploymentManifest('search', '<+artifact.image>')]),
        kubernetesStage('second', 'db', 'Local Cluster', [deploymentManifest('db', 'postgres:16')]),
      ],
    });
    const execution = await runPipeline(h, pipelineId, { artifacts: { search: 'nginx:1.26' } });
    expect(execution.status).toBe('Completed');
    const all = await h.api('GET', `/api/executions/${execution.id}/logs`);
    expect(all.status).toBe(200);
    const stagesSeen = new Set(all.body.logs.map((l: { stage: string | null }) => l.stage));
    expect(stagesSeen).toEqual(new Set([null, 'first', 'second']));
    const first = await h.api('GET', `/api/executions/${execution.id}/logs?stage=first`);
    expect(first.body.logs.length).toBeGreaterThan(0);
    expect(first.body.logs.every((l: { stage: string }) => l.stage === 'first')).toBe(true);
    expect(first.body.logs.map((l: { message: string }) => l.message).join('\n')).toContain('Stage "first" completed.');
    const unknown = await h.api('GET', `/api/executions/${execution.id}/logs?stage=third`);
    expect(unknown.status).toBe(400);
    expect(unknown.body.message).toContain('its stages: first, second');

    const stream = await openStream(
      h.url,
      `/api/executions/${execution.id}/events?stage=second`,
      'bt_test_admin_token_0123456789abcdefghij',
    );
    await stream.closed;
    expect(stream.status).toBe(200);
    const logs = stream.events.filter((e) => e.event === 'log').map((e) => JSON.parse(e.data));
    expect(logs.length).toBeGreaterThan(0);
    expect(logs.every((l) => l.stage === 'second')).toBe(true);
    expect(stream.events.find((e) => e.event === 'status')!.data).toContain('"stages"');
    expect(stream.events.at(-1)).toEqual({ event: 'end', data: '{"status":"Completed"}' });
  });

  it('resolves expressions from the variables and the outputs of earlier stages', async () => {
    const pipelineId = await createPipeline(h, 'outputs', {
      variables: { tier: 'gold' },
      stages: [
        kubernetesStage('api', 'checkout', 'Local Cluster', [deploymentManifest('outputs-api', '<+artifact.image>')]),
        kubernetesStage('config', 'cart', 'Local Cluster', [
          configMapManifest('outputs-config', {
            upstream: '<+stages.api.output.image>',
            tier: '<+pipeline.variables.tier>',
            where: '<+service.name> on <+infrastructure.name> (<+environment.name>) by <+pipeline.name>',
          }),
        ]),
      ],
    });
    const execution = await runPipeline(h, pipelineId, {
      artifacts: { checkout: 'nginx:1.24' },
      variables: { tier: 'silver' },
    });
    expect(execution.status).toBe('Completed');
    const map = await clusterClients(h).core.readNamespacedConfigMap({ name: 'outputs-config', namespace: 'default' });
    expect(map.data).toEqual({
      upstream: 'nginx:1.24',
      tier: 'silver',
      where: 'cart on Local Cluster (dev) by outputs',
    });
  });

  it('refuses what cannot run: a missing or unknown artifact, an undeclared variable, an unknown pipeline', async () => {
    const pipelineId = await createPipeline(h, 'refusals', {
      variables: { tier: 'gold' },
      stages: [
        kubernetesStage('web', 'checkout', 'Local Cluster', [deploymentManifest('refusals', '<+artifact.image>')]),
      ],
    });
    const missing = await h.api('POST', `/api/pipelines/${pipelineId}/executions`, { body: {} });
    expect(missing.status).toBe(400);
    expect(missing.body.message).toContain(
      'Stage "web" uses <+artifact.image>, but no artifact was given for service "checkout"',
    );
    const unknown = await h.api('POST', `/api/pipelines/${pipelineId}/executions`, {
      body: { artifacts: { checkout: 'nginx:1', payments: 'x:1' } },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.message).toContain('artifacts.payments');
    const variable = await h.api('POST', `/api/pipelines/${pipelineId}/executions`, {
      body: { artifacts: { checkout: 'nginx:1' }, variables: { region: 'eu' } },
    });
    expect(variable.status).toBe(400);
    expect(variable.body.message).toContain('declares no variable "region" (it declares tier)');
    const nothing = await h.api('POST', `/api/pipelines/00000000-0000-4000-8000-000000000000/executions`, {
      body: { artifacts: {} },
    });
    expect(nothing.status).toBe(404);
  });

  it('needs deploy in every stage’s environment to run, and read in every one to read it (as a job too)', async () => {
    const pipelineId = await createPipeline(h, 'two-environments', {
      stages: [
        kubernetesStage('dev', 'search', 'Local Cluster', [deploymentManifest('envs-dev', 'nginx:1.27')]),
        kubernetesStage('uat', 'search', 'UAT Cluster', [deploymentManifest('envs-uat', 'nginx:1.27')]),
      ],
    });
    const devOnly = await createToken(h, ['deploy'], ['dev']);
    const refused = await h.api('POST', `/api/pipelines/${pipelineId}/executions`, { body: {}, token: devOnly.token });
    expect(refused.status).toBe(403);
    expect(refused.body.message).toContain('"uat"');
    const execution = await runPipeline(h, pipelineId);
    expect(execution.status).toBe('Completed');
    // Cancelling is changing: it needs deploy in every stage's environment too (before "it already finished").
    const cancel = await h.api('POST', `/api/jobs/${execution.id}/cancel`, { token: devOnly.token });
    expect([cancel.status, cancel.body.message]).toEqual([403, expect.stringContaining('"uat"')]);
    const reader = await createToken(h, ['read'], ['dev']);
    for (const route of [
      `/api/executions/${execution.id}`,
      `/api/jobs/${execution.id}`,
      `/api/executions/${execution.id}/logs`,
    ]) {
      const res = await h.api('GET', route, { token: reader.token });
      expect([route, res.status]).toEqual([route, 403]);
      expect(res.body.message).toContain('"uat"');
    }
    const listed = await h.api('GET', `/api/executions?pipeline=${pipelineId}`, { token: reader.token });
    expect(listed.body.executions).toEqual([]);
    const everywhere = await createToken(h, ['read'], ['dev', 'uat']);
    expect((await h.api('GET', `/api/jobs/${execution.id}`, { token: everywhere.token })).status).toBe(200);
    const all = await h.api('GET', `/api/executions?pipeline=${pipelineId}`, { token: everywhere.token });
    expect(all.body.executions.map((e: { id: string }) => e.id)).toEqual([execution.id]);
  });

  it('goes on past a stage that fails under failureStrategy ignore, and skips the rest after a failing one', async () => {
    h.backtrack.kubernetes!.admin.neverAvailable({ image: 'broken:1' });
    const pipelineId = await createPipeline(h, 'ignore', {
      stages: [
        kubernetesStage('flaky', 'cart', 'Local Cluster', [deploymentManifest('ignore-flaky', 'broken:1')], {
          failureStrategy: 'ignore',
          progressDeadlineSeconds: 2,
        }),
        kubernetesStage('after', 'db', 'Local Cluster', [deploymentManifest('ignore-after', 'postgres:16')]),
      ],
    });
    const execution = await runPipeline(h, pipelineId);
    expect(execution.status).toBe('Completed');
    expect(execution.stages.map((s: { status: string }) => s.status)).toEqual(['Exception', 'Completed']);
    expect(execution.stages[0].error).toMatch(/./);

    const failing = await createPipeline(h, 'fail', {
      stages: [
        kubernetesStage('flaky', 'cart', 'Local Cluster', [deploymentManifest('fail-flaky', 'broken:1')], {
          progressDeadlineSeconds: 2,
        }),
        kubernetesStage('after', 'db', 'Local Cluster', [deploymentManifest('fail-after', 'postgres:16')]),
      ],
    });
    const failed = await runPipeline(h, failing);
    expect(failed.status).toBe('Exception');
    expect(failed.error).toContain('Stage "flaky" failed');
    expect(failed.stages.map((s: { status: string }) => s.status)).toEqual(['Exception', 'Skipped']);
    expect(await liveImage(h, 'fail-after')).toBeNull();
  });

  it('lists executions newest first, filtered by pipeline, service, environment, infrastructure and kind', async () => {
    const pipelineId = await createPipeline(h, 'listing', {
      stages: [
        kubernetesStage('web', 'checkout', 'Local Cluster', [deploymentManifest('listing', '<+artifact.image>')]),
      ],
    });
    const one = await runPipeline(h, pipelineId, { artifacts: { checkout: 'nginx:1.1' } });
    const two = await runPipeline(h, pipelineId, { artifacts: { checkout: 'nginx:1.2' } });
    const mine = await h.api('GET', `/api/executions?pipeline=${pipelineId}`);
    expect(mine.body.executions.map((e: { id: string }) => e.id)).toEqual([two.id, one.id]);
    const limited = await h.api('GET', `/api/executions?pipeline=${pipelineId}&limit=1`);
    expect(limited.body.executions.map((e: { id: string }) => e.id)).toEqual([two.id]);
    const serviceId = one.stages[0].service.id;
    const infrastructure = one.stages[0].infrastructure.id;
    const filtered = await h.api(
      'GET',
      `/api/executions?service=${serviceId}&infrastructure=${infrastructure}&environment=DEV&kind=Deploy`,
    );
    expect(filtered.body.executions.map((e: { id: string }) => e.id)).toEqual(expect.arrayContaining([one.id, two.id]));
    const uat = await h.api('GET', `/api/executions?pipeline=${pipelineId}&environment=uat`);
    expect(uat.body.executions).toEqual([]);
    const rollbacks = await h.api('GET', `/api/executions?pipeline=${pipelineId}&kind=Rollback`);
    expect(rollbacks.body.executions).toEqual([]);
    expect((await h.api('GET', '/api/executions?kind=Redeploy')).status).toBe(400);
  });

  it('shows a service’s Instances: the current artifact, the execution that put it there and the previous one', async () => {
    const serviceId = await createService(h, 'instances-svc');
    const pipelineId = await createPipeline(h, 'instances', {
      stages: [
        kubernetesStage('web', 'instances-svc', 'Local Cluster', [
          deploymentManifest('instances', '<+artifact.image>'),
        ]),
      ],
    });
    const one = await runPipeline(h, pipelineId, { artifacts: { 'instances-svc': 'nginx:1.20' } });
    const two = await runPipeline(h, pipelineId, { artifacts: { 'instances-svc': 'nginx:1.21' } });
    const res = await h.api('GET', `/api/services/${serviceId}/instances`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      service: { id: serviceId, name: 'instances-svc' },
      instances: [
        {
          environment: 'dev',
          infrastructure: { id: two.stages[0].infrastructure.id, name: 'Local Cluster', kind: 'kubernetes' },
          artifact: 'nginx:1.21',
          current: {
            executionId: two.id,
            pipeline: { id: pipelineId, name: 'instances' },
            artifact: 'nginx:1.21',
            finishedAt: expect.any(String),
          },
          previous: { executionId: one.id, artifact: 'nginx:1.20', finishedAt: expect.any(String) },
          rollback: { available: true },
        },
      ],
    });
    const reader = await createToken(h, ['read'], ['dev']);
    const readOnly = await h.api('GET', `/api/services/${serviceId}/instances`, { token: reader.token });
    expect(readOnly.body.instances[0].rollback).toMatchObject({ available: false, status: 403 });
    const elsewhere = await createToken(h, ['read'], ['uat']);
    expect(
      (await h.api('GET', `/api/services/${serviceId}/instances`, { token: elsewhere.token })).body.instances,
    ).toEqual([]);
  });
});

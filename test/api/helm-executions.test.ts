import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startHarness, type Harness } from '../helpers/backtrack.harness.js';
import { createPipeline, createService, liveImage, rollBack, runPipeline } from '../helpers/executions.js';
import { closeStarted } from '../helpers/lifecycle.js';
import { uploadPackage } from '../helpers/ssh-releases.js';
import { layerBinaries } from '../kubernetes-emulator/kubectl.helper.js';
import { HelmCli } from '../../src/platform/helm/helm-cli.js';
import { chartTgz } from '../platform/helm/fixtures.js';

/** A helm stage installing release `shop` from package shop-chart, its version the artifact given for the service. */
const helmStage = (spec: Record<string, unknown> = {}) => ({
  name: 'shop',
  service: 'shop',
  infrastructure: 'helm-cluster',
  spec: {
    package: 'shop-chart',
    version: '<+artifact.image>',
    release: 'shop',
    namespace: 'default',
    values: { greeting: 'from <+environment.name>' },
    timeoutSeconds: 60,
    ...spec,
  },
});

describe('helm stages through the API on Local Cluster’s emulator', () => {
  let h: Harness;
  let token: string;
  let serviceId: string;
  /** Every body the API answered, to prove the connection's token never appears in one. */
  const bodies: string[] = [];
  const api: Harness['api'] = async (method, route, options) => {
    const res = await h.api(method, route, options);
    bodies.push(JSON.stringify(res.body));
    return res;
  };

  beforeAll(async () => {
    h = await startHarness({ HELM_BIN: (await layerBinaries()).helm });
    token = h.backtrack.kubernetes!.token;
    await uploadPackage(h, 'shop-chart', '0.1.0', await chartTgz({ version: '0.1.0', appVersion: '1' }));
    await uploadPackage(h, 'shop-chart', '0.2.0', await chartTgz({ version: '0.2.0', appVersion: '2' }));
    serviceId = await createService(h, 'shop');
  });
  afterAll(() => closeStarted(h));

  it('refuses a bad connection with a 400 naming the field, never repeating the token', async () => {
    const server = h.backtrack.kubernetes!.url;
    const bad = await api('POST', '/api/infrastructures', {
      body: { name: 'bad', environment: 'dev', kind: 'helm', connection: { server: 'ftp://x', token } },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/server: must be an http:\/\/ or https:\/\/ URL/);
    const missing = await api('POST', '/api/infrastructures', {
      body: { name: 'bad', environment: 'dev', kind: 'helm', connection: { server } },
    });
    expect(missing.status).toBe(400);
    expect(missing.body.message).toMatch(/token: is required/);
    const noContext = await api('POST', '/api/infrastructures', {
      body: {
        name: 'bad',
        environment: 'dev',
        kind: 'helm',
        connection: { kubeconfig: JSON.stringify(h.backtrack.kubernetes!.kubeconfig()), context: 'elsewhere' },
      },
    });
    expect(noContext.status).toBe(400);
    expect(noContext.body.message).toMatch(/no context "elsewhere"/);
  });

  it('creates the helm infrastructure and shows its connection without the token', async () => {
    const created = await api('POST', '/api/infrastructures', {
      body: {
        name: 'helm-cluster',
        environment: 'dev',
        kind: 'helm',
        connection: { server: h.backtrack.kubernetes!.url, token },
      },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: 'helm-cluster',
      kind: 'helm',
      connection: { type: 'token', server: h.backtrack.kubernetes!.url },
    });
    expect((await api('GET', `/api/infrastructures/${created.body.id}`)).status).toBe(200);
  });

  it('refuses a bad helm stage spec with a 400 naming the field', async () => {
    const badRelease = await api('POST', '/api/pipelines', {
      body: { name: 'bad-helm', definition: { stages: [helmStage({ release: 'Shop_1' })] } },
    });
    expect(badRelease.status).toBe(400);
    expect(badRelease.body.message).toMatch(/release: must be a Helm release name/);
    const badValues = await api('POST', '/api/pipelines', {
      body: { name: 'bad-helm', definition: { stages: [helmStage({ values: 'image=x' })] } },
    });
    expect(badValues.status).toBe(400);
    expect(badValues.body.message).toMatch(/values: /);
    const unknown = await api('POST', '/api/pipelines', {
      body: { name: 'bad-helm', definition: { stages: [helmStage({ set: ['a=b'] })] } },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.message).toMatch(/unknown field\(s\) set/);
  });

  it('runs v1 then v2, shows v2 in Instances, rolls v2 back to v1 (helm history says Rollback to 1)', async () => {
    const pipelineId = await createPipeline(h, 'shop-helm', { stages: [helmStage()] });
    const one = await runPipeline(h, pipelineId, { artifacts: { shop: '0.1.0' } });
    expect(one.status).toBe('Completed');
    expect(one.stages[0]).toMatchObject({
      kind: 'helm',
      status: 'Completed',
      firstDeployment: true,
      artifact: 'shop-chart 0.1.0',
    });
    expect(one.stages[0].outputs).toMatchObject({ revision: 1, chart: 'shop-0.1.0', appVersion: '1' });
    const two = await runPipeline(h, pipelineId, { artifacts: { shop: '0.2.0' } });
    expect(two.status).toBe('Completed');
    expect(two.stages[0]).toMatchObject({ status: 'Completed', firstDeployment: false, artifact: 'shop-chart 0.2.0' });
    expect(await liveImage(h, 'shop')).toBe('shop/web:2');

    const instances = await api('GET', `/api/services/${serviceId}/instances`);
    expect(instances.status).toBe(200);
    expect(instances.body.instances).toEqual([
      expect.objectContaining({
        infrastructure: expect.objectContaining({ name: 'helm-cluster', kind: 'helm' }),
        artifact: 'shop-chart 0.2.0',
        current: expect.objectContaining({ executionId: two.id, artifact: 'shop-chart 0.2.0' }),
        previous: expect.objectContaining({ executionId: one.id, artifact: 'shop-chart 0.1.0' }),
        rollback: { available: true },
      }),
    ]);
    const preview = await api('GET', `/api/executions/${two.id}/rollback`);
    expect(JSON.stringify(preview.body)).toContain('revision 1 (shop-0.1.0)');

    const rollback = await rollBack(h, two.id);
    expect(rollback.status).toBe('Completed');
    expect(rollback.stages[0].outputs).toMatchObject({ revision: 3, chart: 'shop-0.1.0' });
    expect(await liveImage(h, 'shop')).toBe('shop/web:1');
    const after = await api('GET', `/api/services/${serviceId}/instances`);
    expect(after.body.instances[0]).toMatchObject({ artifact: 'shop-chart 0.1.0' });

    const cli = new HelmCli({
      bin: (await layerBinaries()).helm,
      connection: { server: h.backtrack.kubernetes!.url, token },
    });
    const history = (await cli.history('shop', 'default')).map((r) => [r.revision, r.status, r.description]);
    expect(history).toEqual([
      [1, 'superseded', expect.stringMatching(/^Backtrack job /)],
      [2, 'superseded', expect.stringMatching(/^Backtrack job /)],
      [3, 'deployed', 'Rollback to 1'],
    ]);
  });

  it('never shows the connection’s token in any response', () => {
    expect(bodies.length).toBeGreaterThan(5);
    for (const body of bodies) expect(body).not.toContain(token);
  });
});

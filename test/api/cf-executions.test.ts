// Executions of a pipeline with a `cf` stage through the API (supertest), against the CF emulator over HTTP: the
// infrastructure, the pipeline, two deployments, Instances, the rollback; bad input; the connection's secret.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startCfEmulator, type CfEmulatorHandle } from '../../src/cf-emulator/cf-emulator.server.js';
import { CfClient } from '../cf-emulator/cf-client.helper.js';
import { startHarness, type Harness } from '../helpers/backtrack.harness.js';
import { createPipeline, createService, finished, rollBack, runPipeline } from '../helpers/executions.js';
import { closeStarted } from '../helpers/lifecycle.js';
import { zipPackage } from '../helpers/package-archives.js';

const PASSWORD = 'cf-api-secret-5b7e';

describe('executions of a cf stage through the API', () => {
  let h: Harness;
  let cf: CfEmulatorHandle;
  let client: CfClient;
  let appGuid: string;
  const connection = () => ({ apiUrl: cf.url, username: 'deployer', password: PASSWORD });

  beforeAll(async () => {
    cf = await startCfEmulator({
      users: [{ username: 'deployer', password: PASSWORD }],
      processingSeconds: 0.1,
      stagingSeconds: 0.2,
      instanceSeconds: 0.2,
      apps: [{ org: 'acme', space: 'prod', app: 'shop-web', instances: 2 }],
    });
    client = new CfClient(cf.url, { login: { grant: 'password', username: 'deployer', password: PASSWORD } });
    appGuid = (await client.list('/v3/apps?names=shop-web')).resources[0]!.guid;
    h = await startHarness();
    for (const version of ['1.0.0', '2.0.0']) {
      const bytes = await zipPackage([{ name: 'server.js', content: `// shop ${version}` }]);
      const res = await h.api('POST', `/api/packages/shop/versions/${version}`, {
        body: bytes,
        headers: { 'content-type': 'application/zip' },
      });
      expect([200, 201]).toContain(res.status);
    }
  });
  afterAll(async () => {
    await closeStarted(h);
    await cf.close();
  });

  const liveDroplet = async () => (await client.find(`/v3/apps/${appGuid}/droplets/current`))?.guid ?? null;

  it('refuses a bad connection with a 400 naming the field, and never answers the secret', async () => {
    const bad = await h.api('POST', '/api/infrastructures', {
      body: {
        name: 'CF bad',
        environment: 'prod',
        kind: 'cf',
        connection: { apiUrl: 'not a url', password: PASSWORD },
      },
    });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).not.toContain(PASSWORD);
    const missing = await h.api('POST', '/api/infrastructures', {
      body: { name: 'CF bad', environment: 'prod', kind: 'cf', connection: { apiUrl: cf.url, username: 'deployer' } },
    });
    expect(missing.status).toBe(400);
    expect(missing.body.message).toContain('password');
  });

  it('deploys v1 then v2, shows v2 in Instances, and the rollback of v2 puts v1 back', async () => {
    const created = await h.api('POST', '/api/infrastructures', {
      body: { name: 'CF Prod', environment: 'prod', kind: 'cf', connection: connection() },
    });
    expect(created.status).toBe(201);
    expect(created.body.connection).toEqual({ type: 'cf', apiUrl: cf.url, uaaUrl: null, username: 'deployer' });
    expect(JSON.stringify(created.body)).not.toContain(PASSWORD);
    expect(JSON.stringify((await h.api('GET', '/api/infrastructures')).body)).not.toContain(PASSWORD);

    const serviceId = await createService(h, 'shop');
    const badSpec = await h.api('POST', '/api/pipelines', {
      body: {
        name: 'shop-bad',
        definition: {
          stages: [
            {
              name: 'push',
              service: 'shop',
              infrastructure: 'CF Prod',
              spec: { org: 'acme', space: 'prod', app: 'shop-web', package: 'shop', strategy: 'blue-green' },
            },
          ],
        },
      },
    });
    expect(badSpec.status).toBe(400);
    expect(badSpec.body.message).toContain('strategy');

    const pipelineId = await createPipeline(h, 'shop-cf', {
      variables: { version: '1.0.0' },
      stages: [
        {
          name: 'push',
          service: 'shop',
          infrastructure: 'CF Prod',
          spec: {
            org: 'acme',
            space: 'prod',
            app: 'shop-web',
            package: 'shop',
            version: '<+pipeline.variables.version>',
          },
        },
      ],
    });
    const one = await runPipeline(h, pipelineId, { variables: { version: '1.0.0' } });
    expect(one.status).toBe('Completed');
    expect(one.stages[0]).toMatchObject({ kind: 'cf', artifact: 'shop@1.0.0', firstDeployment: true });
    const v1Droplet = await liveDroplet();
    const two = await runPipeline(h, pipelineId, { variables: { version: '2.0.0' } });
    expect(two.status).toBe('Completed');
    expect(two.stages[0]).toMatchObject({ artifact: 'shop@2.0.0', firstDeployment: false });
    expect(await liveDroplet()).not.toBe(v1Droplet);

    const instances = await h.api('GET', `/api/services/${serviceId}/instances`);
    expect(instances.body.instances).toEqual([
      expect.objectContaining({
        infrastructure: expect.objectContaining({ name: 'CF Prod', kind: 'cf' }),
        artifact: 'shop@2.0.0',
        previous: expect.objectContaining({ executionId: one.id, artifact: 'shop@1.0.0' }),
        rollback: { available: true },
      }),
    ]);

    const rollback = await rollBack(h, two.id);
    expect(rollback.status).toBe('Completed');
    expect(await liveDroplet()).toBe(v1Droplet);
    const after = await h.api('GET', `/api/services/${serviceId}/instances`);
    expect(after.body.instances[0]).toMatchObject({ artifact: 'shop@1.0.0' });
    const deployments = (await client.list(`/v3/deployments?app_guids=${appGuid}`)).resources;
    expect(deployments.filter((d) => d.revision && d.status.value === 'FINALIZED')).toHaveLength(3);

    for (const id of [one.id, two.id, rollback.id])
      expect(JSON.stringify(await finished(h, id))).not.toContain(PASSWORD);
  });
});

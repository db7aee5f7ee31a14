// An `ecs` infrastructure through the API: executions deploy to the ECS emulator, Instances shows what runs, a
// rollback puts the previous revision back; bad input is a 400 naming the field; the secret key never comes back.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DescribeServicesCommand, ECSClient, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { startEcsEmulator, type EcsEmulatorHandle } from '../../src/ecs-emulator/ecs-emulator.server.js';
import { startHarness, type Harness } from '../helpers/backtrack.harness.js';
import { createPipeline, createService, rollBack, runPipeline } from '../helpers/executions.js';
import { closeStarted } from '../helpers/lifecycle.js';

const SECRET = 'ecs-api-secret-5b2e91';
const SESSION = 'ecs-api-session-token-77c0';

function ecsStage(service: string, extra: Record<string, unknown> = {}) {
  return {
    name: 'ecs',
    service,
    infrastructure: 'Fargate Prod',
    spec: {
      cluster: 'prod',
      service: 'checkout',
      taskDefinitionFamily: 'checkout',
      containerName: 'app',
      image: '<+artifact.image>',
      desiredCount: 2,
      ...extra,
    },
  };
}

describe('ecs infrastructures and executions through the API', () => {
  let h: Harness;
  let emulator: EcsEmulatorHandle;
  let ecs: ECSClient;
  const answered: string[] = [];
  const api: Harness['api'] = async (method, route, options) => {
    const res = await h.api(method, route, options);
    answered.push(JSON.stringify(res.body));
    return res;
  };

  beforeAll(async () => {
    emulator = await startEcsEmulator({ taskStartSeconds: 0.3, syncIntervalMs: 50, clusters: ['prod'] });
    ecs = new ECSClient({
      region: emulator.region,
      endpoint: emulator.url,
      credentials: { accessKeyId: emulator.accessKeyId, secretAccessKey: 'x' },
    });
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'checkout',
        containerDefinitions: [{ name: 'app', image: 'registry.example/checkout:0', essential: true }],
      }),
    );
    h = await startHarness();
  });
  afterAll(async () => {
    ecs.destroy();
    await closeStarted(h);
    await emulator.close();
  });

  const connection = () => ({
    region: emulator.region,
    accessKeyId: emulator.accessKeyId,
    secretAccessKey: SECRET,
    sessionToken: SESSION,
    endpoint: emulator.url,
  });

  it('refuses a bad connection with a 400 naming the field, and never repeats the secret', async () => {
    const bad = await api('POST', '/api/infrastructures', {
      body: { name: 'Bad', environment: 'prod', kind: 'ecs', connection: { ...connection(), region: 'Mars' } },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/region: must be an AWS region/);
    const missing = await api('POST', '/api/infrastructures', {
      body: {
        name: 'Bad',
        environment: 'prod',
        kind: 'ecs',
        connection: { ...connection(), secretAccessKey: undefined },
      },
    });
    expect(missing.status).toBe(400);
    expect(missing.body.message).toMatch(/secretAccessKey: is required/);
  });

  it('deploys v1 then v2, shows v2 in Instances, and a rollback of v2 puts v1 back', async () => {
    const created = await api('POST', '/api/infrastructures', {
      body: { name: 'Fargate Prod', environment: 'prod', kind: 'ecs', connection: connection() },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      kind: 'ecs',
      connection: { type: 'aws', region: emulator.region, accessKeyId: emulator.accessKeyId, endpoint: emulator.url },
    });

    const serviceId = await createService(h, 'checkout');
    const refused = await api('POST', '/api/pipelines', {
      body: { name: 'bad-ecs', definition: { stages: [ecsStage('checkout', { containerName: undefined })] } },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.message).toMatch(/containerName: is required/);
    const refusedCount = await api('POST', '/api/pipelines', {
      body: { name: 'bad-ecs', definition: { stages: [ecsStage('checkout', { desiredCount: -2 })] } },
    });
    expect(refusedCount.status).toBe(400);
    expect(refusedCount.body.message).toMatch(/desiredCount/);

    const pipelineId = await createPipeline(h, 'checkout-ecs', { stages: [ecsStage('checkout')] });
    const v1 = await runPipeline(h, pipelineId, { artifacts: { checkout: 'registry.example/checkout:1' } });
    expect(v1.status).toBe('Completed');
    expect(v1.stages[0]).toMatchObject({ kind: 'ecs', status: 'Completed', firstDeployment: true });
    const v2 = await runPipeline(h, pipelineId, { artifacts: { checkout: 'registry.example/checkout:2' } });
    expect(v2.status).toBe('Completed');
    expect(v2.stages[0]).toMatchObject({ status: 'Completed', firstDeployment: false });
    expect(v2.stages[0].outputs).toMatchObject({ revision: 'checkout:3', image: 'registry.example/checkout:2' });

    const instances = await api('GET', `/api/services/${serviceId}/instances`);
    expect(instances.status).toBe(200);
    expect(instances.body.instances).toEqual([
      expect.objectContaining({
        environment: 'prod',
        infrastructure: expect.objectContaining({ name: 'Fargate Prod', kind: 'ecs' }),
        artifact: 'registry.example/checkout:2',
        current: expect.objectContaining({ executionId: v2.id }),
        previous: expect.objectContaining({ executionId: v1.id, artifact: 'registry.example/checkout:1' }),
      }),
    ]);

    const target = await api('GET', `/api/executions/${v2.id}/rollback`);
    answered.push(JSON.stringify(target.body));
    const rollback = await rollBack(h, v2.id);
    expect(rollback).toMatchObject({ kind: 'Rollback', status: 'Completed' });
    expect(rollback.stages[0]).toMatchObject({ status: 'Completed' });
    expect(rollback.stages[0].outputs).toMatchObject({ revision: 'checkout:2', desiredCount: 2 });

    const after = await api('GET', `/api/services/${serviceId}/instances`);
    expect(after.body.instances[0]).toMatchObject({ artifact: 'registry.example/checkout:1' });
    const live = await ecs.send(new DescribeServicesCommand({ cluster: 'prod', services: ['checkout'] }));
    expect(live.services![0]).toMatchObject({
      taskDefinition: expect.stringMatching(/task-definition\/checkout:2$/),
      desiredCount: 2,
      runningCount: 2,
    });

    for (const id of [v1.id, v2.id, rollback.id]) {
      await api('GET', `/api/executions/${id}`);
      await api('GET', `/api/executions/${id}/logs`);
    }
    await api('GET', '/api/infrastructures');
    await api('GET', `/api/infrastructures/${created.body.id as string}`);
    const everything = answered.join('\n');
    expect(everything).not.toContain(SECRET);
    expect(everything).not.toContain(SESSION);
  });
});

// Issue 15, "a mixed pipeline (ECS + Helm) rolled back in reverse order": one execution deploys an ECS service (the
// ECS emulator, through client-ecs) and then a Helm chart (Local Cluster, through the helm binary); rolling it back
// puts the chart back first, then the ECS service, each exactly where execution one left it.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DescribeServicesCommand, ECSClient, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { startEcsEmulator, type EcsEmulatorHandle } from '../../src/ecs-emulator/ecs-emulator.server.js';
import { HelmCli } from '../../src/platform/helm/helm-cli.js';
import { startHarness, type Harness } from '../helpers/backtrack.harness.js';
import { createPipeline, createService, liveImage, rollBack, runPipeline } from '../helpers/executions.js';
import { closeStarted } from '../helpers/lifecycle.js';
import { uploadPackage } from '../helpers/ssh-releases.js';
import { layerBinaries } from '../kubernetes-emulator/kubectl.helper.js';
import { chartTgz } from '../platform/helm/fixtures.js';

describe('a mixed ECS + Helm pipeline, rolled back in reverse order', () => {
  let h: Harness;
  let emulator: EcsEmulatorHandle;
  let ecs: ECSClient;
  let helm: HelmCli;

  const liveService = async () => {
    const answer = await ecs.send(new DescribeServicesCommand({ cluster: 'prod', services: ['orders'] }));
    const service = answer.services?.[0];
    return { taskDefinition: service?.taskDefinition, desiredCount: service?.desiredCount, status: service?.status };
  };

  beforeAll(async () => {
    emulator = await startEcsEmulator({ taskStartSeconds: 0.3, syncIntervalMs: 50, clusters: ['prod'] });
    ecs = new ECSClient({
      region: emulator.region,
      endpoint: emulator.url,
      credentials: { accessKeyId: emulator.accessKeyId, secretAccessKey: 'mixed-secret' },
    });
    // the family's first revision, registered outside Backtrack (as a team's infrastructure code would)
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'orders',
        containerDefinitions: [{ name: 'app', image: 'registry.example/orders:0', essential: true }],
      }),
    );
    const helmBin = (await layerBinaries()).helm;
    h = await startHarness({ HELM_BIN: helmBin });
    const cluster = h.backtrack.kubernetes!;
    helm = new HelmCli({ bin: helmBin, connection: { server: cluster.url, token: cluster.token } });
    await uploadPackage(h, 'shop-chart', '0.1.0', await chartTgz({ version: '0.1.0', appVersion: '1' }));
    await uploadPackage(h, 'shop-chart', '0.2.0', await chartTgz({ version: '0.2.0', appVersion: '2' }));
    await createService(h, 'orders');
    await createService(h, 'shop');
    for (const infrastructure of [
      {
        name: 'Orders ECS',
        kind: 'ecs',
        connection: {
          region: emulator.region,
          accessKeyId: emulator.accessKeyId,
          secretAccessKey: 'mixed-secret',
          endpoint: emulator.url,
        },
      },
      { name: 'Shop Helm', kind: 'helm', connection: { server: cluster.url, token: cluster.token } },
    ]) {
      const created = await h.api('POST', '/api/infrastructures', { body: { environment: 'dev', ...infrastructure } });
      expect(created.status).toBe(201);
    }
  });
  afterAll(async () => {
    ecs.destroy();
    await closeStarted(h);
    await emulator.close();
  });

  it('deploys ECS then Helm; the rollback puts Helm back first, then ECS, each where execution one left it', async () => {
    const pipelineId = await createPipeline(h, 'orders-and-shop', {
      stages: [
        {
          name: 'orders',
          service: 'orders',
          infrastructure: 'Orders ECS',
          spec: {
            cluster: 'prod',
            service: 'orders',
            taskDefinitionFamily: 'orders',
            containerName: 'app',
            image: '<+artifact.image>',
            desiredCount: 2,
          },
        },
        {
          name: 'shop',
          service: 'shop',
          infrastructure: 'Shop Helm',
          spec: { package: 'shop-chart', version: '<+artifact.image>', release: 'shop', timeoutSeconds: 60 },
        },
      ],
    });
    const one = await runPipeline(h, pipelineId, {
      artifacts: { orders: 'registry.example/orders:1', shop: '0.1.0' },
    });
    expect(one).toMatchObject({ status: 'Completed', error: null });
    const ordersAfterOne = await liveService();
    expect(ordersAfterOne).toMatchObject({ desiredCount: 2, status: 'ACTIVE' });

    const two = await runPipeline(h, pipelineId, {
      artifacts: { orders: 'registry.example/orders:2', shop: '0.2.0' },
    });
    expect(two).toMatchObject({ status: 'Completed', error: null });
    expect(two.stages.map((s: any) => [s.name, s.kind, s.status])).toEqual([
      ['orders', 'ecs', 'Completed'],
      ['shop', 'helm', 'Completed'],
    ]);
    expect((await liveService()).taskDefinition).not.toBe(ordersAfterOne.taskDefinition);
    expect(await liveImage(h, 'shop')).toBe('shop/web:2');

    const offer = await h.api('GET', `/api/executions/${two.id}/rollback`);
    expect(offer.body.available).toBe(true);
    expect(offer.body.stages.map((s: any) => s.name)).toEqual(['shop', 'orders']);

    const rollback = await rollBack(h, two.id);
    expect(rollback).toMatchObject({ kind: 'Rollback', status: 'Completed', executionId: two.id, error: null });
    // the rollback's stages in the order they ran: Helm, then ECS — the second only after the first finished
    expect(rollback.stages.map((s: any) => [s.name, s.status])).toEqual([
      ['shop', 'Completed'],
      ['orders', 'Completed'],
    ]);
    const [shop, orders] = rollback.stages;
    expect(Date.parse(shop.finishedAt)).toBeLessThanOrEqual(Date.parse(orders.startedAt));
    const logs = (await h.api('GET', `/api/executions/${rollback.id}/logs`)).body.logs as { stage: string | null }[];
    const firstLine = (stage: string) => logs.findIndex((l) => l.stage === stage);
    const lastLine = (stage: string) => logs.map((l) => l.stage).lastIndexOf(stage);
    expect(firstLine('shop')).toBeGreaterThanOrEqual(0);
    expect(lastLine('shop')).toBeLessThan(firstLine('orders'));

    // both platforms are where execution one left them
    expect(await liveService()).toEqual(ordersAfterOne);
    expect(await liveImage(h, 'shop')).toBe('shop/web:1');
    const history = (await helm.history('shop', 'default')).map((r) => [r.revision, r.status, r.description]);
    expect(history.at(-1)).toEqual([3, 'deployed', 'Rollback to 1']);
    expect(history.at(-2)).toEqual([2, 'superseded', expect.stringMatching(/^Backtrack job /)]);
  });
});

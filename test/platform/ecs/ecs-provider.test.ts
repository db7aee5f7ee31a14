// The ECS provider against the ECS emulator over HTTP with @aws-sdk/client-ecs: every contract of provider.ts.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { DescribeTaskDefinitionCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { EcsProvider } from '../../../src/platform/ecs/ecs.provider.js';
import type { EcsData } from '../../../src/platform/ecs/ecs-records.js';
import type { EcsSpec } from '../../../src/platform/ecs/ecs-spec.js';
import { StageFailed } from '../../../src/platform/provider.js';
import { SimulatedCrash, type TestStageContext } from '../../helpers/stage-context.js';
import { SECRET_ACCESS_KEY, specFor, startEcsCluster, type EcsCluster } from './fixtures.js';

const provider = new EcsProvider();
let cluster: EcsCluster;
let serial = 0;

beforeAll(async () => {
  cluster = await startEcsCluster();
});
afterAll(async () => {
  cluster.ecs.destroy();
  await cluster.emulator.close();
});
beforeEach(() => {
  cluster.emulator.admin.clearFaults();
  cluster.emulator.admin.resetRequests();
});

/** A service `svc-N` on a fresh family's revision 1 (image web:1, 2 tasks), settled, and a spec deploying `image`. */
async function running(
  image = 'registry.example/web:2',
  options: { breaker?: boolean; extra?: Partial<EcsSpec> } = {},
) {
  const name = `svc-${++serial}`;
  const { family, arn } = await cluster.family();
  await cluster.service(name, arn, { breaker: options.breaker });
  cluster.emulator.admin.resetRequests();
  return { name, family, arn, spec: specFor(name, family, image, options.extra) };
}

/** capture + deploy with one context, then the rollout run to its end. */
async function deployed(spec: EcsSpec) {
  const ctx = cluster.context();
  const data = await provider.capture(ctx, spec);
  const outputs = await provider.deploy(ctx, spec, data);
  cluster.emulator.admin.settle();
  return { spec, data, outputs, ctx };
}

/** Runs `call` stopped right after its save number `save` (what a worker killed there leaves), then resumed. */
async function stoppedAfterSave<T>(save: number, call: (ctx: TestStageContext) => Promise<T>): Promise<T> {
  const ctx = cluster.context({ crashAfterSaves: save });
  await expect(call(ctx)).rejects.toThrow(SimulatedCrash);
  return call(ctx.resume());
}

const imageOf = async (arn: string) =>
  (
    await cluster.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn }))
  ).taskDefinition!.containerDefinitions!.find((c) => c.name === 'app')!.image;

const failure = async (call: Promise<unknown>): Promise<Error> => {
  try {
    await call;
  } catch (error) {
    return error as Error;
  }
  throw new Error('the call succeeded');
};

describe('EcsProvider against the ECS emulator over HTTP', () => {
  test('parseSpec and artifactOf', () => {
    const spec = specFor('web', 'web', '<+artifact.image>');
    expect(provider.parseSpec(spec)).toEqual(spec);
    expect(provider.artifactOf(spec)).toBe('<+artifact.image>');
    expect(() => provider.parseSpec({ ...spec, containerName: undefined })).toThrow(/containerName: is required/);
  });

  test('capture is read-only: twice gives equal data and sends no write', async () => {
    const { spec, arn } = await running();
    const first = await provider.capture(cluster.context(), spec);
    const second = await provider.capture(cluster.context(), spec);
    expect(second).toEqual(first);
    expect(cluster.writes()).toEqual([]);
    expect(first).toEqual({
      cluster: 'prod',
      service: spec.service,
      existed: true,
      taskDefinitionArn: arn,
      desiredCount: 2,
      deploymentConfiguration: {
        deploymentCircuitBreaker: { enable: false, rollback: false },
        maximumPercent: 200,
        minimumHealthyPercent: 100,
      },
      image: 'registry.example/web:1',
      baseTaskDefinitionArn: arn,
    } satisfies EcsData);
    expect(provider.isFirstDeployment(first)).toBe(false);
    expect(provider.describeRollbackTarget(first)).toBe(`${spec.taskDefinitionFamily}:1 × 2`);
  });

  test('deploy registers the captured revision with the new image, updates the service, and returns at once', async () => {
    const { spec, family } = await running();
    const ctx = cluster.context();
    const data = await provider.capture(ctx, spec);
    const outputs = await provider.deploy(ctx, spec, data);
    expect(cluster.writes()).toEqual(['RegisterTaskDefinition', 'UpdateService']);
    expect(outputs).toEqual({
      cluster: 'prod',
      service: spec.service,
      taskDefinitionArn: expect.stringMatching(new RegExp(`task-definition/${family}:2$`)),
      desiredCount: 2,
      revision: `${family}:2`,
      image: 'registry.example/web:2',
      deploymentId: expect.stringMatching(/^ecs-svc\//),
    });
    const registered = await cluster.ecs.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: outputs.taskDefinitionArn!, include: ['TAGS'] }),
    );
    expect(registered.taskDefinition).toMatchObject({
      cpu: '256',
      memory: '512',
      containerDefinitions: [
        { name: 'app', image: 'registry.example/web:2', environment: [{ name: 'MODE', value: 'live' }] },
        { name: 'proxy', image: 'registry.example/proxy:1' },
      ],
    });
    expect(registered.tags).toEqual([{ key: 'backtrack:stage', value: ctx.stageId }]);
    const health = await provider.status(ctx, spec, outputs);
    expect(health).toEqual({
      steady: false,
      reason: `rollout of ${family}:2 IN_PROGRESS: 0 running, 2 pending of 2 desired; 1 older deployment(s) draining`,
    });
    cluster.emulator.admin.settle();
    expect(await provider.status(ctx, spec, outputs)).toEqual({ steady: true });
    expect(await provider.describe(ctx, { spec, data, outputs })).toEqual({
      artifact: 'registry.example/web:2',
      revision: `${family}:2`,
      ready: 2,
      desired: 2,
    });
    expect(ctx.logText()).not.toContain(SECRET_ACCESS_KEY);
  });

  test('deploy twice converges: the second registers nothing and sends no update', async () => {
    const { spec } = await running();
    const { outputs } = await deployed(spec);
    cluster.emulator.admin.resetRequests();
    const ctx = cluster.context();
    const again = await provider.deploy(ctx, spec, await provider.capture(ctx, spec));
    expect(cluster.writes()).toEqual([]);
    expect(again).toEqual({ ...outputs, deploymentId: undefined });
    expect(ctx.logText()).toMatch(/already runs .*:2 × 2, nothing sent/);
  });

  test.each([1, 2, 3])('a deploy stopped after save %i and resumed sends each change exactly once', async (save) => {
    const { spec, family } = await running('registry.example/web:3', { extra: { desiredCount: 3 } });
    const data = await provider.capture(cluster.context(), spec);
    const result = await stoppedAfterSave(save, (ctx) => provider.deploy(ctx, spec, data));
    expect(cluster.writes()).toEqual(['RegisterTaskDefinition', 'UpdateService']);
    expect(result.revision).toBe(`${family}:2`);
    const live = await cluster.live(spec.service);
    expect([live!.taskDefinition, live!.desiredCount]).toEqual([result.taskDefinitionArn, 3]);
  });

  test('a deploy that died after registering but before recording the ARN finds its revision by the tag', async () => {
    const { spec, family } = await running();
    const data = await provider.capture(cluster.context(), spec);
    const ctx = cluster.context({ crashAfterSaves: 2 });
    await expect(provider.deploy(ctx, spec, data)).rejects.toThrow(SimulatedCrash);
    delete ctx.state['deploy taskDefinitionArn']; // as if the worker died before the ARN was written
    const resumed = ctx.resume();
    const outputs = await provider.deploy(resumed, spec, data);
    expect(cluster.writes()).toEqual(['RegisterTaskDefinition', 'UpdateService']);
    expect(outputs.revision).toBe(`${family}:2`);
    expect(resumed.logText()).toMatch(/registered by an earlier attempt: not registered again/);
  });

  test('a resumed deploy whose update was sent reads the service and does not send it again', async () => {
    const { spec } = await running();
    const ctx = cluster.context();
    const data = await provider.capture(ctx, spec);
    const outputs = await provider.deploy(ctx, spec, data);
    const again = await provider.deploy(ctx.resume(), spec, data);
    expect(again).toEqual({ ...outputs, deploymentId: undefined });
    expect(cluster.writes()).toEqual(['RegisterTaskDefinition', 'UpdateService']);
  });

  test('rollback puts back exactly the task definition, count and configuration capture recorded', async () => {
    const { spec, arn } = await running('registry.example/web:2', {
      extra: { desiredCount: 4, deploymentCircuitBreaker: { enable: true, rollback: false } },
    });
    const { data, outputs } = await deployed(spec);
    const changed = await cluster.live(spec.service);
    expect(changed).toMatchObject({
      desiredCount: 4,
      deploymentConfiguration: { deploymentCircuitBreaker: { enable: true } },
    });
    cluster.emulator.admin.resetRequests();
    const ctx = cluster.context();
    expect(await provider.drift(ctx, { spec, data, outputs })).toEqual([]);
    const back = await provider.rollback(ctx, { spec, data, outputs });
    expect(cluster.writes()).toEqual(['UpdateService']);
    expect(back).toMatchObject({ taskDefinitionArn: arn, desiredCount: 2, image: 'registry.example/web:1' });
    expect((await provider.status(ctx, spec, back)).steady).toBe(false);
    cluster.emulator.admin.settle();
    expect(await provider.status(ctx, spec, back)).toEqual({ steady: true });
    const live = await cluster.live(spec.service);
    expect({
      taskDefinitionArn: live!.taskDefinition,
      desiredCount: live!.desiredCount,
      deploymentConfiguration: live!.deploymentConfiguration,
    }).toEqual({
      taskDefinitionArn: data.taskDefinitionArn,
      desiredCount: data.desiredCount,
      deploymentConfiguration: data.deploymentConfiguration,
    });
    expect(await imageOf(live!.taskDefinition!)).toBe('registry.example/web:1');
  });

  test('a rollback stopped after each save and resumed sends its UpdateService exactly once', async () => {
    const { spec } = await running();
    const recorded = await deployed(spec);
    cluster.emulator.admin.resetRequests();
    const result = await stoppedAfterSave(1, (ctx) => provider.rollback(ctx, recorded));
    // and once more, as a worker that died after sending but before its outputs were written
    await provider.rollback(cluster.context({ resumed: true, state: { 'rollback update': 'sent' } }), recorded);
    expect(cluster.writes()).toEqual(['UpdateService']);
    expect(result.taskDefinitionArn).toBe(recorded.data.taskDefinitionArn);
  });

  test('drift names a changed task definition and a changed count', async () => {
    const { spec, arn, family } = await running();
    const recorded = await deployed(spec);
    await cluster.ecs.send(
      new UpdateServiceCommand({ cluster: 'prod', service: spec.service, taskDefinition: arn, desiredCount: 5 }),
    );
    expect(await provider.drift(cluster.context(), recorded)).toEqual([
      `ECS service prod/${spec.service} runs task definition ${family}:1, the execution left ${family}:2`,
      `ECS service prod/${spec.service} has desired count 5, the execution left 2`,
    ]);
  });

  test('a first deployment creates the service; its rollback deletes it', async () => {
    const { family } = await cluster.family();
    cluster.emulator.admin.resetRequests();
    const spec = specFor(`new-${++serial}`, family, 'registry.example/web:7', { desiredCount: 1 });
    const ctx = cluster.context();
    const data = await provider.capture(ctx, spec);
    expect(data).toMatchObject({ existed: false, taskDefinitionArn: null, desiredCount: null });
    expect(provider.isFirstDeployment(data)).toBe(true);
    expect(provider.describeRollbackTarget(data)).toBe(`no service (${spec.service} is deleted)`);
    const outputs = await provider.deploy(ctx, spec, data);
    expect(cluster.writes()).toEqual(['RegisterTaskDefinition', 'CreateService']);
    cluster.emulator.admin.settle();
    expect(await provider.status(ctx, spec, outputs)).toEqual({ steady: true });
    // a resumed deploy finds the service it created
    await provider.deploy(ctx.resume(), spec, data);
    expect(cluster.writes()).toEqual(['RegisterTaskDefinition', 'CreateService']);
    const rollbackCtx = cluster.context();
    const back = await provider.rollback(rollbackCtx, { spec, data, outputs });
    expect(back.deleted).toBe(true);
    expect(await provider.status(rollbackCtx, spec, back)).toEqual({ steady: true });
    expect(await cluster.live(spec.service)).toBeNull();
    await provider.rollback(rollbackCtx.resume(), { spec, data, outputs });
    expect(cluster.writes()).toEqual(['RegisterTaskDefinition', 'CreateService', 'DeleteService']);
    expect(await provider.describe(rollbackCtx, { spec, data, outputs })).toEqual({
      artifact: null,
      revision: null,
      ready: null,
      desired: null,
    });
  });

  test('the circuit breaker’s own rollback fails the stage, saying ECS rolled back and what is live', async () => {
    const { spec, arn, family } = await running('registry.example/web:broken', { breaker: true });
    cluster.emulator.admin.unhealthyTasks({ family, revision: 2 });
    const ctx = cluster.context();
    const outputs = await provider.deploy(ctx, spec, await provider.capture(ctx, spec));
    cluster.emulator.admin.tick(600 * 3);
    const health = await provider.status(ctx, spec, outputs);
    expect(health).toMatchObject({ steady: false, failed: true });
    expect((health as { reason: string }).reason).toMatch(
      new RegExp(
        `^the deployment of ${family}:2 failed \\(.*tasks failed to start.*\\) and ECS itself rolled the service back to ${arn}; live now: ${family}:1`,
      ),
    );
  });

  test('a family without a revision, or without the container, fails before anything is sent', async () => {
    const spec = specFor(`none-${++serial}`, 'no-such-family', 'x:1');
    const ctx = cluster.context();
    const error = await failure(provider.deploy(ctx, spec, await provider.capture(ctx, spec)));
    expect(error).toBeInstanceOf(StageFailed);
    expect(error.message).toMatch(/no-such-family has no ACTIVE revision.*Nothing was sent/);
    const { spec: other } = await running();
    const wrong = { ...other, containerName: 'worker' };
    const error2 = await failure(provider.deploy(ctx, wrong, await provider.capture(ctx, wrong)));
    expect(error2.message).toMatch(/has no container named worker\. Nothing was sent/);
    expect(cluster.writes()).toEqual([]);
  });
});

describe('faults from the emulator end in an honest state', () => {
  test('an UpdateService answered 500 says it was not applied; the next attempt sends it', async () => {
    const { spec } = await running();
    cluster.emulator.admin.failRequests({ operation: 'UpdateService', times: 1 });
    const ctx = cluster.context();
    const data = await provider.capture(ctx, spec);
    const error = await failure(provider.deploy(ctx, spec, data));
    expect(error).toBeInstanceOf(StageFailed);
    expect(error.message).toMatch(
      /^ECS did not confirm UpdateService of ECS service prod\/svc-\d+ \(ServerException: .*\); read back, it runs web-\d+:1 × 2: the change is not applied, or not yet/,
    );
    expect(error.message).not.toContain(SECRET_ACCESS_KEY);
    const outputs = await provider.deploy(ctx.resume(), spec, data);
    expect(cluster.writes()).toEqual(['RegisterTaskDefinition', 'UpdateService', 'UpdateService']);
    expect((await cluster.live(spec.service))!.taskDefinition).toBe(outputs.taskDefinitionArn);
  });

  test('a dropped UpdateService is read back, never reported as nothing applied without looking', async () => {
    const { spec } = await running();
    cluster.emulator.admin.dropConnections({ operation: 'UpdateService', times: 1 });
    const ctx = cluster.context();
    const error = await failure(provider.deploy(ctx, spec, await provider.capture(ctx, spec)));
    expect(error).toBeInstanceOf(StageFailed);
    expect(error.message).toMatch(/ECS did not confirm UpdateService .*read back, it runs web-\d+:1 × 2/);
  });

  test('a slow UpdateService that times out, then lands: the stage said so, and a resumed deploy sends nothing', async () => {
    const impatient = new EcsProvider({ requestTimeoutMs: 300 });
    const { spec } = await running();
    cluster.emulator.admin.addLatency({ operation: 'UpdateService', ms: 1_000 });
    const ctx = cluster.context();
    const data = await impatient.capture(ctx, spec);
    const error = await failure(impatient.deploy(ctx, spec, data));
    expect(error).toBeInstanceOf(StageFailed);
    expect(error.message).toMatch(
      /ECS did not confirm UpdateService .*not applied, or not yet \(ECS may still apply a call whose answer was lost\)/,
    );
    cluster.emulator.admin.clearFaults();
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    const live = await cluster.live(spec.service);
    expect(live!.taskDefinition).toMatch(/:2$/); // ECS applied it after all
    cluster.emulator.admin.resetRequests();
    await impatient.deploy(ctx.resume(), spec, data);
    expect(cluster.writes()).toEqual([]);
  });

  test('a RegisterTaskDefinition that fails is looked for by its tag, and the stage says the service is unchanged', async () => {
    const { spec, arn } = await running();
    cluster.emulator.admin.dropConnections({ operation: 'RegisterTaskDefinition', times: 1 });
    const ctx = cluster.context();
    const data = await provider.capture(ctx, spec);
    const error = await failure(provider.deploy(ctx, spec, data));
    expect(error.message).toMatch(
      /did not register the new revision .*no revision of this stage is registered and the service was not changed/,
    );
    expect((await cluster.live(spec.service))!.taskDefinition).toBe(arn);
    await provider.deploy(ctx.resume(), spec, data);
    expect(cluster.writes()).toEqual(['RegisterTaskDefinition', 'RegisterTaskDefinition', 'UpdateService']);
  });

  test('a rollback whose UpdateService fails says what the service runs; retried, it completes', async () => {
    const { spec } = await running();
    const recorded = await deployed(spec);
    cluster.emulator.admin.failRequests({ operation: 'UpdateService', errorType: 'ServerException', times: 1 });
    const ctx = cluster.context();
    const error = await failure(provider.rollback(ctx, recorded));
    expect(error.message).toMatch(/read back, it runs web-\d+:2 × 2: the change is not applied/);
    const back = await provider.rollback(ctx.resume(), recorded);
    expect(back.taskDefinitionArn).toBe(recorded.data.taskDefinitionArn);
  });

  test('status while ECS fails DescribeServices is not steady, and says why, instead of failing the stage', async () => {
    const { spec } = await running();
    const { outputs, ctx } = await deployed(spec);
    cluster.emulator.admin.failRequests({ operation: 'DescribeServices', times: 3 });
    const health = await provider.status(ctx, spec, outputs);
    expect(health).toMatchObject({
      steady: false,
      reason: expect.stringMatching(/^ECS did not answer DescribeServices/),
    });
    expect(health).not.toHaveProperty('failed');
    expect(await provider.status(ctx, spec, outputs)).toEqual({ steady: true });
  });

  test('a refused call (bad credentials) is a sentence without the secret', async () => {
    const ctx = cluster.context();
    const bad = {
      ...ctx,
      target: { ...ctx.target, connection: { ...cluster.connection, accessKeyId: 'AKIAUNKNOWNKEY000000' } },
    };
    const error = await failure(provider.capture(bad, specFor('x', 'y', 'z:1')));
    expect(error).toBeInstanceOf(StageFailed);
    expect(error.message).toMatch(/^ECS refused DescribeServices: UnrecognizedClientException/);
    expect(error.message).not.toContain(SECRET_ACCESS_KEY);
  });
});

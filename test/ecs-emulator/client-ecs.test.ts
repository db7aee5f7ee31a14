// The ECS emulator against the official @aws-sdk/client-ecs over HTTP: every served operation, the typed
// exceptions, rolling deployments over simulated time, the circuit breaker and fault injection.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import {
  ClientException,
  ClusterNotFoundException,
  CreateServiceCommand,
  DeleteServiceCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  ECSServiceException,
  InvalidParameterException,
  ListTaskDefinitionsCommand,
  paginateListTaskDefinitions,
  RegisterTaskDefinitionCommand,
  ServerException,
  ServiceNotFoundException,
  UnsupportedFeatureException,
  UpdateServiceCommand,
  waitUntilServicesStable,
  type Service,
} from '@aws-sdk/client-ecs';
import { startEcsEmulator, type EcsEmulatorHandle } from '../../src/ecs-emulator/ecs-emulator.server.js';

/** Longer than any test runs, so only admin.tick/settle move a deployment (the background sync never does). */
const TASK_START_SECONDS = 600;

let emulator: EcsEmulatorHandle;
let ecs: ECSClient;
let serial = 0;

function client(accessKeyId = emulator.accessKeyId, maxAttempts = 1): ECSClient {
  return new ECSClient({
    region: emulator.region,
    endpoint: emulator.url,
    credentials: { accessKeyId, secretAccessKey: 'emulator-secret' },
    maxAttempts,
  });
}

/** The error a call must throw. */
async function failure(call: Promise<unknown>): Promise<Error> {
  try {
    await call;
  } catch (error) {
    return error as Error;
  }
  throw new Error('the call succeeded');
}

/** A fresh family with `revisions` revisions (web-N:1, web-N:2…): names do not collide between tests. */
async function family(revisions: number): Promise<string[]> {
  const name = `web-${++serial}`;
  const arns: string[] = [];
  for (let i = 1; i <= revisions; i++) {
    const answer = await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: name,
        containerDefinitions: [{ name: 'app', image: `registry.example/web:${i}`, memory: 256, essential: true }],
      }),
    );
    arns.push(answer.taskDefinition!.taskDefinitionArn!);
  }
  return arns;
}

async function describe1(serviceName: string): Promise<Service> {
  const answer = await ecs.send(new DescribeServicesCommand({ services: [serviceName] }));
  return answer.services![0]!;
}

const shape = (service: Service) =>
  service.deployments!.map((d) => ({
    status: d.status,
    taskDefinition: d.taskDefinition!.split('/')[1],
    running: d.runningCount,
    pending: d.pendingCount,
    rolloutState: d.rolloutState,
  }));

beforeAll(async () => {
  emulator = await startEcsEmulator({ taskStartSeconds: TASK_START_SECONDS, clusters: ['default', 'prod'] });
  ecs = client();
});

afterAll(async () => {
  ecs.destroy();
  await emulator.close();
});

beforeEach(() => emulator.admin.clearFaults());

describe('task definitions', () => {
  it('registers revisions, describes by family, revision and ARN, with tags on request', async () => {
    const registered = await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'tagged',
        cpu: '256',
        memory: '512',
        networkMode: 'awsvpc',
        requiresCompatibilities: ['FARGATE'],
        containerDefinitions: [{ name: 'app', image: 'tagged:1', portMappings: [{ containerPort: 8080 }] }],
        tags: [{ key: 'team', value: 'payments' }],
      }),
    );
    expect(registered.taskDefinition).toMatchObject({
      family: 'tagged',
      revision: 1,
      status: 'ACTIVE',
      cpu: '256',
      networkMode: 'awsvpc',
      compatibilities: ['EC2', 'FARGATE'],
    });
    expect(registered.taskDefinition!.registeredAt).toBeInstanceOf(Date);
    expect(registered.tags).toEqual([{ key: 'team', value: 'payments' }]);
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'tagged',
        containerDefinitions: [{ name: 'app', image: 'tagged:2' }],
      }),
    );

    const latest = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'tagged' }));
    expect(latest.taskDefinition?.revision).toBe(2);
    expect(latest.tags).toBeUndefined();
    const first = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'tagged:1', include: ['TAGS'] }));
    expect(first.taskDefinition?.containerDefinitions?.[0]?.image).toBe('tagged:1');
    expect(first.tags).toEqual([{ key: 'team', value: 'payments' }]);
    const byArn = await ecs.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: registered.taskDefinition!.taskDefinitionArn }),
    );
    expect(byArn.taskDefinition?.revision).toBe(1);
  });

  it('lists family by family, newest last, across pages', async () => {
    const arns = await family(3);
    const prefix = arns[0]!.split('/')[1]!.split(':')[0]!;
    const page = await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: prefix, maxResults: 2 }));
    expect(page.taskDefinitionArns).toEqual(arns.slice(0, 2));
    expect(page.nextToken).toBeDefined();
    const all: string[] = [];
    for await (const p of paginateListTaskDefinitions({ client: ecs, pageSize: 1 }, { familyPrefix: prefix }))
      all.push(...(p.taskDefinitionArns ?? []));
    expect(all).toEqual(arns);
    const desc = await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: prefix, sort: 'DESC' }));
    expect(desc.taskDefinitionArns).toEqual([...arns].reverse());
  });

  it('answers ClientException for an unknown task definition and for one without containers', async () => {
    const unknown = await failure(ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'nothing-here:1' })));
    expect(unknown).toBeInstanceOf(ClientException);
    expect(unknown.message).toBe('Unable to describe task definition.');
    const empty = await failure(
      ecs.send(new RegisterTaskDefinitionCommand({ family: 'empty', containerDefinitions: [] })),
    );
    expect(empty).toBeInstanceOf(ClientException);
    expect(empty.message).toMatch(/containerDefinitions/);
  });
});

describe('services and deployments', () => {
  it('creates a service whose first deployment goes IN_PROGRESS → COMPLETED as simulated time passes', async () => {
    const [v1] = await family(1);
    const created = await ecs.send(
      new CreateServiceCommand({ serviceName: 'first', taskDefinition: v1, desiredCount: 3, launchType: 'FARGATE' }),
    );
    expect(created.service).toMatchObject({
      serviceName: 'first',
      serviceArn: 'arn:aws:ecs:us-east-1:123456789012:service/default/first',
      clusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/default',
      status: 'ACTIVE',
      taskDefinition: v1,
      desiredCount: 3,
      runningCount: 0,
      pendingCount: 3,
      deploymentController: { type: 'ECS' },
    });
    expect(created.service!.deployments![0]!.id).toMatch(/^ecs-svc\/\d+$/);
    expect(created.service!.deployments![0]!.createdAt).toBeInstanceOf(Date);

    emulator.admin.tick(TASK_START_SECONDS);
    const service = await describe1('first');
    expect(shape(service)).toEqual([
      { status: 'PRIMARY', taskDefinition: v1!.split('/')[1], running: 3, pending: 0, rolloutState: 'COMPLETED' },
    ]);
    expect(service.events?.[0]?.message).toBe('(service first) has reached a steady state.');
    await waitUntilServicesStable({ client: ecs, maxWaitTime: 30, minDelay: 1 }, { services: ['first'] });
  });

  it('rolls a new task definition out beside the old one, then drains the old deployment', async () => {
    const [v1, v2] = await family(2);
    await ecs.send(new CreateServiceCommand({ serviceName: 'rolling', taskDefinition: v1, desiredCount: 2 }));
    emulator.admin.settle();
    const updated = await ecs.send(new UpdateServiceCommand({ service: 'rolling', taskDefinition: v2 }));
    expect(shape(updated.service!)).toEqual([
      { status: 'PRIMARY', taskDefinition: v2!.split('/')[1], running: 0, pending: 2, rolloutState: 'IN_PROGRESS' },
      { status: 'ACTIVE', taskDefinition: v1!.split('/')[1], running: 2, pending: 0, rolloutState: 'COMPLETED' },
    ]);
    expect(updated.service!.taskDefinition).toBe(v2);
    expect(emulator.admin.clockAnswer().rolling).toBe(true);

    emulator.admin.settle();
    const service = await describe1('rolling');
    expect(shape(service)).toEqual([
      { status: 'PRIMARY', taskDefinition: v2!.split('/')[1], running: 2, pending: 0, rolloutState: 'COMPLETED' },
    ]);
    expect(service.runningCount).toBe(2);
  });

  it('scales with desiredCount alone, without a new deployment, and forceNewDeployment redeploys the same revision', async () => {
    const [v1] = await family(1);
    await ecs.send(new CreateServiceCommand({ serviceName: 'scaled', taskDefinition: v1, desiredCount: 1 }));
    emulator.admin.settle();
    const scaled = await ecs.send(new UpdateServiceCommand({ service: 'scaled', desiredCount: 3 }));
    expect(scaled.service!.deployments).toHaveLength(1);
    expect(scaled.service!.pendingCount).toBe(2);
    emulator.admin.settle();
    expect((await describe1('scaled')).runningCount).toBe(3);
    const forced = await ecs.send(new UpdateServiceCommand({ service: 'scaled', forceNewDeployment: true }));
    expect(forced.service!.deployments!.map((d) => [d.status, d.taskDefinition])).toEqual([
      ['PRIMARY', v1],
      ['ACTIVE', v1],
    ]);
  });

  it('the circuit breaker fails a deployment whose tasks never get healthy and rolls back to the last completed one', async () => {
    const [v1, v2] = await family(2);
    const name = v2!.split('/')[1]!.split(':')[0]!;
    await ecs.send(
      new CreateServiceCommand({
        serviceName: 'breaker',
        taskDefinition: v1,
        desiredCount: 2,
        deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true } },
      }),
    );
    emulator.admin.settle();
    emulator.admin.unhealthyTasks({ family: name, revision: 2 });
    const updated = await ecs.send(new UpdateServiceCommand({ service: 'breaker', taskDefinition: v2 }));
    const created = updated.service!.deployments![0]!.id;

    emulator.admin.tick(TASK_START_SECONDS);
    const failing = await describe1('breaker');
    expect(failing.deployments![0]).toMatchObject({ id: created, rolloutState: 'IN_PROGRESS', failedTasks: 2 });

    emulator.admin.tick(TASK_START_SECONDS);
    const rollingBack = await describe1('breaker');
    const mine = rollingBack.deployments!.find((d) => d.id === created)!;
    expect(mine).toMatchObject({
      status: 'ACTIVE',
      rolloutState: 'FAILED',
      rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.',
    });
    expect(rollingBack.deployments![0]).toMatchObject({
      status: 'PRIMARY',
      taskDefinition: v1,
      rolloutState: 'IN_PROGRESS',
    });
    expect(rollingBack.deployments![0]!.rolloutStateReason).toMatch(/^ECS deployment circuit breaker: rolling back to/);

    emulator.admin.settle();
    const after = await describe1('breaker');
    expect(after.taskDefinition).toBe(v1);
    expect(shape(after)).toEqual([
      { status: 'PRIMARY', taskDefinition: v1!.split('/')[1], running: 2, pending: 0, rolloutState: 'COMPLETED' },
    ]);
    // The trap: after the automatic rollback the service is stable again, so the waiter succeeds.
    await waitUntilServicesStable({ client: ecs, maxWaitTime: 30, minDelay: 1 }, { services: ['breaker'] });
  });

  it('without rollback the failed deployment stays PRIMARY and FAILED while the old tasks keep serving', async () => {
    const [v1, v2] = await family(2);
    await ecs.send(
      new CreateServiceCommand({
        serviceName: 'no-rollback',
        taskDefinition: v1,
        desiredCount: 1,
        deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: false } },
      }),
    );
    emulator.admin.settle();
    emulator.admin.unhealthyTasks({ family: v2!.split('/')[1]!.split(':')[0]! });
    await ecs.send(new UpdateServiceCommand({ service: 'no-rollback', taskDefinition: v2 }));
    expect(emulator.admin.settle().rolling).toBe(false);
    const service = await describe1('no-rollback');
    expect(service.taskDefinition).toBe(v2);
    expect(service.runningCount).toBe(1);
    expect(shape(service)).toEqual([
      { status: 'PRIMARY', taskDefinition: v2!.split('/')[1], running: 0, pending: 0, rolloutState: 'FAILED' },
      { status: 'ACTIVE', taskDefinition: v1!.split('/')[1], running: 1, pending: 0, rolloutState: 'COMPLETED' },
    ]);
  });

  it('deletes a service: scaled above 0 only with force; then it is MISSING and its name can be used again', async () => {
    const [rev1] = await family(1);
    await ecs.send(new CreateServiceCommand({ serviceName: 'doomed', taskDefinition: rev1, desiredCount: 2 }));
    const refused = await failure(ecs.send(new DeleteServiceCommand({ service: 'doomed' })));
    expect(refused).toBeInstanceOf(InvalidParameterException);
    expect(refused.message).toBe('The service cannot be stopped while it is scaled above 0.');
    const deleted = await ecs.send(new DeleteServiceCommand({ service: 'doomed', force: true }));
    expect(deleted.service).toMatchObject({ serviceName: 'doomed', status: 'DRAINING', desiredCount: 0 });
    const after = await ecs.send(new DescribeServicesCommand({ services: ['doomed'] }));
    expect(after.services).toEqual([]);
    expect(after.failures).toEqual([expect.objectContaining({ reason: 'MISSING' })]);
    expect(await failure(ecs.send(new DeleteServiceCommand({ service: 'doomed', force: true })))).toBeInstanceOf(
      ServiceNotFoundException,
    );
    await ecs.send(new CreateServiceCommand({ serviceName: 'doomed', taskDefinition: rev1, desiredCount: 0 }));
    await ecs.send(new DeleteServiceCommand({ service: 'doomed' }));
  });

  it('describes unknown services as MISSING failures and finds services by ARN and in other clusters', async () => {
    const [v1] = await family(1);
    const created = await ecs.send(
      new CreateServiceCommand({
        cluster: 'prod',
        serviceName: 'api',
        taskDefinition: v1,
        tags: [{ key: 'a', value: 'b' }],
      }),
    );
    const answer = await ecs.send(
      new DescribeServicesCommand({
        cluster: 'arn:aws:ecs:us-east-1:123456789012:cluster/prod',
        services: [created.service!.serviceArn!, 'ghost'],
        include: ['TAGS'],
      }),
    );
    expect(answer.services!.map((s) => [s.serviceName, s.tags])).toEqual([['api', [{ key: 'a', value: 'b' }]]]);
    expect(answer.failures).toEqual([{ arn: 'arn:aws:ecs:us-east-1:123456789012:service/ghost', reason: 'MISSING' }]);
  });
});

describe('AWS errors', () => {
  it('maps each error to its typed exception, with the message and a request id', async () => {
    const [v1] = await family(1);
    const noCluster = await failure(ecs.send(new DescribeServicesCommand({ cluster: 'nope', services: ['x'] })));
    expect(noCluster).toBeInstanceOf(ClusterNotFoundException);
    expect(noCluster.message).toBe('Cluster not found.');
    expect((noCluster as ClusterNotFoundException).$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);

    const noService = await failure(ecs.send(new UpdateServiceCommand({ service: 'ghost', desiredCount: 1 })));
    expect(noService).toBeInstanceOf(ServiceNotFoundException);

    await ecs.send(new CreateServiceCommand({ serviceName: 'dup', taskDefinition: v1 }));
    const duplicate = await failure(ecs.send(new CreateServiceCommand({ serviceName: 'dup', taskDefinition: v1 })));
    expect(duplicate).toBeInstanceOf(InvalidParameterException);
    expect(duplicate.message).toBe('Creation of service was not idempotent.');

    const halfBreaker = await failure(
      ecs.send(
        new UpdateServiceCommand({
          service: 'dup',
          deploymentConfiguration: { deploymentCircuitBreaker: { enable: true } as never },
        }),
      ),
    );
    expect(halfBreaker).toBeInstanceOf(InvalidParameterException);
    expect(halfBreaker.message).toMatch(/deploymentCircuitBreaker needs both enable and rollback/);

    const unknownRevision = await failure(
      ecs.send(new UpdateServiceCommand({ service: 'dup', taskDefinition: `${v1!.split('/')[1]!.split(':')[0]!}:99` })),
    );
    expect(unknownRevision).toBeInstanceOf(InvalidParameterException);

    const tooMany = await failure(
      ecs.send(new DescribeServicesCommand({ services: Array.from({ length: 11 }, (_, i) => `s${i}`) })),
    );
    expect(tooMany).toBeInstanceOf(InvalidParameterException);

    const codeDeploy = await failure(
      ecs.send(
        new CreateServiceCommand({
          serviceName: 'cd',
          taskDefinition: v1,
          deploymentController: { type: 'CODE_DEPLOY' },
        }),
      ),
    );
    expect(codeDeploy).toBeInstanceOf(UnsupportedFeatureException);
  });

  it('refuses an unknown access key id and an unsigned request with the AWS error shape', async () => {
    const stranger = client('AKIASTRANGER0000');
    const refused = await failure(stranger.send(new ListTaskDefinitionsCommand({})));
    stranger.destroy();
    expect(refused).toBeInstanceOf(ECSServiceException);
    expect(refused.name).toBe('UnrecognizedClientException');
    expect((refused as ECSServiceException).$metadata.httpStatusCode).toBe(403);

    const unsigned = await fetch(emulator.url, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-amz-json-1.1',
        'X-Amz-Target': 'AmazonEC2ContainerServiceV20141113.ListTaskDefinitions',
      },
      body: '{}',
    });
    expect(unsigned.status).toBe(403);
    expect(await unsigned.json()).toEqual({
      __type: 'MissingAuthenticationTokenException',
      message: 'Missing Authentication Token',
    });
  });
});

describe('fault injection', () => {
  it('fails the next calls of an operation; the SDK retries a ServerException and gets through', async () => {
    emulator.admin.failRequests({ operation: 'ListTaskDefinitions', times: 1 });
    const injected = await failure(ecs.send(new ListTaskDefinitionsCommand({})));
    expect(injected).toBeInstanceOf(ServerException);
    expect((injected as ServerException).$metadata.httpStatusCode).toBe(500);

    emulator.admin.failRequests({ operation: 'ListTaskDefinitions', times: 2 });
    emulator.admin.resetRequests();
    const retrying = client(emulator.accessKeyId, 3);
    await retrying.send(new ListTaskDefinitionsCommand({}));
    retrying.destroy();
    expect(emulator.admin.requests().map((r) => r.operation)).toEqual([
      'ListTaskDefinitions',
      'ListTaskDefinitions',
      'ListTaskDefinitions',
    ]);
  });

  it('answers an injected client error with its own type and leaves other operations alone', async () => {
    emulator.admin.failRequests({ operation: 'UpdateService', errorType: 'AccessDeniedException', message: 'nope' });
    await ecs.send(new ListTaskDefinitionsCommand({}));
    const denied = await failure(ecs.send(new UpdateServiceCommand({ service: 'whatever' })));
    expect(denied.name).toBe('AccessDeniedException');
    expect(denied.message).toBe('nope');
    expect(emulator.admin.faults().apiErrors).toEqual([]);
  });

  it('drops the connection mid-request: the client sees a network error, the next call is served', async () => {
    emulator.admin.dropConnections({ operation: 'DescribeServices' });
    const dropped = await failure(ecs.send(new DescribeServicesCommand({ services: ['x'] })));
    expect(dropped).not.toBeInstanceOf(ECSServiceException);
    expect(`${dropped.name} ${dropped.message}`).toMatch(/socket hang up|ECONNRESET|closed/i);
    const served = await ecs.send(new DescribeServicesCommand({ services: ['x'] }));
    expect(served.failures?.[0]?.reason).toBe('MISSING');
  });

  it('arms faults over the admin HTTP routes only with the admin key', async () => {
    const post = (path: string, body: unknown, key?: string) =>
      fetch(`${emulator.url}/_emulator${path}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...(key ? { 'x-emulator-admin': key } : {}) },
        body: JSON.stringify(body),
      });
    expect((await post('/faults/latency', { ms: 10 })).status).toBe(401);
    expect((await post('/faults/latency', { ms: -1 }, emulator.adminKey)).status).toBe(400);
    expect((await post('/faults/latency', { operation: 'CreateService', ms: 10 }, emulator.adminKey)).status).toBe(204);
    expect((await post('/faults/unhealthy-tasks', { family: 'web-x' }, emulator.adminKey)).status).toBe(204);
    expect(emulator.admin.faults()).toMatchObject({
      latencies: [{ operation: 'CreateService', ms: 10 }],
      unhealthyTasks: [{ family: 'web-x' }],
    });
    const before = emulator.admin.clockAnswer().now;
    const tick = await post('/tick', { seconds: 3600 }, emulator.adminKey);
    expect(tick.status).toBe(200);
    const after = ((await tick.json()) as { now: string }).now;
    expect(Date.parse(after) - Date.parse(before)).toBeGreaterThanOrEqual(3600_000);
  });

  it('delays answers: a caller that gives up sooner than the latency is left without one', async () => {
    emulator.admin.addLatency({ operation: 'ListTaskDefinitions', ms: 5000 });
    const gaveUp = await failure(
      ecs.send(new ListTaskDefinitionsCommand({}), { abortSignal: AbortSignal.timeout(1000) }),
    );
    expect(gaveUp.name).toMatch(/AbortError|TimeoutError/);
    emulator.admin.clearFaults();
    await ecs.send(new DescribeServicesCommand({ services: ['x'] }));
  });
});

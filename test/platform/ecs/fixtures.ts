// A started ECS emulator, an SDK client on it and the stage contexts the ECS provider's contract tests use.
import {
  CreateServiceCommand,
  DescribeServicesCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  type Service,
} from '@aws-sdk/client-ecs';
import { startEcsEmulator, type EcsEmulatorHandle } from '../../../src/ecs-emulator/ecs-emulator.server.js';
import type { AwsConnection } from '../../../src/platform/aws/aws-connection.js';
import type { EcsSpec } from '../../../src/platform/ecs/ecs-spec.js';
import { stageContext, type StageContextOptions, type TestStageContext } from '../../helpers/stage-context.js';

/** The secret key of the test connection: it must never show in a log or an error. */
export const SECRET_ACCESS_KEY = 'ecs-test-secret-7d1f0c';

export const WRITES = ['RegisterTaskDefinition', 'CreateService', 'UpdateService', 'DeleteService'];

export interface EcsCluster {
  emulator: EcsEmulatorHandle;
  ecs: ECSClient;
  connection: AwsConnection;
  context(options?: Omit<StageContextOptions, 'target'>): TestStageContext;
  /** The writes received since the last reset, as `Operation` names. */
  writes(): string[];
  /** A fresh family (`web-N`) with one revision whose container `app` runs `image`; its ARN. */
  family(image?: string): Promise<{ family: string; arn: string }>;
  /** A service on that revision, settled (its first deployment COMPLETED). */
  service(name: string, arn: string, options?: { desiredCount?: number; breaker?: boolean }): Promise<void>;
  live(name: string): Promise<Service | null>;
}

let serial = 0;

export async function startEcsCluster(taskStartSeconds = 600): Promise<EcsCluster> {
  const emulator = await startEcsEmulator({ taskStartSeconds, clusters: ['default', 'prod'] });
  const connection: AwsConnection = {
    region: emulator.region,
    accessKeyId: emulator.accessKeyId,
    secretAccessKey: SECRET_ACCESS_KEY,
    endpoint: emulator.url,
  };
  const ecs = new ECSClient({
    region: emulator.region,
    endpoint: emulator.url,
    credentials: { accessKeyId: emulator.accessKeyId, secretAccessKey: SECRET_ACCESS_KEY },
    maxAttempts: 1,
  });
  return {
    emulator,
    ecs,
    connection,
    context: (options = {}) => stageContext({ ...options, target: { kind: 'ecs', connection } }),
    writes: () => emulator.admin.requests().flatMap((r) => (WRITES.includes(r.operation) ? [r.operation] : [])),
    async family(image = 'registry.example/web:1') {
      const family = `web-${++serial}`;
      const answer = await ecs.send(
        new RegisterTaskDefinitionCommand({
          family,
          cpu: '256',
          memory: '512',
          containerDefinitions: [
            { name: 'app', image, essential: true, environment: [{ name: 'MODE', value: 'live' }] },
            { name: 'proxy', image: 'registry.example/proxy:1' },
          ],
        }),
      );
      return { family, arn: answer.taskDefinition!.taskDefinitionArn! };
    },
    async service(name, arn, options = {}) {
      await ecs.send(
        new CreateServiceCommand({
          cluster: 'prod',
          serviceName: name,
          taskDefinition: arn,
          desiredCount: options.desiredCount ?? 2,
          ...(options.breaker
            ? { deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true } } }
            : {}),
        }),
      );
      emulator.admin.settle();
    },
    async live(name) {
      const answer = await ecs.send(new DescribeServicesCommand({ cluster: 'prod', services: [name] }));
      return answer.services?.[0] ?? null;
    },
  };
}

export function specFor(service: string, family: string, image: string, extra: Partial<EcsSpec> = {}): EcsSpec {
  return { cluster: 'prod', service, taskDefinitionFamily: family, containerName: 'app', image, ...extra };
}

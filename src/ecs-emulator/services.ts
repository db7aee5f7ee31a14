// Clusters and services: CreateService, UpdateService and DescribeServices, and the clock-driven controller that moves
// each service's deployments on (deployment-rules.ts decides how).
import { randomInt, randomUUID } from 'node:crypto';
import {
  isRolling,
  newDeployment,
  startDeployment,
  stepService,
  type Deployment,
  type DeploymentConfiguration,
  type RolloutService,
} from './deployment-rules.js';
import { clusterNotFound, EcsError, invalidParameter, serviceNotFound } from './ecs-error.js';
import {
  isObject,
  optionalArray,
  optionalBoolean,
  optionalEnum,
  optionalInteger,
  optionalObject,
  optionalString,
  optionalTags,
  requiredString,
  type JsonObject,
} from './input.js';
import type { ArnContext, TaskDefinitionRegistry } from './task-definitions.js';

interface ServiceEvent {
  readonly id: string;
  readonly createdAt: Date;
  readonly message: string;
}

interface Service extends RolloutService {
  readonly serviceArn: string;
  readonly clusterArn: string;
  readonly createdAt: Date;
  readonly launchType?: string;
  readonly tags: readonly { key: string; value: string }[];
  events: ServiceEvent[];
  /** Request fields echoed back as sent (networkConfiguration, loadBalancers…). */
  extra: JsonObject;
}

export interface ServiceControllerOptions {
  readonly arns: ArnContext;
  readonly taskDefinitions: TaskDefinitionRegistry;
  readonly now: () => Date;
  /** Simulated seconds from a task's launch to running (or failing). */
  readonly taskStartSeconds: number;
  readonly unhealthy: (taskDefinitionArn: string) => boolean;
}

const NAME = /^[A-Za-z0-9_-]{1,255}$/;
const MAX_EVENTS = 100;
const ECHOED = [
  'networkConfiguration',
  'loadBalancers',
  'serviceRegistries',
  'platformVersion',
  'healthCheckGracePeriodSeconds',
];
const DEFAULT_CONFIGURATION: DeploymentConfiguration = {
  deploymentCircuitBreaker: { enable: false, rollback: false },
  maximumPercent: 200,
  minimumHealthyPercent: 100,
};

/** The name at the end of a name or an ARN (`…:cluster/prod`, `…:service/prod/web`, `…:service/web`). */
const lastSegment = (ref: string) => (ref.startsWith('arn:') ? (ref.split('/').at(-1) ?? '') : ref);

const newDeploymentId = () =>
  `ecs-svc/${String(randomInt(1, 2 ** 47))}${String(randomInt(1_000_000)).padStart(6, '0')}`;

/** deploymentConfiguration of a request over the current one; a half-given circuit breaker is an error, as in ECS. */
export function parseDeploymentConfiguration(
  input: JsonObject,
  current: DeploymentConfiguration = DEFAULT_CONFIGURATION,
): DeploymentConfiguration {
  const given = optionalObject(input, 'deploymentConfiguration');
  if (!given) return current;
  let breaker = current.deploymentCircuitBreaker;
  const breakerInput = optionalObject(given, 'deploymentCircuitBreaker');
  if (breakerInput) {
    const enable = optionalBoolean(breakerInput, 'enable');
    const rollback = optionalBoolean(breakerInput, 'rollback');
    if (enable === undefined || rollback === undefined)
      throw invalidParameter(
        'deploymentConfiguration.deploymentCircuitBreaker needs both enable and rollback (true or false).',
      );
    breaker = { enable, rollback };
  }
  const maximumPercent = optionalInteger(given, 'maximumPercent', 100, 200) ?? current.maximumPercent;
  const minimumHealthyPercent =
    optionalInteger(given, 'minimumHealthyPercent', 0, 100) ?? current.minimumHealthyPercent;
  if (maximumPercent <= minimumHealthyPercent)
    throw invalidParameter(
      'deploymentConfiguration.maximumPercent must be above minimumHealthyPercent, or a deployment can never replace a task.',
    );
  return {
    ...given,
    deploymentCircuitBreaker: breaker,
    maximumPercent,
    minimumHealthyPercent,
  };
}

export class ServiceController {
  private readonly clusters = new Map<string, Map<string, Service>>();

  constructor(private readonly options: ServiceControllerOptions) {}

  createCluster(name: string): string {
    if (!NAME.test(name)) throw new RangeError('a cluster name is 1–255 letters, numbers, hyphens or underscores');
    if (!this.clusters.has(name)) this.clusters.set(name, new Map());
    return this.clusterArn(name);
  }

  create(input: JsonObject): JsonObject {
    const [clusterName, services] = this.cluster(input);
    const serviceName = requiredString(input, 'serviceName');
    if (!NAME.test(serviceName))
      throw invalidParameter('serviceName must be 1–255 letters, numbers, hyphens or underscores.');
    if (services.has(serviceName)) throw invalidParameter('Creation of service was not idempotent.');
    const controller = optionalObject(input, 'deploymentController');
    const controllerType = controller
      ? optionalEnum(controller, 'type', ['ECS', 'CODE_DEPLOY', 'EXTERNAL'] as const)
      : 'ECS';
    if (controllerType !== undefined && controllerType !== 'ECS')
      throw new EcsError(
        'UnsupportedFeatureException',
        `The emulator runs only the rolling (ECS) deployment controller; leave deploymentController out or set type ECS.`,
      );
    const taskDefinition = this.taskDefinition(requiredString(input, 'taskDefinition'));
    const desiredCount = optionalInteger(input, 'desiredCount', 0, 5000) ?? 1;
    const launchType = optionalEnum(input, 'launchType', ['EC2', 'FARGATE', 'EXTERNAL'] as const);
    const deploymentConfiguration = parseDeploymentConfiguration(input);
    const now = this.options.now();
    const extra: JsonObject = {};
    for (const field of ECHOED) if (input[field] !== undefined) extra[field] = input[field];
    optionalArray(input, 'loadBalancers');
    const service: Service = {
      serviceArn: `arn:aws:ecs:${this.options.arns.region}:${this.options.arns.accountId}:service/${clusterName}/${serviceName}`,
      serviceName,
      clusterArn: this.clusterArn(clusterName),
      createdAt: now,
      desiredCount,
      deploymentConfiguration,
      deployments: [],
      events: [],
      tags: optionalTags(input) ?? [],
      extra,
      ...(launchType ? { launchType } : {}),
    };
    startDeployment(service, newDeployment(newDeploymentId(), taskDefinition, desiredCount, now));
    services.set(serviceName, service);
    this.step(service);
    return { service: this.serviceJson(service, true) };
  }

  update(input: JsonObject): JsonObject {
    const [, services] = this.cluster(input);
    const service = services.get(lastSegment(requiredString(input, 'service')));
    if (!service) throw serviceNotFound();
    const ref = optionalString(input, 'taskDefinition');
    const taskDefinition = ref === undefined ? undefined : this.taskDefinition(ref);
    const desiredCount = optionalInteger(input, 'desiredCount', 0, 5000);
    const force = optionalBoolean(input, 'forceNewDeployment') ?? false;
    service.deploymentConfiguration = parseDeploymentConfiguration(input, service.deploymentConfiguration);
    const primary = service.deployments[0]!;
    if (desiredCount !== undefined) service.desiredCount = desiredCount;
    if (force || (taskDefinition !== undefined && taskDefinition !== primary.taskDefinition)) {
      const now = this.options.now();
      startDeployment(
        service,
        newDeployment(newDeploymentId(), taskDefinition ?? primary.taskDefinition, service.desiredCount, now),
      );
    } else primary.desiredCount = service.desiredCount;
    this.step(service);
    return { service: this.serviceJson(service, false) };
  }

  /**
   * DeleteService: a service still scaled above 0 needs `force`. The emulator forgets it at once (ECS keeps it DRAINING,
   * then INACTIVE, for a while): DescribeServices then answers MISSING and the name can be created again.
   */
  delete(input: JsonObject): JsonObject {
    const [, services] = this.cluster(input);
    const name = lastSegment(requiredString(input, 'service'));
    const service = services.get(name);
    if (!service) throw serviceNotFound();
    const force = optionalBoolean(input, 'force') ?? false;
    if (service.desiredCount > 0 && !force)
      throw invalidParameter('The service cannot be stopped while it is scaled above 0.');
    services.delete(name);
    for (const d of service.deployments) d.status = 'INACTIVE';
    return { service: { ...this.serviceJson(service, false), status: 'DRAINING', desiredCount: 0 } };
  }

  describe(input: JsonObject): JsonObject {
    const [, services] = this.cluster(input);
    const refs = optionalArray(input, 'services');
    if (!refs?.length || refs.length > 10 || refs.some((r) => typeof r !== 'string' || r === ''))
      throw invalidParameter('services must list 1 to 10 service names or ARNs.');
    const include = optionalArray(input, 'include') ?? [];
    const found: JsonObject[] = [];
    const failures: JsonObject[] = [];
    for (const ref of refs as string[]) {
      const service = services.get(lastSegment(ref));
      if (service) found.push(this.serviceJson(service, include.includes('TAGS')));
      else
        failures.push({
          arn: ref.startsWith('arn:')
            ? ref
            : `arn:aws:ecs:${this.options.arns.region}:${this.options.arns.accountId}:service/${ref}`,
          reason: 'MISSING',
        });
    }
    return { services: found, failures };
  }

  /** Moves every service's deployments on to the clock's now. */
  sync(): void {
    for (const services of this.clusters.values()) for (const service of services.values()) this.step(service);
  }

  /** Whether some service's primary deployment is still IN_PROGRESS. */
  rolling(): boolean {
    return [...this.clusters.values()].some((services) => [...services.values()].some(isRolling));
  }

  private step(service: Service): void {
    const now = this.options.now();
    const context = {
      now,
      taskStartMs: this.options.taskStartSeconds * 1000,
      unhealthy: this.options.unhealthy,
      newDeploymentId,
      event: (message: string) => {
        service.events.unshift({ id: randomUUID(), createdAt: now, message });
        service.events.length = Math.min(service.events.length, MAX_EVENTS);
      },
    };
    for (let pass = 0; pass < 10 && stepService(service, context); pass++);
  }

  private cluster(input: JsonObject): [string, Map<string, Service>] {
    const name = lastSegment(optionalString(input, 'cluster') ?? 'default');
    const services = this.clusters.get(name);
    if (!services) throw clusterNotFound();
    return [name, services];
  }

  private clusterArn(name: string): string {
    return `arn:aws:ecs:${this.options.arns.region}:${this.options.arns.accountId}:cluster/${name}`;
  }

  private taskDefinition(ref: string): string {
    const found = this.options.taskDefinitions.find(ref);
    if (!found)
      throw invalidParameter(`TaskDefinition not found: ${ref}; register it first or name an existing revision.`);
    return found.taskDefinitionArn;
  }

  private serviceJson(service: Service, withTags: boolean): JsonObject {
    const seconds = (date: Date) => date.getTime() / 1000;
    const launchType = service.launchType ? { launchType: service.launchType } : {};
    const deploymentJson = (d: Deployment): JsonObject => ({
      id: d.id,
      status: d.status,
      taskDefinition: d.taskDefinition,
      desiredCount: d.desiredCount,
      pendingCount: d.pendingTasks.length,
      runningCount: d.runningCount,
      failedTasks: d.failedTasks,
      createdAt: seconds(d.createdAt),
      updatedAt: seconds(d.updatedAt),
      ...launchType,
      ...(isObject(service.extra.networkConfiguration)
        ? { networkConfiguration: service.extra.networkConfiguration }
        : {}),
      rolloutState: d.rolloutState,
      rolloutStateReason: d.rolloutStateReason,
    });
    return {
      serviceArn: service.serviceArn,
      serviceName: service.serviceName,
      clusterArn: service.clusterArn,
      loadBalancers: [],
      serviceRegistries: [],
      ...service.extra,
      status: 'ACTIVE',
      desiredCount: service.desiredCount,
      runningCount: service.deployments.reduce((n, d) => n + d.runningCount, 0),
      pendingCount: service.deployments.reduce((n, d) => n + d.pendingTasks.length, 0),
      ...launchType,
      taskDefinition: service.deployments[0]!.taskDefinition,
      deploymentConfiguration: service.deploymentConfiguration,
      deployments: service.deployments.map(deploymentJson),
      events: service.events.map((e) => ({ id: e.id, createdAt: seconds(e.createdAt), message: e.message })),
      createdAt: seconds(service.createdAt),
      createdBy: `arn:aws:iam::${this.options.arns.accountId}:root`,
      placementConstraints: [],
      placementStrategy: [],
      schedulingStrategy: 'REPLICA',
      deploymentController: { type: 'ECS' },
      enableECSManagedTags: false,
      propagateTags: 'NONE',
      enableExecuteCommand: false,
      ...(withTags ? { tags: service.tags } : {}),
    };
  }
}

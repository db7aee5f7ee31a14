// The ECS operations the emulator serves, by the name after `AmazonEC2ContainerServiceV20141113.` in X-Amz-Target.
import { clientException, invalidParameter } from './ecs-error.js';
import { optionalArray, requiredString, type JsonObject } from './input.js';
import type { ServiceController } from './services.js';
import { taskDefinitionJson, type TaskDefinitionRegistry } from './task-definitions.js';

export const TARGET_PREFIX = 'AmazonEC2ContainerServiceV20141113.';

export type Operation = (input: JsonObject) => JsonObject;

export function operations(
  taskDefinitions: TaskDefinitionRegistry,
  services: ServiceController,
): ReadonlyMap<string, Operation> {
  return new Map<string, Operation>([
    [
      'RegisterTaskDefinition',
      (input) => {
        const definition = taskDefinitions.register(input);
        return { taskDefinition: taskDefinitionJson(definition), tags: definition.tags };
      },
    ],
    [
      'DescribeTaskDefinition',
      (input) => {
        const definition = taskDefinitions.find(requiredString(input, 'taskDefinition'));
        if (!definition) throw clientException('Unable to describe task definition.');
        const include = optionalArray(input, 'include') ?? [];
        if (include.some((i) => i !== 'TAGS')) throw invalidParameter('include may only list "TAGS".');
        return {
          taskDefinition: taskDefinitionJson(definition),
          ...(include.includes('TAGS') ? { tags: definition.tags } : {}),
        };
      },
    ],
    ['ListTaskDefinitions', (input) => taskDefinitions.list(input)],
    ['CreateService', (input) => services.create(input)],
    ['UpdateService', (input) => services.update(input)],
    ['DescribeServices', (input) => services.describe(input)],
    ['DeleteService', (input) => services.delete(input)],
  ]);
}

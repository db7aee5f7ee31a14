// Task definitions by family and revision: RegisterTaskDefinition, DescribeTaskDefinition and ListTaskDefinitions.
import { clientException, invalidParameter } from './ecs-error.js';
import {
  isObject,
  optionalArray,
  optionalEnum,
  optionalInteger,
  optionalString,
  optionalTags,
  requiredString,
  type JsonObject,
} from './input.js';

export interface TaskDefinition {
  readonly taskDefinitionArn: string;
  readonly family: string;
  readonly revision: number;
  readonly status: 'ACTIVE' | 'INACTIVE' | 'DELETE_IN_PROGRESS';
  readonly containerDefinitions: readonly JsonObject[];
  readonly compatibilities: readonly string[];
  readonly registeredAt: Date;
  readonly registeredBy: string;
  /** The other fields of the request (cpu, memory, networkMode, roles…), echoed back as sent. */
  readonly extra: JsonObject;
  readonly tags: readonly { key: string; value: string }[];
}

export interface ArnContext {
  readonly region: string;
  readonly accountId: string;
}

const FAMILY = /^[A-Za-z0-9_-]{1,255}$/;
const STATUSES = ['ACTIVE', 'INACTIVE', 'DELETE_IN_PROGRESS'] as const;
/** Fields of RegisterTaskDefinition echoed into the task definition. */
const ECHOED = [
  'taskRoleArn',
  'executionRoleArn',
  'networkMode',
  'volumes',
  'placementConstraints',
  'requiresCompatibilities',
  'cpu',
  'memory',
  'pidMode',
  'ipcMode',
  'runtimePlatform',
  'ephemeralStorage',
];

/** `family`, `family:revision` or a task definition ARN, split into family and (when given) revision. */
export function parseTaskDefinitionRef(ref: string): { family: string; revision?: number } | undefined {
  const name = ref.startsWith('arn:') ? /:task-definition\/(.+)$/.exec(ref)?.[1] : ref;
  if (name === undefined) return undefined;
  const match = /^([A-Za-z0-9_-]{1,255})(?::(\d+))?$/.exec(name);
  if (!match) return undefined;
  return match[2] === undefined ? { family: match[1]! } : { family: match[1]!, revision: Number(match[2]) };
}

export function encodeToken(offset: number): string {
  return Buffer.from(JSON.stringify({ offset }), 'utf8').toString('base64');
}

export function decodeToken(token: string | undefined): number {
  if (token === undefined) return 0;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
    if (isObject(parsed) && typeof parsed.offset === 'number' && Number.isInteger(parsed.offset) && parsed.offset >= 0)
      return parsed.offset;
  } catch {
    // answered below
  }
  throw invalidParameter('nextToken is not one this service returned; send the nextToken of the previous page.');
}

export class TaskDefinitionRegistry {
  private readonly families = new Map<string, TaskDefinition[]>();

  constructor(
    private readonly arns: ArnContext,
    private readonly now: () => Date,
  ) {}

  register(input: JsonObject): TaskDefinition {
    const family = requiredString(input, 'family');
    if (!FAMILY.test(family))
      throw clientException(
        'family must be 1–255 letters, numbers, hyphens or underscores; rename the family and register again.',
      );
    const containers = optionalArray(input, 'containerDefinitions');
    if (!containers?.length)
      throw clientException('containerDefinitions is required; send at least one container with a name and image.');
    containers.forEach((container, i) => {
      if (!isObject(container) || typeof container.name !== 'string' || container.name === '')
        throw clientException(`containerDefinitions[${i}].name is required; give each container a name.`);
      if (typeof container.image !== 'string' || container.image === '')
        throw clientException(`containerDefinitions[${i}].image is required; give each container an image.`);
    });
    optionalString(input, 'cpu');
    optionalString(input, 'memory');
    const tags = optionalTags(input) ?? [];
    const revisions = this.families.get(family) ?? [];
    const revision = revisions.length + 1;
    const extra: JsonObject = {};
    for (const field of ECHOED) if (input[field] !== undefined) extra[field] = input[field];
    const requires = Array.isArray(input.requiresCompatibilities) ? (input.requiresCompatibilities as unknown[]) : [];
    const definition: TaskDefinition = {
      taskDefinitionArn: `arn:aws:ecs:${this.arns.region}:${this.arns.accountId}:task-definition/${family}:${revision}`,
      family,
      revision,
      status: 'ACTIVE',
      containerDefinitions: containers as JsonObject[],
      compatibilities: requires.includes('FARGATE') ? ['EC2', 'FARGATE'] : ['EC2'],
      registeredAt: this.now(),
      registeredBy: `arn:aws:iam::${this.arns.accountId}:root`,
      extra,
      tags,
    };
    revisions.push(definition);
    this.families.set(family, revisions);
    return definition;
  }

  /** The task definition a reference names; a bare family is its latest ACTIVE revision. */
  find(ref: string): TaskDefinition | undefined {
    const parsed = parseTaskDefinitionRef(ref);
    if (!parsed) return undefined;
    const revisions = this.families.get(parsed.family) ?? [];
    if (parsed.revision !== undefined) return revisions[parsed.revision - 1];
    return revisions.filter((d) => d.status === 'ACTIVE').at(-1);
  }

  list(input: JsonObject): { taskDefinitionArns: string[]; nextToken?: string } {
    const familyPrefix = optionalString(input, 'familyPrefix');
    const status = optionalEnum(input, 'status', STATUSES) ?? 'ACTIVE';
    const sort = optionalEnum(input, 'sort', ['ASC', 'DESC'] as const) ?? 'ASC';
    const maxResults = optionalInteger(input, 'maxResults', 1, 100) ?? 100;
    const offset = decodeToken(optionalString(input, 'nextToken'));
    const matching = [...this.families.keys()]
      .filter((family) => familyPrefix === undefined || family.startsWith(familyPrefix))
      .sort()
      .flatMap((family) => this.families.get(family)!.filter((d) => d.status === status))
      .map((d) => d.taskDefinitionArn);
    if (sort === 'DESC') matching.reverse();
    const page = matching.slice(offset, offset + maxResults);
    const next = offset + maxResults;
    return next < matching.length
      ? { taskDefinitionArns: page, nextToken: encodeToken(next) }
      : { taskDefinitionArns: page };
  }
}

/** The task definition as the API answers it. */
export function taskDefinitionJson(definition: TaskDefinition): JsonObject {
  return {
    taskDefinitionArn: definition.taskDefinitionArn,
    family: definition.family,
    revision: definition.revision,
    status: definition.status,
    containerDefinitions: definition.containerDefinitions,
    compatibilities: definition.compatibilities,
    requiresAttributes: [],
    volumes: [],
    placementConstraints: [],
    ...definition.extra,
    registeredAt: definition.registeredAt.getTime() / 1000,
    registeredBy: definition.registeredBy,
  };
}

import { z } from 'zod';
import { BadRequestError } from '../../common/errors.js';
import { parseInput } from '../../common/validation.js';

/** An ECS name (cluster, service, family, container): 1–255 letters, digits, hyphens or underscores. */
const ECS_NAME = /^[A-Za-z0-9_-]{1,255}$/;
/** A value still holding an expression (`<+artifact.image>`): checked once the engine has resolved it. */
const EXPRESSION = /<\+[^>]*>/;

const name = (what: string) =>
  z
    .string()
    .trim()
    .min(1)
    .refine(
      (value) => EXPRESSION.test(value) || ECS_NAME.test(value),
      `must be an ECS ${what} name (1–255 letters, digits, - or _)`,
    );

/** A whole number, or a string holding one (or an expression that resolves to one). */
const count = z.union([
  z.number().int().min(0).max(5000),
  z
    .string()
    .trim()
    .refine((value) => EXPRESSION.test(value) || /^\d{1,4}$/.test(value), 'must be a whole number from 0 to 5000'),
]);

const Spec = z.strictObject({
  cluster: name('cluster'),
  service: name('service'),
  taskDefinitionFamily: name('task definition family'),
  containerName: name('container'),
  image: z.string().trim().min(1).max(1024),
  desiredCount: count.optional(),
  deploymentCircuitBreaker: z.strictObject({ enable: z.boolean(), rollback: z.boolean() }).optional(),
  launchType: z.enum(['FARGATE', 'EC2']).optional(),
  networkConfiguration: z
    .strictObject({
      awsvpcConfiguration: z.strictObject({
        subnets: z.array(z.string().trim().min(1)).min(1).max(16),
        securityGroups: z.array(z.string().trim().min(1)).max(5).optional(),
        assignPublicIp: z.enum(['ENABLED', 'DISABLED']).optional(),
      }),
    })
    .optional(),
});

/**
 * An `ecs` stage: which service of which cluster runs which container of which task definition family, and the image
 * that container gets. `desiredCount` (absent: the service keeps its own; 1 for a service the stage creates) and
 * `deploymentCircuitBreaker` are sent with the update; `launchType` and `networkConfiguration` only when the stage
 * creates the service.
 */
export interface EcsSpec {
  cluster: string;
  service: string;
  taskDefinitionFamily: string;
  containerName: string;
  image: string;
  desiredCount?: number | string;
  deploymentCircuitBreaker?: { enable: boolean; rollback: boolean };
  launchType?: 'FARGATE' | 'EC2';
  networkConfiguration?: {
    awsvpcConfiguration: { subnets: string[]; securityGroups?: string[]; assignPublicIp?: 'ENABLED' | 'DISABLED' };
  };
}

/** Pure: a 400 naming the field, or the spec with whole-number strings turned into numbers (expressions kept). */
export function parseEcsSpec(input: unknown): EcsSpec {
  const spec = parseInput(Spec, input, 'ecs spec');
  const { desiredCount, ...rest } = spec;
  if (desiredCount === undefined) return rest;
  const asNumber = typeof desiredCount === 'string' && /^\d+$/.test(desiredCount) ? Number(desiredCount) : desiredCount;
  if (typeof asNumber === 'number' && asNumber > 5000)
    throw new BadRequestError('Invalid ecs spec: desiredCount: must be a whole number from 0 to 5000.', {
      fields: [{ field: 'desiredCount', problem: 'must be a whole number from 0 to 5000' }],
    });
  return { ...rest, desiredCount: asNumber };
}

/** The names a resolved spec holds must be real ECS names by now (an expression that resolved to nothing is not). */
export function unresolvedField(spec: EcsSpec): string | null {
  for (const field of ['cluster', 'service', 'taskDefinitionFamily', 'containerName'] as const)
    if (!ECS_NAME.test(spec[field])) return field;
  if (EXPRESSION.test(spec.image)) return 'image';
  if (typeof spec.desiredCount === 'string') return 'desiredCount';
  return null;
}

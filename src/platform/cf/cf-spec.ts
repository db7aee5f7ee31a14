import { z } from 'zod';
import { parseInput } from '../../common/validation.js';

export const CF_STRATEGIES = ['rolling', 'canary'] as const;
export type CfStrategy = (typeof CF_STRATEGIES)[number];

/**
 * A `cf` stage (docs/cf-provider.md): the app in an org and space, the package from the package store pushed to it as
 * a bits package, and how CF rolls the new droplet out. A `canary` deployment is continued by the stage itself at
 * each pause, once the pause is reached (CF pauses only after the canary instances passed their health check).
 */
export interface CfSpec {
  org: string;
  space: string;
  app: string;
  /** A package name in the package store (a release pins its version). */
  package: string;
  /** The package version outside a release (may be an expression until resolved); a release's pin wins. */
  version: string | null;
  strategy: CfStrategy;
  /** CF's `options.max_in_flight`: new instances started at once. */
  maxInFlight: number;
  /** Canary steps as instance weights (percent, ascending); absent: CF's one step of one instance. */
  canarySteps: number[] | null;
}

const Name = z.string().trim().min(1, 'is required').max(255);

const Spec = z
  .strictObject({
    org: Name,
    space: Name,
    app: Name,
    package: Name,
    version: z.string().trim().min(1, 'must not be empty (leave it out inside a release)').max(200).optional(),
    strategy: z.enum(CF_STRATEGIES).default('rolling'),
    maxInFlight: z.number().int().min(1).max(1000).default(1),
    canary: z
      .strictObject({
        steps: z
          .array(z.strictObject({ instanceWeight: z.number().int().min(1).max(100) }))
          .min(1, 'must list at least one step {instanceWeight}')
          .max(20)
          .refine((steps) => steps.every((s, i) => i === 0 || s.instanceWeight >= steps[i - 1]!.instanceWeight), {
            error: 'instanceWeight values must be in ascending order',
          }),
      })
      .optional(),
  })
  .refine((spec) => spec.canary === undefined || spec.strategy === 'canary', {
    error: "is only valid with strategy 'canary'",
    path: ['canary'],
  });

/** A stage spec from a pipeline definition: a 400 naming the field when it does not fit. */
export function parseCfSpec(input: unknown): CfSpec {
  const spec = parseInput(Spec, input, 'cf stage spec');
  return {
    org: spec.org,
    space: spec.space,
    app: spec.app,
    package: spec.package,
    version: spec.version ?? null,
    strategy: spec.strategy,
    maxInFlight: spec.maxInFlight,
    canarySteps: spec.canary ? spec.canary.steps.map((s) => s.instanceWeight) : null,
  };
}

import { z } from 'zod';
import { parseInput } from '../../common/validation.js';

/** How a stage replaces instances: one instance refresh (`basic`), or terminations phase by phase (`canary`). */
export type AsgStrategy = 'basic' | 'canary';

/**
 * An `asg` stage (docs/asg-provider.md). Deploying puts `amiId` in a new version of `launchTemplate`, points the group
 * at it and replaces the instances; the group itself must exist (Backtrack does not create groups).
 */
export interface AsgSpec {
  autoScalingGroupName: string;
  /** The launch template by name, or by id (`lt-…`). */
  launchTemplate: string;
  /** The AMI the new launch template version runs (`<+artifact.image>` resolves to it). */
  amiId: string;
  strategy: AsgStrategy;
  /** Canary: cumulative percentages of the instances to replace, increasing, the last 100 (basic: [100]). */
  phases: number[];
  /** Basic: the instance refresh's MinHealthyPercentage (default 90). */
  minHealthyPercentage: number;
  /** Canary: how long one phase's replacements may take to be InService before the stage fails (default 900). */
  phaseTimeoutSeconds: number;
}

const EXPRESSION = /<\+[^>]+>/;
const resolvable = (pattern: RegExp, what: string) =>
  z
    .string()
    .trim()
    .min(1)
    .refine((value) => pattern.test(value) || EXPRESSION.test(value), `must be ${what} (or an expression)`);

const Spec = z
  .strictObject({
    autoScalingGroupName: z
      .string()
      .trim()
      .min(1)
      .max(255)
      .regex(/^[^:]+$/, 'must be a group name (no ":")'),
    launchTemplate: z
      .string()
      .trim()
      .min(3)
      .max(128)
      .regex(/^[\w().\-/]+$/, 'must be a launch template name or id (lt-…)'),
    amiId: resolvable(/^ami-[0-9a-f]{8,17}$/, 'an AMI id such as "ami-0123456789abcdef0"'),
    strategy: z.enum(['basic', 'canary']).default('basic'),
    phases: z.array(z.number().gt(0).max(100)).min(1).max(20).optional(),
    minHealthyPercentage: z.number().int().min(0).max(100).default(90),
    phaseTimeoutSeconds: z.number().int().min(30).max(86_400).default(900),
  })
  .superRefine((spec, ctx) => {
    if (spec.strategy === 'canary' && !spec.phases)
      ctx.addIssue({ code: 'custom', path: ['phases'], message: 'is required for strategy "canary"' });
    if (spec.strategy === 'basic' && spec.phases)
      ctx.addIssue({ code: 'custom', path: ['phases'], message: 'is only for strategy "canary"' });
    const phases = spec.phases ?? [];
    if (phases.some((p, i) => i > 0 && p <= phases[i - 1]!))
      ctx.addIssue({ code: 'custom', path: ['phases'], message: 'must increase from one phase to the next' });
    if (phases.length && phases[phases.length - 1] !== 100)
      ctx.addIssue({ code: 'custom', path: ['phases'], message: 'must end with 100 (every instance replaced)' });
  });

/** An `asg` stage spec: a 400 naming the field when it does not fit. Pure: expressions stay as they are. */
export function parseAsgSpec(input: unknown): AsgSpec {
  const spec = parseInput(Spec, input, 'asg spec');
  return {
    autoScalingGroupName: spec.autoScalingGroupName,
    launchTemplate: spec.launchTemplate,
    amiId: spec.amiId,
    strategy: spec.strategy,
    phases: spec.phases ?? [100],
    minHealthyPercentage: spec.minHealthyPercentage,
    phaseTimeoutSeconds: spec.phaseTimeoutSeconds,
  };
}

/** The launch template as the APIs take it: by id when it looks like one, else by name. */
export function templateRef(launchTemplate: string): { LaunchTemplateId: string } | { LaunchTemplateName: string } {
  return /^lt-[0-9a-f]+$/.test(launchTemplate)
    ? { LaunchTemplateId: launchTemplate }
    : { LaunchTemplateName: launchTemplate };
}

import { z } from 'zod';
import { BadRequestError } from '../../common/errors.js';
import { parseInput } from '../../common/validation.js';

export const STEP_PHASES = ['preDeploy', 'deploy', 'postDeploy'] as const;
export type StepPhase = (typeof STEP_PHASES)[number];

/** One script of an SSH stage, run on every host with the staged release folder as its working directory. */
export interface SshStep {
  name: string;
  phase: StepPhase;
  run: string;
  /** Not run when a release is redeployed as a rollback (a database migration). */
  skipOnRollback: boolean;
  /** Run only when rolling back (a cache flush, a notification). */
  rollbackOnly: boolean;
}

export type SshVerify = { run: string } | { http: { url: string; expectStatus: number; timeoutSeconds: number } };

/** An SSH stage (docs/ssh-releases.md): the package of the release, where it goes, its scripts and its check. */
export interface SshSpec {
  /** A package name the release pins. */
  package: string;
  /** Absolute folder on every host: `releases/<release>/`, `current` and `.backtrack/` live in it. */
  installDir: string;
  /** A host whose journal holds this release's package intact is not sent the package again (nor its scripts run). */
  skipIfAlreadyInstalled: boolean;
  commandTimeoutSeconds: number;
  steps: SshStep[];
  verify: SshVerify | null;
}

const Script = z
  .string()
  .trim()
  .min(1, 'is an empty command')
  .max(10_000)
  .refine((s) => !s.includes('\0'), 'holds a NUL character');

const Step = z
  .strictObject({
    name: z.string().trim().min(1).max(100),
    phase: z.enum(STEP_PHASES).default('deploy'),
    run: Script,
    skipOnRollback: z.boolean().default(false),
    rollbackOnly: z.boolean().default(false),
  })
  .refine((s) => !(s.skipOnRollback && s.rollbackOnly), {
    error: 'cannot be both skipOnRollback and rollbackOnly (it would never run)',
  });

const Verify = z.union([
  z.strictObject({ run: Script }),
  z.strictObject({
    http: z.strictObject({
      url: z
        .string()
        .trim()
        .refine((u) => /^http:\/\/[^/\s]+/i.test(u) && URL.canParse(u), 'must be an http:// URL as seen from the host'),
      expectStatus: z.number().int().min(100).max(599).default(200),
      timeoutSeconds: z.number().int().min(1).max(600).default(10),
    }),
  }),
]);

const Spec = z.strictObject({
  package: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'must be a package name (letters, digits, ".", "_" or "-")'),
  installDir: z
    .string()
    .trim()
    .regex(/^\/[A-Za-z0-9._/-]*$/, 'must be an absolute path of letters, digits, ".", "_", "-" and "/"')
    .refine((p) => !p.split('/').includes('..'), 'must not hold ".."')
    .refine((p) => p.replace(/\/+$/, '') !== '', 'must not be "/"'),
  skipIfAlreadyInstalled: z.boolean().default(false),
  commandTimeoutSeconds: z.number().int().min(1).max(86_400).default(300),
  steps: z.array(Step).max(50).default([]),
  verify: Verify.nullable().default(null),
});

/** An SSH stage spec (its expressions resolved or not): a 400 naming the field when it cannot be used. */
export function parseSshSpec(input: unknown): SshSpec {
  const spec = parseInput(Spec, input, 'ssh stage spec');
  const names = new Set<string>();
  for (const [i, step] of spec.steps.entries()) {
    const key = step.name.toLowerCase();
    if (names.has(key))
      throw new BadRequestError(
        `Invalid ssh stage spec: steps.${i}.name: "${step.name}" names two steps; give each step its own name.`,
      );
    names.add(key);
  }
  return { ...spec, installDir: spec.installDir.replace(/\/+$/, '') };
}

/**
 * What a run on a host does: `deploy` a release; `rollback`, deploy one as a rollback (Octopus's redeploy of the
 * previous release, or a rollback whose previous folder is gone); `switch-back`, point `current` at a retained folder.
 */
export type RunMode = 'deploy' | 'rollback' | 'switch-back';

/**
 * The steps a run executes, in phase order (preDeploy, deploy, postDeploy) and, within a phase, as listed: a
 * deployment skips `rollbackOnly` steps; a rollback skips `skipOnRollback` ones; a switch back runs the `rollbackOnly`
 * steps alone (no extraction, no other script).
 */
export function stepsFor(steps: SshStep[], mode: RunMode): SshStep[] {
  const wanted = steps.filter((s) => {
    if (mode === 'deploy') return !s.rollbackOnly;
    if (mode === 'switch-back') return s.rollbackOnly;
    return !s.skipOnRollback;
  });
  return STEP_PHASES.flatMap((phase) => wanted.filter((s) => s.phase === phase));
}

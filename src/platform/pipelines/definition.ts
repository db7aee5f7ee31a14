import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { BadRequestError } from '../../common/errors.js';
import { parseInput } from '../../common/validation.js';
import type { InfrastructureKind } from '../infrastructures/infrastructure-connection.js';
import { PlatformName } from '../platform-input.js';

/**
 * A pipeline definition as stored in `pipeline_versions.definition` (ADR 0014): ordered stages, each deploying one
 * service to one infrastructure with a kind-specific spec. Names are resolved to ids when a version is saved; specs
 * and rollback steps keep their `<+…>` expressions until the stage runs.
 */
export interface PipelineDefinition {
  variables: Record<string, string>;
  stages: StageDefinition[];
}

export interface StageDefinition {
  /** Unique in the pipeline; `<+stages.NAME.output.KEY>` refers to it. */
  name: string;
  kind: InfrastructureKind;
  serviceId: string;
  infrastructureId: string;
  /** `fail` (default): a failed stage fails the execution; `ignore`: it does not. */
  failureStrategy: 'fail' | 'ignore';
  /** How long the engine waits for the stage to become steady (default 600). */
  progressDeadlineSeconds: number;
  spec: Record<string, unknown>;
  rollbackSteps: Record<string, unknown>[];
}

export const DEFAULT_PROGRESS_DEADLINE_SECONDS = 600;

const StageInput = z.strictObject({
  name: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,63}$/, 'must be 1 to 63 letters, digits, "-" or "_" (expressions refer to it)'),
  service: z.string().trim().min(1, 'names a service (its name or id)'),
  infrastructure: z.string().trim().min(1, 'names an infrastructure (its name or id)'),
  failureStrategy: z.enum(['fail', 'ignore']).default('fail'),
  progressDeadlineSeconds: z.number().int().min(1).max(86_400).default(DEFAULT_PROGRESS_DEADLINE_SECONDS),
  spec: z.record(z.string(), z.unknown()),
  rollbackSteps: z.array(z.record(z.string(), z.unknown())).max(20).default([]),
});
const DefinitionInput = z.strictObject({
  variables: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string().max(10_000)).default({}),
  stages: z.array(StageInput).min(1, 'a pipeline needs at least one stage').max(50),
});
export type DefinitionInput = z.infer<typeof DefinitionInput>;
export type StageInput = z.infer<typeof StageInput>;

/**
 * A definition as a person sends it: an object, or a YAML or JSON string. A 400 names the field (`stages.1.name`)
 * or the YAML line that cannot be read. Stage names must be unique.
 */
export function parseDefinitionInput(input: unknown): DefinitionInput {
  const raw = typeof input === 'string' ? readYaml(input) : input;
  const definition = parseInput(DefinitionInput, raw, 'definition');
  const seen = new Set<string>();
  for (const stage of definition.stages) {
    const key = stage.name.toLowerCase();
    if (seen.has(key))
      throw new BadRequestError(`Invalid definition: two stages are named "${stage.name}"; stage names must differ.`);
    seen.add(key);
  }
  return definition;
}

/** A YAML (or JSON, which is YAML) document; a syntax error is a 400 with its line, never the text around it. */
export function readYaml(text: string): unknown {
  try {
    return parseYaml(text, { maxAliasCount: 100 });
  } catch (error) {
    const line = (error as { linePos?: { line: number; col: number }[] }).linePos?.[0];
    const where = line ? ` (line ${line.line}, column ${line.col})` : '';
    throw new BadRequestError(`The definition cannot be read as YAML or JSON${where}; fix its syntax.`);
  }
}

/** `POST /api/pipelines` as JSON `{name, definition}`, or as a YAML document `{name, variables?, stages}`. */
export const CreatePipelineBody = z.strictObject({
  name: PlatformName,
  definition: z.union([z.string().min(1), z.record(z.string(), z.unknown())]),
});
export const UpdatePipelineBody = z.strictObject({
  name: PlatformName.optional(),
  definition: z.union([z.string().min(1), z.record(z.string(), z.unknown())]),
});

/** A YAML request body holds the name beside the definition: `{name, variables, stages}` becomes `{name, definition}`. */
export function pipelineBody(body: unknown): unknown {
  const document = typeof body === 'string' ? readYaml(body) : body;
  if (typeof body !== 'string' || document === null || typeof document !== 'object' || Array.isArray(document))
    return document;
  const { name, ...definition } = document as Record<string, unknown>;
  return { ...(name !== undefined ? { name } : {}), definition };
}

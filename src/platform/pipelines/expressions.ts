import { BadRequestError } from '../../common/errors.js';

/**
 * What `<+…>` expressions of one stage resolve against (docs/platform-api.md). Only what is known when the stage
 * runs: the artifact given for its service, the names around it, the execution's variables and the outputs of the
 * stages that completed before it.
 */
export interface ExpressionScope {
  /** The artifact given for the stage's service (`<+artifact.image>`), null when none was given. */
  artifact: string | null;
  service: string | null;
  infrastructure: string;
  environment: string;
  pipeline: string;
  variables: Record<string, string>;
  executionId: string;
  /** Outputs of the stages that completed before this one, by stage name. */
  stages: Record<string, Record<string, unknown>>;
}

/** An expression that is unknown, or has no value yet: the sentence names it. A 400 when it reaches the API. */
export class ExpressionError extends BadRequestError {
  constructor(
    readonly expression: string,
    why: string,
  ) {
    super(`${expression} ${why}`);
  }
}

const EXPRESSION = /<\+([^<>]*)>/g;
const WHOLE = /^<\+([^<>]*)>$/;

/**
 * The value with every `<+…>` in its strings (nested in objects and arrays, keys left alone) replaced from `scope`.
 * A string that is exactly one expression takes the value as it is (an output that is a number stays a number);
 * an expression inside a longer string is replaced by its text. Throws ExpressionError naming the first expression
 * that is unknown or not available.
 */
export function resolveExpressions<T>(value: T, scope: ExpressionScope): T {
  return walk(value, (text) => {
    const whole = WHOLE.exec(text);
    if (whole) return lookup(whole[1]!, scope);
    return text.replace(EXPRESSION, (_match, name: string) => asText(lookup(name, scope)));
  }) as T;
}

/** The expressions the value's strings use, without `<+` and `>` (e.g. `artifact.image`), each once, in order. */
export function expressionsIn(value: unknown): string[] {
  const found = new Set<string>();
  walk(value, (text) => {
    for (const match of text.matchAll(EXPRESSION)) found.add(match[1]!.trim());
    return text;
  });
  return [...found];
}

function walk(value: unknown, onString: (text: string) => unknown): unknown {
  if (typeof value === 'string') return onString(value);
  if (Array.isArray(value)) return value.map((item) => walk(item, onString));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, walk(item, onString)]));
  }
  return value;
}

function lookup(raw: string, scope: ExpressionScope): unknown {
  const name = raw.trim();
  const expression = `<+${name}>`;
  const simple: Record<string, () => unknown> = {
    'artifact.image': () =>
      scope.artifact ??
      missing(
        expression,
        `has no value: no artifact was given for service "${scope.service ?? '(none)'}"; send artifacts: {"${scope.service ?? 'SERVICE'}": "image:tag"}.`,
      ),
    'service.name': () => scope.service ?? missing(expression, 'has no value: this stage deploys no service.'),
    'infrastructure.name': () => scope.infrastructure,
    'environment.name': () => scope.environment,
    'pipeline.name': () => scope.pipeline,
    'execution.id': () => scope.executionId,
  };
  const direct = simple[name];
  if (direct) return direct();
  const variable = /^pipeline\.variables\.([^.]+)$/.exec(name);
  if (variable) {
    const key = variable[1]!;
    if (Object.hasOwn(scope.variables, key)) return scope.variables[key];
    const known = Object.keys(scope.variables);
    return missing(
      expression,
      `names a variable the execution does not have (${known.length ? `it has ${known.join(', ')}` : 'it has none'}); declare it in the pipeline's variables or send it in variables.`,
    );
  }
  const output = /^stages\.([^.]+)\.output\.(.+)$/.exec(name);
  if (output) {
    const [, stage, key] = output as unknown as [string, string, string];
    const outputs = scope.stages[stage];
    if (!outputs)
      return missing(
        expression,
        `has no value: stage "${stage}" did not complete before this stage (or does not exist).`,
      );
    if (!Object.hasOwn(outputs, key)) {
      const keys = Object.keys(outputs);
      return missing(
        expression,
        `has no value: stage "${stage}" has no output "${key}" (${keys.length ? `its outputs: ${keys.join(', ')}` : 'it has no outputs'}).`,
      );
    }
    return outputs[key];
  }
  return missing(
    expression,
    'is not a known expression; use <+artifact.image>, <+service.name>, <+infrastructure.name>, <+environment.name>, ' +
      '<+pipeline.name>, <+pipeline.variables.NAME>, <+execution.id> or <+stages.NAME.output.KEY>.',
  );
}

function missing(expression: string, why: string): never {
  throw new ExpressionError(expression, why);
}

function asText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value);
}

import { z } from 'zod';
import { BadRequestError } from './errors.js';

/** Parses a request body (or query) with a zod schema; a mismatch is a 400 naming every field and what it expects. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what = 'request body'): z.infer<S> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  const fields = result.error.issues.map((issue) => ({
    field: issue.path.length ? issue.path.join('.') : '(root)',
    problem: describe(issue),
  }));
  const summary = fields.map((f) => `${f.field}: ${f.problem}`).join('; ');
  throw new BadRequestError(`Invalid ${what}: ${summary}.`, { fields });
}

function describe(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type' && issue.message.includes('received undefined')) return 'is required';
  if (issue.code === 'invalid_value') return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
  if (issue.code === 'unrecognized_keys') return `unknown field(s) ${issue.keys.join(', ')}`;
  if (issue.code === 'invalid_union' && 'note' in issue && issue.note === 'No matching discriminator') {
    return 'has an unknown type';
  }
  return issue.message.charAt(0).toLowerCase() + issue.message.slice(1);
}

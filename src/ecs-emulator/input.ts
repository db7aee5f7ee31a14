// Reading a request body field by field: a wrong field is an InvalidParameterException whose message names it.
import { invalidParameter } from './ecs-error.js';

export type JsonObject = Record<string, unknown>;

export const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export function optionalString(input: JsonObject, field: string): string | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value === '')
    throw invalidParameter(`${field} must be a non-empty string; send it as text or leave it out.`);
  return value;
}

export function requiredString(input: JsonObject, field: string): string {
  const value = optionalString(input, field);
  if (value === undefined) throw invalidParameter(`${field} is required; send it as a non-empty string.`);
  return value;
}

export function optionalInteger(input: JsonObject, field: string, min: number, max: number): number | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
    throw invalidParameter(`${field} must be a whole number from ${min} to ${max}.`);
  return value;
}

export function optionalBoolean(input: JsonObject, field: string): boolean | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw invalidParameter(`${field} must be true or false.`);
  return value;
}

export function optionalObject(input: JsonObject, field: string): JsonObject | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw invalidParameter(`${field} must be a JSON object.`);
  return value;
}

export function optionalArray(input: JsonObject, field: string): unknown[] | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw invalidParameter(`${field} must be a JSON array.`);
  return value as unknown[];
}

export function optionalEnum<T extends string>(input: JsonObject, field: string, allowed: readonly T[]): T | undefined {
  const value = optionalString(input, field);
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value))
    throw invalidParameter(`${field} must be one of ${allowed.join(', ')}; got "${value}".`);
  return value as T;
}

/** `[{key, value}]` as ECS takes tags. */
export function optionalTags(input: JsonObject): { key: string; value: string }[] | undefined {
  const tags = optionalArray(input, 'tags');
  if (tags === undefined) return undefined;
  return tags.map((tag, i) => {
    if (!isObject(tag) || typeof tag.key !== 'string' || tag.key === '' || typeof (tag.value ?? '') !== 'string')
      throw invalidParameter(`tags[${i}] must be {"key": "...", "value": "..."} with a non-empty key.`);
    return { key: tag.key, value: (tag.value ?? '') as string };
  });
}

// The request bodies of the v3 calls, checked the way Cloud Controller's messages check them: unparseable JSON is a
// 400 CF-MessageParseError, a body that parses but does not fit is a 422 CF-UnprocessableEntity naming the field.
import { isObject, type JsonObject } from '../common/json.js';
import type { Strategy } from './deployment-rules.js';
import { badQueryParameter, badRequest, unprocessable } from './errors.js';
import type { Metadata } from './foundation.js';

export function parseJsonBody(body: Buffer): JsonObject {
  let value: unknown;
  try {
    value = body.length ? JSON.parse(body.toString('utf8')) : {};
  } catch (error) {
    throw badRequest(`Request invalid due to parse error: ${(error as Error).message}`);
  }
  if (!isObject(value)) throw badRequest('Request invalid due to parse error: the body must be a JSON object');
  return value;
}

function guidAt(value: unknown, path: string): string | undefined {
  let current: unknown = value;
  for (const key of path.split('.')) current = isObject(current) ? current[key] : undefined;
  return typeof current === 'string' && current !== '' ? current : undefined;
}

const requiredGuid = (body: JsonObject, path: string) => {
  const guid = guidAt(body, path);
  if (guid === undefined) throw unprocessable(`${path} must be a guid (a non-empty string)`);
  return guid;
};

/** CF's label keys (an optional DNS-like prefix and `/`, then a name) and values: at most 63 characters each. */
const LABEL_NAME = /^([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

function stringMap(value: unknown, field: string, check?: { key: RegExp; value: RegExp }): Record<string, string> {
  if (value === undefined) return {};
  if (!isObject(value)) throw unprocessable(`${field} must be an object`);
  const out: Record<string, string> = {};
  for (const [key, item] of Object.entries(value)) {
    if (typeof item !== 'string') throw unprocessable(`${field} '${key}' must be a string`);
    if (check && !check.key.test(key)) throw unprocessable(`${field} key error: '${key}' is not a valid label key`);
    if (check && !check.value.test(item))
      throw unprocessable(`${field} value error: '${item}' is not a valid label value`);
    out[key] = item;
  }
  return out;
}

/** The `metadata {labels, annotations}` a create call may carry (labels checked as CF checks them). */
export function parseMetadata(body: JsonObject): Metadata {
  const metadata = body.metadata;
  if (metadata === undefined) return { labels: {}, annotations: {} };
  if (!isObject(metadata)) throw unprocessable('Metadata must be an object');
  return {
    labels: stringMap(metadata.labels, 'Metadata labels', { key: LABEL_NAME, value: LABEL_VALUE }),
    annotations: stringMap(metadata.annotations, 'Metadata annotations'),
  };
}

/** A `label_selector` of `key=value` / `key==value` / `key` requirements, comma-separated (no set or `!=` forms). */
export function parseLabelSelector(raw: string | null): ((labels: Readonly<Record<string, string>>) => boolean) | null {
  if (raw === null) return null;
  const requirements = raw.split(',').map((part) => {
    const match = /^([^=!,\s]+)(?:==?([^=!,\s]*))?$/.exec(part.trim());
    if (!match)
      throw badQueryParameter(`Invalid label_selector value: '${part}' is not emulated (use key=value or key)`);
    return { key: match[1]!, value: match[2] };
  });
  return (labels) => requirements.every((r) => (r.value === undefined ? r.key in labels : labels[r.key] === r.value));
}

export function parsePackageRequest(body: JsonObject): { appGuid: string } {
  if (body.type !== 'bits')
    throw unprocessable(
      body.type === 'docker' ? 'Type docker is not emulated: create a bits package' : "Type must be 'bits'",
    );
  return { appGuid: requiredGuid(body, 'relationships.app.data.guid') };
}

export const parseBuildRequest = (body: JsonObject) => ({ packageGuid: requiredGuid(body, 'package.guid') });

export const parseCurrentDropletRequest = (body: JsonObject) => ({ dropletGuid: requiredGuid(body, 'data.guid') });

export interface DeploymentMessage {
  readonly appGuid: string;
  readonly dropletGuid?: string;
  readonly revisionGuid?: string;
  readonly strategy: Strategy;
  readonly maxInFlight: number;
  readonly canaryWeights?: readonly number[];
}

export function parseDeploymentRequest(body: JsonObject): DeploymentMessage {
  const appGuid = requiredGuid(body, 'relationships.app.data.guid');
  if (body.droplet !== undefined && body.revision !== undefined)
    throw unprocessable('Cannot set both droplet and revision: give one of them (or neither for the current droplet)');
  const dropletGuid = body.droplet === undefined ? undefined : requiredGuid(body, 'droplet.guid');
  const revisionGuid = body.revision === undefined ? undefined : requiredGuid(body, 'revision.guid');
  const strategy = body.strategy ?? 'rolling';
  if (strategy !== 'rolling' && strategy !== 'canary') throw unprocessable("Strategy must be 'rolling' or 'canary'");
  const options = body.options ?? {};
  if (!isObject(options)) throw unprocessable('options must be an object');
  const maxInFlight = options.max_in_flight ?? 1;
  if (typeof maxInFlight !== 'number' || !Number.isInteger(maxInFlight) || maxInFlight < 1)
    throw unprocessable('options.max_in_flight must be an integer greater than 0');
  let canaryWeights: number[] | undefined;
  const canary = options.canary;
  if (canary !== undefined) {
    if (strategy !== 'canary') throw unprocessable("options.canary is only valid with strategy 'canary'");
    const steps = isObject(canary) ? canary.steps : undefined;
    if (!Array.isArray(steps) || steps.length === 0)
      throw unprocessable('options.canary.steps must be a non-empty list of {instance_weight}');
    canaryWeights = steps.map((step, i) => {
      const weight = isObject(step) ? step.instance_weight : undefined;
      if (typeof weight !== 'number' || !Number.isInteger(weight) || weight < 1 || weight > 100)
        throw unprocessable(`options.canary.steps[${i}].instance_weight must be an integer between 1 and 100`);
      return weight;
    });
    if (canaryWeights.some((w, i) => i > 0 && w < canaryWeights![i - 1]!))
      throw unprocessable('options.canary.steps instance_weight values must be in ascending order');
  }
  return { appGuid, dropletGuid, revisionGuid, strategy, maxInFlight, canaryWeights };
}

import { z } from 'zod';
import { BadRequestError } from '../../common/errors.js';
import { parseInput } from '../../common/validation.js';
import { loadAllYaml } from './client-node.js';

/** The kinds a Kubernetes stage may hold, with the apiVersion each must carry. */
export const MANIFEST_API_VERSIONS = {
  Deployment: 'apps/v1',
  ConfigMap: 'v1',
  Service: 'v1',
  Secret: 'v1',
} as const;
export type ManifestKind = keyof typeof MANIFEST_API_VERSIONS;
const KINDS = Object.keys(MANIFEST_API_VERSIONS) as [ManifestKind, ...ManifestKind[]];

/** One object of a stage: what it says is applied as is (create or replace), in the spec's namespace unless it names one. */
export interface KubernetesManifest {
  apiVersion: string;
  kind: ManifestKind;
  metadata: { name: string; namespace?: string; [key: string]: unknown };
  [key: string]: unknown;
}

export interface KubernetesSpec {
  namespace: string;
  manifests: KubernetesManifest[];
}

/** Where an object lives: enough to read, replace or delete it. */
export interface ObjectRef {
  kind: ManifestKind;
  namespace: string;
  name: string;
}

export type KubernetesRollbackStep =
  | { name: string; apply: KubernetesManifest[] }
  | { name: string; delete: { kind: ManifestKind; name: string; namespace?: string } };

const Manifest = z
  .looseObject({
    apiVersion: z.string().min(1),
    kind: z.enum(KINDS),
    metadata: z.looseObject({ name: z.string().trim().min(1), namespace: z.string().trim().min(1).optional() }),
  })
  .superRefine((manifest, ctx) => {
    const expected = MANIFEST_API_VERSIONS[manifest.kind];
    if (manifest.apiVersion !== expected)
      ctx.addIssue({ code: 'custom', path: ['apiVersion'], message: `a ${manifest.kind} must be ${expected}` });
  });

const Manifests = z.union([z.string().trim().min(1), z.array(z.unknown()).min(1)]);

const Spec = z.strictObject({
  namespace: z.string().trim().min(1).default('default'),
  manifests: Manifests,
});

const RollbackStep = z.union([
  z.strictObject({ name: z.string().trim().min(1), apply: Manifests }),
  z.strictObject({
    name: z.string().trim().min(1),
    delete: z.strictObject({
      kind: z.enum(KINDS),
      name: z.string().trim().min(1),
      namespace: z.string().trim().min(1).optional(),
    }),
  }),
]);

/**
 * A `kubernetes` stage spec: `{namespace?: "default", manifests: object[] | string}` (a string holds one or more YAML
 * documents). Each manifest needs apiVersion, kind (Deployment, ConfigMap, Service or Secret) and metadata.name; two
 * manifests may not name the same object. A 400 names the field. Pure: expressions stay as the strings they are.
 */
export function parseKubernetesSpec(input: unknown): KubernetesSpec {
  const spec = parseInput(Spec, input, 'kubernetes spec');
  const manifests = parseManifests(spec.manifests, 'kubernetes spec', 'manifests');
  const seen = new Set<string>();
  manifests.forEach((manifest, index) => {
    const key = refKey(refOf(manifest, spec.namespace));
    if (seen.has(key))
      throw new BadRequestError(
        `Invalid kubernetes spec: manifests.${index}: ${key} appears twice; each object may be listed once.`,
      );
    seen.add(key);
  });
  return { namespace: spec.namespace, manifests };
}

/** A stage's own rollback step: `{name, apply: object[] | string}` or `{name, delete: {kind, name, namespace?}}`. */
export function parseKubernetesRollbackStep(input: unknown): KubernetesRollbackStep {
  const step = parseInput(RollbackStep, input, 'kubernetes rollback step');
  if ('apply' in step)
    return { name: step.name, apply: parseManifests(step.apply, 'kubernetes rollback step', 'apply') };
  return step;
}

/** The manifests of a list or of multi-document YAML, each checked; empty YAML documents are skipped. */
function parseManifests(raw: string | unknown[], what: string, field: string): KubernetesManifest[] {
  const documents = typeof raw === 'string' ? yamlDocuments(raw, what, field) : raw;
  if (!documents.length) throw new BadRequestError(`Invalid ${what}: ${field}: holds no manifest.`);
  return documents.map((document, index) => parseInput(Manifest, document, `${what}: ${field}.${index}`));
}

function yamlDocuments(text: string, what: string, field: string): unknown[] {
  try {
    // The client's loader fails on an empty document (a trailing `---`): documents are split first, and empty ones
    // dropped. Its model classes become plain JSON again.
    return text
      .split(/^---[ \t]*$/m)
      .filter((chunk) => chunk.split('\n').some((line) => line.trim() !== '' && !line.trim().startsWith('#')))
      .flatMap((chunk) => loadAllYaml(chunk) as unknown[])
      .map(plainJson);
  } catch (error) {
    // The parser quotes the text around the fault, which may hold a Secret's value: keep only the position.
    const position = /\((\d+):(\d+)\)/.exec(error instanceof Error ? error.message : '');
    const where = position ? ` (line ${position[1]}, column ${position[2]})` : '';
    throw new BadRequestError(`Invalid ${what}: ${field}: cannot be read as YAML${where}.`);
  }
}

/** A value as JSON carries it (model classes and Dates become plain objects and strings; undefined goes). */
export function plainJson<T = unknown>(value: unknown): T {
  return value === undefined ? (value as T) : (JSON.parse(JSON.stringify(value)) as T);
}

export function refOf(manifest: KubernetesManifest, namespace: string): ObjectRef {
  return { kind: manifest.kind, namespace: manifest.metadata.namespace ?? namespace, name: manifest.metadata.name };
}

/** `Deployment default/web`: how logs, state keys and sentences name an object. */
export function refKey(ref: ObjectRef): string {
  return `${ref.kind} ${ref.namespace}/${ref.name}`;
}

import { sha256 } from '../../common/hash.js';
import { canonicalJson, deepEqual, isObject } from '../../common/json.js';
import type { KubernetesManifest } from './kubernetes-spec.js';

// Plain functions on Kubernetes objects as JSON: what the provider compares, records and sends.

export type KubeObject = Record<string, unknown> & {
  metadata?: Record<string, unknown> & { name?: string; namespace?: string; annotations?: Record<string, string> };
};

export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
export const HASH_LABEL = 'pod-template-hash';

/** What the API server adds to an object and no client sends back: dropped from what capture records. */
const SERVER_METADATA = [
  'resourceVersion',
  'uid',
  'creationTimestamp',
  'generation',
  'managedFields',
  'selfLink',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
] as const;

/** The object without status and server bookkeeping: what puts it back with a create or a replace. */
export function cleanObject(object: KubeObject): KubeObject {
  const { status: _status, metadata = {}, ...rest } = object;
  const kept = Object.fromEntries(
    Object.entries(metadata).filter(([key]) => !(SERVER_METADATA as readonly string[]).includes(key)),
  );
  return { ...rest, metadata: kept };
}

const str = (value: unknown): string | null => (typeof value === 'string' ? value : null);
const obj = (value: unknown): Record<string, unknown> => (isObject(value) ? value : {});
const num = (value: unknown): number => (typeof value === 'number' ? value : 0);

/** A pod template without the `pod-template-hash` label the controller adds (kubectl's undo drops it too). */
export function withoutHashLabel(template: unknown): Record<string, unknown> {
  const copy = structuredClone(obj(template));
  const metadata = obj(copy.metadata);
  const labels = obj(metadata.labels);
  if (HASH_LABEL in labels) {
    const { [HASH_LABEL]: _hash, ...rest } = labels;
    copy.metadata = { ...metadata, labels: rest };
  }
  return copy;
}

export function templateOf(object: KubeObject | null | undefined): Record<string, unknown> {
  return obj(obj(object?.spec).template);
}

/** Equal pod templates give equal hashes (key order and the hash label ignored). */
export function templateHash(template: unknown): string {
  return sha256(canonicalJson(withoutHashLabel(template))).slice(0, 16);
}

export function templatesEqual(a: unknown, b: unknown): boolean {
  return deepEqual(withoutHashLabel(a), withoutHashLabel(b));
}

/** The first container's image of a Deployment or pod template holder. */
export function imageOf(object: KubeObject | null | undefined): string | null {
  const containers = obj(templateOf(object).spec).containers;
  return Array.isArray(containers) ? str(obj(containers[0]).image) : null;
}

export function revisionOf(object: KubeObject | null | undefined): string | null {
  return str(obj(object?.metadata?.annotations)[REVISION_ANNOTATION]);
}

export function uidOf(object: KubeObject | null | undefined): string | null {
  return str(object?.metadata?.uid);
}

/** Whether the ReplicaSet's controller is the Deployment with this uid (kubectl filters on it too). */
export function isOwnedBy(replicaSet: KubeObject, deploymentUid: string): boolean {
  const refs = replicaSet.metadata?.ownerReferences;
  return Array.isArray(refs) && refs.some((r) => obj(r).controller === true && obj(r).uid === deploymentUid);
}

/**
 * Whether everything `desired` says is already so in `live` (fields the server defaulted or added are ignored;
 * lists must have the same length, element by element). A deploy sends nothing for an object where this holds.
 */
export function contains(live: unknown, desired: unknown): boolean {
  if (Array.isArray(desired))
    return Array.isArray(live) && live.length === desired.length && desired.every((d, i) => contains(live[i], d));
  if (isObject(desired)) return isObject(live) && Object.entries(desired).every(([k, d]) => contains(live[k], d));
  return deepEqual(live, desired);
}

/**
 * A manifest as the API server stores it where that differs from what was written: a Secret's `stringData` is
 * merged into `data` (base64), so comparing with the live Secret works and a second apply sends nothing.
 */
export function normalizeManifest(manifest: KubernetesManifest): KubernetesManifest {
  if (manifest.kind !== 'Secret' || !isObject(manifest.stringData)) return manifest;
  const { stringData, ...rest } = manifest;
  const data: Record<string, unknown> = { ...obj(rest.data) };
  for (const [key, value] of Object.entries(stringData))
    data[key] = Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64');
  return { ...rest, data };
}

/** The replica counts `kubectl rollout status` and the Instances view read (absent counts are 0, as on the wire). */
export function replicaCounts(deployment: KubeObject) {
  const spec = obj(deployment.spec);
  const status = obj(deployment.status);
  return {
    desired: typeof spec.replicas === 'number' ? spec.replicas : 1,
    replicas: num(status.replicas),
    updated: num(status.updatedReplicas),
    ready: num(status.readyReplicas),
    available: num(status.availableReplicas),
  };
}

/**
 * The body of a replace (PUT) of `live` with `desired`: conditional on the live resourceVersion, and keeping what the
 * manifest leaves to the cluster — a Deployment's replica count when the manifest sets none (an autoscaler's, as
 * `kubectl apply` leaves it), a Service's allocated cluster IPs.
 */
export function replacementBody(desired: KubeObject, live: KubeObject): KubeObject {
  const body = structuredClone(desired);
  body.metadata = { ...body.metadata, resourceVersion: live.metadata?.resourceVersion };
  const spec = obj(body.spec);
  const liveSpec = obj(live.spec);
  if (desired.kind === 'Deployment' && spec.replicas === undefined && typeof liveSpec.replicas === 'number')
    body.spec = { ...spec, replicas: liveSpec.replicas };
  if (desired.kind === 'Service')
    for (const key of ['clusterIP', 'clusterIPs'])
      if (spec[key] === undefined && liveSpec[key] !== undefined)
        body.spec = { ...obj(body.spec), [key]: liveSpec[key] };
  return body;
}

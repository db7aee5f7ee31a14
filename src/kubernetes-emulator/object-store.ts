// Every object the emulated cluster holds, with the API server's bookkeeping: uid, resourceVersion (one counter for
// the whole store, rising with every write), generation, creationTimestamp, and a log of changes for watches.
import { randomUUID } from 'node:crypto';
import { timestampOf } from './clock.js';
import { deepEqual, type JsonObject } from './json.js';
import type { ResourceType } from './resource-types.js';
import { alreadyExists, conflict, notFound } from './status.js';

export interface ObjectMeta extends JsonObject {
  name: string;
  namespace: string;
  uid: string;
  resourceVersion: string;
  creationTimestamp: string;
}

/** A stored object: the JSON a client sees, metadata filled in. */
export interface KubeObject extends JsonObject {
  metadata: ObjectMeta;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  readonly type: WatchEventType;
  readonly resourceType: ResourceType;
  readonly object: KubeObject;
  /** The object before the change (MODIFIED only): watches with selectors need it. */
  readonly previous?: KubeObject;
  readonly resourceVersion: number;
}

export interface StoreSnapshot {
  readonly revision: number;
  readonly objects: readonly { readonly key: string; readonly object: KubeObject }[];
}

/** How many past events a watch may resume from; older resourceVersions get 410 Expired. */
const EVENT_LOG_SIZE = 2000;

const keyOf = (type: ResourceType, namespace: string, name: string) =>
  `${type.resource}.${type.group}/${namespace}/${name}`;

/** The spec of an object, for generation bookkeeping: everything but metadata and status. */
function specOf(object: JsonObject): JsonObject {
  const { metadata: _metadata, status: _status, ...rest } = object;
  return rest;
}

export class ObjectStore {
  private revision = 1000;
  private readonly objects = new Map<string, KubeObject>();
  private readonly log: StoreEvent[] = [];
  private readonly listeners = new Set<(event: StoreEvent) => void>();

  constructor(private readonly now: () => Date) {}

  resourceVersion(): number {
    return this.revision;
  }

  get(type: ResourceType, namespace: string, name: string): KubeObject | undefined {
    const found = this.objects.get(keyOf(type, namespace, name));
    return found && structuredClone(found);
  }

  /** The object, or a NotFound error. */
  require(type: ResourceType, namespace: string, name: string): KubeObject {
    const found = this.get(type, namespace, name);
    if (!found) throw notFound(type, name);
    return found;
  }

  /** Objects of a type, in one namespace or (undefined) all, ordered by namespace then name like etcd keys. */
  list(type: ResourceType, namespace?: string): KubeObject[] {
    const prefix = namespace === undefined ? `${type.resource}.${type.group}/` : keyOf(type, namespace, '');
    return [...this.objects.entries()]
      .filter(([key]) => key.startsWith(prefix))
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([, object]) => structuredClone(object));
  }

  /**
   * The objects of a type that `keep` accepts, copied after the test (the controller asks for the few a Deployment or
   * ReplicaSet owns: copying every object of the namespace for each owner made a 50-Deployment rollout quadratic).
   * `keep` must only read the object it is shown.
   */
  listWhere(
    type: ResourceType,
    namespace: string | undefined,
    keep: (object: Readonly<KubeObject>) => boolean,
  ): KubeObject[] {
    const prefix = namespace === undefined ? `${type.resource}.${type.group}/` : keyOf(type, namespace, '');
    return [...this.objects.entries()]
      .filter(([key, object]) => key.startsWith(prefix) && keep(object))
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([, object]) => structuredClone(object));
  }

  /** The uids of the objects of a type (read-only, nothing copied). */
  uids(type: ResourceType): Set<string> {
    const prefix = `${type.resource}.${type.group}/`;
    const found = new Set<string>();
    for (const [key, object] of this.objects) if (key.startsWith(prefix)) found.add(object.metadata.uid);
    return found;
  }

  create(type: ResourceType, object: JsonObject & { metadata: JsonObject }): KubeObject {
    const name = object.metadata.name as string;
    const namespace = type.namespaced ? (object.metadata.namespace as string) : '';
    const key = keyOf(type, namespace, name);
    if (this.objects.has(key)) throw alreadyExists(type, name);
    const stored = structuredClone(object) as KubeObject;
    const meta = stored.metadata;
    if (!type.namespaced) delete (meta as JsonObject).namespace;
    meta.uid = randomUUID();
    meta.creationTimestamp = this.timestamp();
    meta.resourceVersion = String(++this.revision);
    if (type.hasGeneration) meta.generation = 1;
    else delete meta.generation;
    this.objects.set(key, stored);
    this.emit({ type: 'ADDED', resourceType: type, object: stored, resourceVersion: this.revision });
    return structuredClone(stored);
  }

  /**
   * Replaces an object. A `metadata.resourceVersion` in `object` must be the stored one (else 409 Conflict); none
   * means an unconditional update. uid and creationTimestamp cannot change; a changed spec raises the generation.
   */
  update(type: ResourceType, object: JsonObject & { metadata: JsonObject }): KubeObject {
    const name = object.metadata.name as string;
    const namespace = type.namespaced ? (object.metadata.namespace as string) : '';
    const key = keyOf(type, namespace, name);
    const current = this.objects.get(key);
    if (!current) throw notFound(type, name);
    const expected = object.metadata.resourceVersion;
    if (expected !== undefined && expected !== '' && expected !== current.metadata.resourceVersion)
      throw conflict(type, name);
    const stored = structuredClone(object) as KubeObject;
    const meta = stored.metadata;
    if (!type.namespaced) delete (meta as JsonObject).namespace;
    meta.uid = current.metadata.uid;
    meta.creationTimestamp = current.metadata.creationTimestamp;
    if (type.hasGeneration) {
      const generation = typeof current.metadata.generation === 'number' ? current.metadata.generation : 1;
      meta.generation = deepEqual(specOf(current), specOf(stored)) ? generation : generation + 1;
    }
    if (
      deepEqual(
        { ...current, metadata: { ...current.metadata, resourceVersion: '' } },
        {
          ...stored,
          metadata: { ...meta, resourceVersion: '' },
        },
      )
    ) {
      return structuredClone(current);
    }
    meta.resourceVersion = String(++this.revision);
    this.objects.set(key, stored);
    this.emit({
      type: 'MODIFIED',
      resourceType: type,
      object: stored,
      previous: current,
      resourceVersion: this.revision,
    });
    return structuredClone(stored);
  }

  delete(type: ResourceType, namespace: string, name: string): KubeObject {
    const key = keyOf(type, type.namespaced ? namespace : '', name);
    const current = this.objects.get(key);
    if (!current) throw notFound(type, name);
    this.objects.delete(key);
    const gone = structuredClone(current);
    gone.metadata.resourceVersion = String(++this.revision);
    this.emit({ type: 'DELETED', resourceType: type, object: gone, resourceVersion: this.revision });
    return structuredClone(gone);
  }

  /**
   * The logged events after `resourceVersion`, or undefined when the log no longer reaches back that far (the
   * caller answers 410 Expired).
   */
  eventsSince(resourceVersion: number): StoreEvent[] | undefined {
    const oldest = this.log[0];
    if (oldest && resourceVersion < oldest.resourceVersion - 1) return undefined;
    return this.log.filter((e) => e.resourceVersion > resourceVersion);
  }

  /** Every object and the resourceVersion counter, for a state file (watch history is not kept). */
  snapshot(): StoreSnapshot {
    return { revision: this.revision, objects: [...this.objects.entries()].map(([key, object]) => ({ key, object })) };
  }

  /** Puts back what `snapshot` returned, replacing everything held; no events are sent. */
  restore(snapshot: StoreSnapshot): void {
    this.objects.clear();
    for (const { key, object } of snapshot.objects) this.objects.set(key, structuredClone(object));
    this.revision = Math.max(this.revision, snapshot.revision);
    this.log.length = 0;
  }

  subscribe(listener: (event: StoreEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  timestamp(): string {
    return timestampOf(this.now());
  }

  private emit(event: StoreEvent): void {
    this.log.push(event);
    if (this.log.length > EVENT_LOG_SIZE) this.log.shift();
    for (const listener of this.listeners) listener(event);
  }
}

// The REST verbs on resources: GET/LIST (selectors, watch), POST, PUT, PATCH (four patch types), DELETE, and the
// status and scale subresources, each answered with an object, a list or a Status.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { admit } from './admission.js';
import type { ClusterController } from './cluster-controller.js';
import { sendJson } from '../common/http-io.js';
import { isObject, type JsonObject, type JsonValue } from './json.js';
import type { KubeObject, ObjectStore } from './object-store.js';
import { jsonMergePatch, jsonPatch, PatchError, strategicMergePatch } from './patch.js';
import { decodeProtobuf, PROTOBUF, ProtobufError } from './protobuf.js';
import type { ApiPath } from './request-path.js';
import { apiVersionOf, findResourceType, NAMESPACES, type ResourceType } from './resource-types.js';
import {
  matchesFields,
  matchesLabels,
  parseFieldSelector,
  parseLabelSelector,
  SelectorError,
  selectorString,
} from './selectors.js';
import { randomSuffix } from './deployment-rules.js';
import {
  alreadyExists,
  badRequest,
  deletedStatus,
  KubeError,
  methodNotAllowed,
  namespaceNotFound,
  notFound,
  pathNotFound,
  unsupportedMediaType,
} from './status.js';
import { tableOf, wantsTable } from './table.js';
import { serveWatch } from './watch.js';

export interface ApiContext {
  readonly store: ObjectStore;
  readonly controller: ClusterController;
  readonly allocateIp: () => string;
  /** The cluster's (simulated) time, for ages in tables. */
  readonly now: () => Date;
}

type ResourcePath = Extract<ApiPath, { kind: 'resource' }>;

/** Longest a watch stays open when the client does not say (the API server picks 30–60 minutes). */
const DEFAULT_WATCH_SECONDS = 1800;

const VERB_OF: Record<string, string> = { POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };

/** The resource and namespace a path addresses, checked against what is served. */
function resolveTarget(path: ResourcePath): { type: ResourceType; namespace?: string } {
  const type = findResourceType(path.group, path.version, path.resource);
  if (!type) throw pathNotFound();
  if (!type.namespaced && path.namespace !== undefined) throw pathNotFound();
  if (type.namespaced && path.namespace === undefined && path.name !== undefined) throw pathNotFound();
  if (path.subresource !== undefined && !(type.subresources as readonly string[]).includes(path.subresource))
    throw pathNotFound();
  return { type, namespace: path.namespace };
}

function parseBody(body: Buffer): JsonValue {
  try {
    return JSON.parse(body.toString('utf8')) as JsonValue;
  } catch (error) {
    throw badRequest(`the request body is not valid JSON: ${(error as Error).message}`);
  }
}

function objectBody(body: Buffer): JsonObject & { metadata: JsonObject } {
  const value = parseBody(body);
  if (!isObject(value)) throw badRequest('the request body must be a JSON object');
  if (value.metadata !== undefined && !isObject(value.metadata)) throw badRequest('metadata must be an object');
  return { ...value, metadata: isObject(value.metadata) ? value.metadata : {} };
}

function checkKind(type: ResourceType, object: JsonObject): void {
  const apiVersion = apiVersionOf(type);
  if (object.apiVersion !== undefined && object.apiVersion !== apiVersion)
    throw badRequest(
      `the API version in the data (${JSON.stringify(object.apiVersion)}) does not match the expected API version (${apiVersion})`,
    );
  if (object.kind !== undefined && object.kind !== type.kind)
    throw badRequest(
      `the kind in the data (${JSON.stringify(object.kind)}) does not match the expected kind (${type.kind})`,
    );
  object.apiVersion = apiVersion;
  object.kind = type.kind;
}

/** The matcher of `labelSelector` and `fieldSelector`; a bad selector is a 400. */
function selectorFromQuery(query: URLSearchParams): (object: KubeObject) => boolean {
  try {
    const labels = parseLabelSelector(query.get('labelSelector') ?? '');
    const fields = parseFieldSelector(query.get('fieldSelector') ?? '');
    return (object) =>
      matchesLabels(labels, object.metadata.labels as Record<string, string> | undefined) &&
      matchesFields(fields, object.metadata);
  } catch (error) {
    if (error instanceof SelectorError) throw badRequest(error.message);
    throw error;
  }
}

/** Applies a PATCH body of the given content type to `current`. */
function applyPatch(contentType: string, current: JsonObject, body: Buffer): JsonValue {
  const patch = parseBody(body);
  try {
    switch (contentType) {
      case 'application/json-patch+json':
        return jsonPatch(current, patch);
      case 'application/merge-patch+json':
        return jsonMergePatch(current, patch);
      case 'application/strategic-merge-patch+json':
      case 'application/apply-patch+yaml':
        return strategicMergePatch(current, patch);
      default:
        throw unsupportedMediaType(contentType);
    }
  } catch (error) {
    if (error instanceof PatchError)
      throw error.problem === 'malformed' ? badRequest(error.message) : new KubeError(422, 'Invalid', error.message);
    throw error;
  }
}

/** A protobuf body as the JSON the rest of the handler reads; kinds it cannot decode are 415. */
function protobufAsJson(body: Buffer): Buffer {
  try {
    return Buffer.from(JSON.stringify(decodeProtobuf(body)));
  } catch (error) {
    if (error instanceof ProtobufError) throw unsupportedMediaType(`${PROTOBUF} (${error.message})`);
    throw error;
  }
}

const mediaType = (req: IncomingMessage) => (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();

export class ResourceHandler {
  constructor(private readonly ctx: ApiContext) {}

  private get store() {
    return this.ctx.store;
  }

  handle(req: IncomingMessage, res: ServerResponse, path: ResourcePath, url: URL, rawBody: Buffer): void {
    const { type, namespace } = resolveTarget(path);
    const body = mediaType(req) === PROTOBUF ? protobufAsJson(rawBody) : rawBody;
    const method = req.method ?? 'GET';
    const query = url.searchParams;
    const dryRun = query.getAll('dryRun').includes('All');
    const verb =
      method === 'GET'
        ? path.name === undefined
          ? query.get('watch') === 'true' || query.get('watch') === '1'
            ? 'watch'
            : 'list'
          : 'get'
        : path.name === undefined && method === 'DELETE'
          ? 'deletecollection'
          : VERB_OF[method];
    if (verb === undefined) throw methodNotAllowed(method);
    if (path.subresource === undefined && !type.verbs.includes(verb)) throw methodNotAllowed(method);
    if (path.name === undefined && !['list', 'watch', 'create', 'deletecollection'].includes(verb))
      throw methodNotAllowed(method);

    if (path.name === undefined) {
      if (verb === 'create') {
        this.create(res, type, namespace, body, dryRun);
        return;
      }
      if (verb === 'deletecollection') {
        this.deleteCollection(res, type, namespace, query);
        return;
      }
      if (verb === 'watch') {
        this.watch(req, res, type, namespace, query);
        return;
      }
      this.list(req, res, type, namespace, query);
      return;
    }
    const name = path.name;
    const ns = namespace ?? '';
    if (path.subresource === 'scale') {
      this.scale(req, res, type, ns, name, body, dryRun);
      return;
    }
    if (path.subresource === 'status' || path.subresource === undefined) {
      const part = path.subresource === 'status' ? 'status' : 'main';
      switch (method) {
        case 'GET': {
          const object = this.store.require(type, ns, name);
          sendJson(
            res,
            200,
            part === 'main' && wantsTable(req.headers.accept) ? this.table(type, [object], query) : object,
          );
          return;
        }
        case 'PUT': {
          this.replace(res, type, ns, name, objectBody(body), part, dryRun);
          return;
        }
        case 'PATCH': {
          this.patch(req, res, type, ns, name, body, part, dryRun);
          return;
        }
        case 'DELETE':
          if (part === 'status') throw methodNotAllowed(method);
          {
            this.remove(res, type, ns, name, body);
            return;
          }
      }
    }
    throw methodNotAllowed(method);
  }

  private table(type: ResourceType, objects: readonly KubeObject[], query: URLSearchParams): JsonObject {
    const resourceVersion = String(this.store.resourceVersion());
    return tableOf(type, objects, this.ctx.now(), resourceVersion, query.get('includeObject'));
  }

  private list(
    req: IncomingMessage,
    res: ServerResponse,
    type: ResourceType,
    namespace: string | undefined,
    query: URLSearchParams,
  ): void {
    const matches = selectorFromQuery(query);
    if (wantsTable(req.headers.accept)) {
      sendJson(res, 200, this.table(type, this.store.list(type, namespace).filter(matches), query));
      return;
    }
    sendJson(res, 200, {
      kind: `${type.kind}List`,
      apiVersion: apiVersionOf(type),
      metadata: { resourceVersion: String(this.store.resourceVersion()) },
      items: this.store.list(type, namespace).filter(matches),
    });
  }

  private watch(
    req: IncomingMessage,
    res: ServerResponse,
    type: ResourceType,
    namespace: string | undefined,
    query: URLSearchParams,
  ): void {
    const sendInitialEvents = query.get('sendInitialEvents') === 'true';
    if (
      sendInitialEvents &&
      (query.get('resourceVersionMatch') !== 'NotOlderThan' || query.get('allowWatchBookmarks') !== 'true')
    )
      throw new KubeError(
        422,
        'Invalid',
        'sendInitialEvents needs resourceVersionMatch=NotOlderThan and allowWatchBookmarks=true',
      );
    const timeout = Number(query.get('timeoutSeconds') ?? DEFAULT_WATCH_SECONDS);
    serveWatch(
      this.store,
      req,
      res,
      {
        type,
        matches: selectorFromQuery(query),
        resourceVersion: query.get('resourceVersion') ?? undefined,
        sendInitialEvents,
        timeoutSeconds: Number.isFinite(timeout) && timeout > 0 ? timeout : DEFAULT_WATCH_SECONDS,
        present: wantsTable(req.headers.accept) ? (object) => this.table(type, [object], query) : undefined,
      },
      namespace,
      apiVersionOf(type),
    );
  }

  private requireNamespace(type: ResourceType, namespace: string | undefined): void {
    if (type.namespaced && namespace !== undefined && !this.store.get(NAMESPACES, '', namespace))
      throw namespaceNotFound(namespace);
  }

  private create(
    res: ServerResponse,
    type: ResourceType,
    namespace: string | undefined,
    body: Buffer,
    dryRun: boolean,
  ): void {
    if (type.namespaced && namespace === undefined) throw methodNotAllowed('POST');
    const object = objectBody(body);
    checkKind(type, object);
    const meta = object.metadata;
    if (type.namespaced) {
      if (meta.namespace !== undefined && meta.namespace !== '' && meta.namespace !== namespace)
        throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      meta.namespace = namespace ?? '';
    }
    this.requireNamespace(type, namespace);
    if ((meta.name === undefined || meta.name === '') && typeof meta.generateName === 'string')
      meta.name = `${meta.generateName}${randomSuffix()}`;
    for (const key of ['uid', 'resourceVersion', 'creationTimestamp', 'generation']) Reflect.deleteProperty(meta, key);
    const admitted = admit(type, object, undefined, this.ctx.allocateIp) as JsonObject & { metadata: JsonObject };
    if (type.subresources.includes('status') && type !== NAMESPACES) delete admitted.status;
    if (dryRun) {
      const name = admitted.metadata.name as string;
      if (this.store.get(type, namespace ?? '', name)) throw alreadyExists(type, name);
      sendJson(res, 201, admitted);
      return;
    }
    const created = this.store.create(type, admitted);
    this.ctx.controller.sync();
    sendJson(res, 201, created);
  }

  /** Stores `next` as the new state of an object: main writes keep the status, status writes keep the rest. */
  private write(
    type: ResourceType,
    current: KubeObject,
    next: JsonObject,
    part: 'main' | 'status',
    dryRun: boolean,
  ): KubeObject {
    if (!isObject(next.metadata)) throw badRequest('metadata must be an object');
    const meta = next.metadata;
    if (meta.name !== current.metadata.name)
      throw badRequest(
        `the name of the object (${JSON.stringify(meta.name)}) does not match the name on the URL (${current.metadata.name})`,
      );
    if (
      type.namespaced &&
      meta.namespace !== undefined &&
      meta.namespace !== '' &&
      meta.namespace !== current.metadata.namespace
    )
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    checkKind(type, next);
    let merged: JsonObject & { metadata: JsonObject };
    if (part === 'status') {
      merged = {
        ...current,
        status: next.status ?? null,
        metadata: { ...current.metadata, resourceVersion: meta.resourceVersion ?? '' },
      };
    } else {
      const admitted = admit(
        type,
        { ...next, metadata: { ...meta, namespace: current.metadata.namespace } },
        current,
        this.ctx.allocateIp,
      );
      merged = { ...admitted, metadata: admitted.metadata as JsonObject };
      if (type.subresources.includes('status')) {
        if (current.status === undefined) delete merged.status;
        else merged.status = current.status;
      }
    }
    if (dryRun) return { ...current, ...merged } as KubeObject;
    const stored = this.store.update(type, merged);
    this.ctx.controller.sync();
    return stored;
  }

  private replace(
    res: ServerResponse,
    type: ResourceType,
    namespace: string,
    name: string,
    object: JsonObject & { metadata: JsonObject },
    part: 'main' | 'status',
    dryRun: boolean,
  ): void {
    const current = this.store.require(type, namespace, name);
    sendJson(res, 200, this.write(type, current, object, part, dryRun));
  }

  private patch(
    req: IncomingMessage,
    res: ServerResponse,
    type: ResourceType,
    namespace: string,
    name: string,
    body: Buffer,
    part: 'main' | 'status',
    dryRun: boolean,
  ): void {
    const contentType = mediaType(req);
    const current = this.store.get(type, namespace, name);
    if (!current) {
      if (contentType !== 'application/apply-patch+yaml' || part === 'status') throw notFound(type, name);
      const object = objectBody(body);
      object.metadata.name ??= name;
      return this.create(
        res,
        type,
        type.namespaced ? namespace : undefined,
        Buffer.from(JSON.stringify(object)),
        dryRun,
      );
    }
    const patched = applyPatch(contentType, current, body);
    if (!isObject(patched)) throw new KubeError(422, 'Invalid', 'the patched object is not a JSON object');
    sendJson(res, 200, this.write(type, current, patched, part, dryRun));
  }

  private remove(res: ServerResponse, type: ResourceType, namespace: string, name: string, body: Buffer): void {
    const current = this.store.require(type, namespace, name);
    const options = body.length ? parseBody(body) : {};
    const propagation = isObject(options) ? options.propagationPolicy : undefined;
    if (propagation === 'Orphan') this.orphanDependents(current);
    if (type === NAMESPACES) this.emptyNamespace(name);
    this.store.delete(type, namespace, name);
    this.ctx.controller.sync();
    sendJson(res, 200, deletedStatus(type, name, current.metadata.uid));
  }

  private orphanDependents(owner: KubeObject): void {
    for (const type of ['replicasets', 'pods']) {
      const dependentType = findResourceType(type === 'pods' ? '' : 'apps', 'v1', type)!;
      for (const dependent of this.store.list(dependentType, owner.metadata.namespace)) {
        const refs = Array.isArray(dependent.metadata.ownerReferences) ? dependent.metadata.ownerReferences : [];
        const kept = refs.filter((r) => !(isObject(r) && r.uid === owner.metadata.uid));
        if (kept.length === refs.length) continue;
        this.store.update(dependentType, { ...dependent, metadata: { ...dependent.metadata, ownerReferences: kept } });
      }
    }
  }

  private emptyNamespace(namespace: string): void {
    for (const candidate of ['configmaps', 'secrets', 'services', 'deployments', 'replicasets', 'pods']) {
      const type = findResourceType(
        candidate === 'deployments' || candidate === 'replicasets' ? 'apps' : '',
        'v1',
        candidate,
      )!;
      for (const object of this.store.list(type, namespace)) this.store.delete(type, namespace, object.metadata.name);
    }
  }

  private deleteCollection(
    res: ServerResponse,
    type: ResourceType,
    namespace: string | undefined,
    query: URLSearchParams,
  ): void {
    const matches = selectorFromQuery(query);
    const deleted = this.store.list(type, namespace).filter(matches);
    for (const object of deleted) this.store.delete(type, object.metadata.namespace, object.metadata.name);
    this.ctx.controller.sync();
    sendJson(res, 200, {
      kind: `${type.kind}List`,
      apiVersion: apiVersionOf(type),
      metadata: { resourceVersion: String(this.store.resourceVersion()) },
      items: deleted,
    });
  }

  private scale(
    req: IncomingMessage,
    res: ServerResponse,
    type: ResourceType,
    namespace: string,
    name: string,
    body: Buffer,
    dryRun: boolean,
  ): void {
    const current = this.store.require(type, namespace, name);
    const scaleOf = (object: KubeObject) => {
      const spec = isObject(object.spec) ? object.spec : {};
      const status = isObject(object.status) ? object.status : {};
      return {
        kind: 'Scale',
        apiVersion: 'autoscaling/v1',
        metadata: {
          name,
          namespace,
          uid: object.metadata.uid,
          resourceVersion: object.metadata.resourceVersion,
          creationTimestamp: object.metadata.creationTimestamp,
        },
        spec: { replicas: spec.replicas ?? 0 },
        status: {
          replicas: typeof status.replicas === 'number' ? status.replicas : 0,
          selector: selectorString(isObject(spec.selector) ? spec.selector : {}),
        },
      };
    };
    const method = req.method ?? 'GET';
    if (method === 'GET') return sendJson(res, 200, scaleOf(current));
    let next: JsonValue;
    if (method === 'PUT') next = objectBody(body);
    else if (method === 'PATCH') next = applyPatch(mediaType(req), scaleOf(current), body);
    else throw methodNotAllowed(method);
    const replicas = isObject(next) && isObject(next.spec) ? next.spec.replicas : undefined;
    if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0)
      throw new KubeError(
        422,
        'Invalid',
        `Scale.autoscaling "${name}" is invalid: spec.replicas: Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`,
      );
    const rv = isObject(next) && isObject(next.metadata) ? next.metadata.resourceVersion : undefined;
    const stored = this.write(
      type,
      current,
      {
        ...current,
        metadata: {
          ...current.metadata,
          resourceVersion: typeof rv === 'string' ? rv : current.metadata.resourceVersion,
        },
        spec: { ...(isObject(current.spec) ? current.spec : {}), replicas },
      },
      'main',
      dryRun,
    );
    sendJson(res, 200, scaleOf(stored));
  }
}

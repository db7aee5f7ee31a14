// The three patch formats the API accepts: JSON merge patch (RFC 7386), JSON patch (RFC 6902) and Kubernetes'
// strategic merge patch (lists merged by key, `$patch` / `$retainKeys` / `$setElementOrder` /
// `$deleteFromPrimitiveList` directives).
import { deepEqual, isObject, type JsonObject, type JsonValue } from './json.js';

/**
 * Why a patch was refused: `malformed` (the document itself is wrong → 400) or `failed` (it does not apply to the
 * object, e.g. a JSON patch path that does not exist → 422).
 */
export class PatchError extends Error {
  constructor(
    readonly problem: 'malformed' | 'failed',
    message: string,
  ) {
    super(message);
    this.name = 'PatchError';
  }
}

export function jsonMergePatch(target: JsonValue, patch: JsonValue): JsonValue {
  if (!isObject(patch)) return patch;
  const result: JsonObject = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) Reflect.deleteProperty(result, key);
    else result[key] = jsonMergePatch(result[key] ?? null, value);
  }
  return result;
}

// ---- JSON patch (RFC 6902) ----

function pointerTokens(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new PatchError('malformed', `invalid JSON pointer "${pointer}"`);
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function arrayIndex(token: string, length: number, forInsert: boolean): number {
  if (forInsert && token === '-') return length;
  if (!/^(0|[1-9][0-9]*)$/.test(token)) throw new PatchError('failed', `invalid array index "${token}"`);
  const index = Number(token);
  if (index > length || (!forInsert && index === length))
    throw new PatchError('failed', `index ${token} out of bounds`);
  return index;
}

/** The container holding the last token of `pointer`, and that token. */
function parentOf(doc: JsonValue, pointer: string): { parent: JsonObject | JsonValue[]; token: string } {
  const tokens = pointerTokens(pointer);
  const token = tokens.pop();
  if (token === undefined) throw new PatchError('failed', 'the whole document cannot be the target of this operation');
  let node: JsonValue = doc;
  for (const t of tokens) {
    let next: JsonValue | undefined;
    if (Array.isArray(node)) next = node[arrayIndex(t, node.length, false)];
    else if (isObject(node)) next = node[t];
    if (next === undefined || next === null || typeof next !== 'object')
      throw new PatchError('failed', `doc is missing path: "${pointer}"`);
    node = next;
  }
  if (typeof node !== 'object' || node === null) throw new PatchError('failed', `doc is missing path: "${pointer}"`);
  return { parent: node, token };
}

function getAt(doc: JsonValue, pointer: string): JsonValue {
  if (pointer === '') return doc;
  const { parent, token } = parentOf(doc, pointer);
  const value = Array.isArray(parent) ? parent[arrayIndex(token, parent.length, false)] : parent[token];
  if (value === undefined) throw new PatchError('failed', `doc is missing path: "${pointer}"`);
  return value;
}

function removeAt(doc: JsonValue, pointer: string): JsonValue {
  const { parent, token } = parentOf(doc, pointer);
  if (Array.isArray(parent)) return parent.splice(arrayIndex(token, parent.length, false), 1)[0]!;
  if (!(token in parent)) throw new PatchError('failed', `doc is missing path: "${pointer}"`);
  const value = parent[token]!;
  Reflect.deleteProperty(parent, token);
  return value;
}

function addAt(doc: JsonValue, pointer: string, value: JsonValue, replace: boolean): JsonValue {
  if (pointer === '') return value;
  const { parent, token } = parentOf(doc, pointer);
  if (Array.isArray(parent)) {
    if (replace) parent[arrayIndex(token, parent.length, false)] = value;
    else parent.splice(arrayIndex(token, parent.length, true), 0, value);
  } else {
    if (replace && !(token in parent)) throw new PatchError('failed', `doc is missing key: "${pointer}"`);
    parent[token] = value;
  }
  return doc;
}

export function jsonPatch(target: JsonValue, patch: JsonValue): JsonValue {
  if (!Array.isArray(patch)) throw new PatchError('malformed', 'a JSON patch must be an array of operations');
  let doc = structuredClone(target);
  for (const raw of patch) {
    if (!isObject(raw) || typeof raw.op !== 'string' || typeof raw.path !== 'string')
      throw new PatchError('malformed', 'each JSON patch operation needs "op" and "path"');
    const { op, path } = raw;
    const needValue = () => {
      if (raw.value === undefined) throw new PatchError('malformed', `"${op}" operation needs a "value"`);
      return structuredClone(raw.value);
    };
    const from = () => {
      if (typeof raw.from !== 'string') throw new PatchError('malformed', `"${op}" operation needs a "from"`);
      return raw.from;
    };
    switch (op) {
      case 'add':
        doc = addAt(doc, path, needValue(), false);
        break;
      case 'replace':
        doc = addAt(doc, path, needValue(), true);
        break;
      case 'remove':
        removeAt(doc, path);
        break;
      case 'move': {
        const value = removeAt(doc, from());
        doc = addAt(doc, path, value, false);
        break;
      }
      case 'copy':
        doc = addAt(doc, path, structuredClone(getAt(doc, from())), false);
        break;
      case 'test':
        if (!deepEqual(getAt(doc, path), raw.value)) throw new PatchError('failed', `testing value ${path} failed`);
        break;
      default:
        throw new PatchError('malformed', `unknown JSON patch operation "${op}"`);
    }
  }
  return doc;
}

// ---- Strategic merge patch ----

/** How a list field merges: by a key of its elements, as a set of primitives, or replaced whole. */
export type ListStrategy = { readonly mergeKey: string } | 'merge-primitives' | 'replace';

const CONTAINER_LISTS = new Set(['containers', 'initContainers', 'ephemeralContainers']);
const BY_NAME = new Set([
  ...CONTAINER_LISTS,
  'env',
  'volumes',
  'imagePullSecrets',
  'resourceClaims',
  'schedulingGates',
]);

/**
 * The patch strategy of the list at `path` (field names from the object's root, list elements not counted), from
 * the `patchStrategy`/`patchMergeKey` tags of kubernetes/api's types for the fields these resources use.
 */
export function listStrategyOf(path: readonly string[]): ListStrategy {
  const field = path[path.length - 1] ?? '';
  const parent = path[path.length - 2] ?? '';
  if (field === 'ports') return { mergeKey: CONTAINER_LISTS.has(parent) ? 'containerPort' : 'port' };
  if (BY_NAME.has(field)) return { mergeKey: 'name' };
  if (field === 'volumeMounts') return { mergeKey: 'mountPath' };
  if (field === 'volumeDevices') return { mergeKey: 'devicePath' };
  if (field === 'hostAliases') return { mergeKey: 'ip' };
  if (field === 'ownerReferences') return { mergeKey: 'uid' };
  if (field === 'conditions') return { mergeKey: 'type' };
  if (field === 'topologySpreadConstraints') return { mergeKey: 'topologyKey' };
  if (field === 'finalizers' && parent === 'metadata') return 'merge-primitives';
  return 'replace';
}

const DIRECTIVE = '$patch';
const RETAIN_KEYS = '$retainKeys';
const SET_ORDER = '$setElementOrder/';
const DELETE_PRIMITIVES = '$deleteFromPrimitiveList/';

function stripDirectives(patch: JsonObject): JsonObject {
  const result: JsonObject = {};
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith('$')) continue;
    result[key] = isObject(value) ? stripDirectives(value) : value;
  }
  return result;
}

function keyOf(element: JsonValue, mergeKey: string): JsonValue | undefined {
  return isObject(element) ? element[mergeKey] : undefined;
}

function orderBy(list: JsonValue[], order: JsonValue, mergeKey: string | undefined): JsonValue[] {
  if (!Array.isArray(order)) throw new PatchError('malformed', '$setElementOrder must be a list');
  const position = (element: JsonValue) => {
    const key = mergeKey === undefined ? element : keyOf(element, mergeKey);
    const index = order.findIndex((o) => deepEqual(mergeKey === undefined ? o : keyOf(o, mergeKey), key));
    return index < 0 ? Number.MAX_SAFE_INTEGER : index;
  };
  return list
    .map((element, index) => ({ element, index, position: position(element) }))
    .sort((a, b) => a.position - b.position || a.index - b.index)
    .map((e) => e.element);
}

function mergeList(original: JsonValue, patch: JsonValue[], path: readonly string[]): JsonValue[] {
  const strategy = listStrategyOf(path);
  const base = Array.isArray(original) ? original : [];
  if (strategy === 'replace') return patch.map((v) => (isObject(v) ? stripDirectives(v) : v));
  if (patch.some((e) => isObject(e) && e[DIRECTIVE] === 'replace')) {
    return patch.filter((e) => !(isObject(e) && e[DIRECTIVE] === 'replace'));
  }
  if (strategy === 'merge-primitives') {
    return [...base, ...patch.filter((v) => !base.some((b) => deepEqual(b, v)))];
  }
  const { mergeKey } = strategy;
  const result = [...base];
  for (const element of patch) {
    if (!isObject(element)) throw new PatchError('malformed', `list ${path.join('.')} needs objects with ${mergeKey}`);
    const key = element[mergeKey];
    if (key === undefined)
      throw new PatchError(
        'malformed',
        `map: ${JSON.stringify(element)} does not contain declared merge key: ${mergeKey}`,
      );
    const index = result.findIndex((e) => deepEqual(keyOf(e, mergeKey), key));
    if (element[DIRECTIVE] === 'delete') {
      if (index >= 0) result.splice(index, 1);
      continue;
    }
    if (index >= 0) result[index] = mergeMap(result[index]!, element, path);
    else result.push(mergeMap({}, element, path));
  }
  return result;
}

function mergeMap(original: JsonValue, patch: JsonObject, path: readonly string[]): JsonObject {
  const directive = patch[DIRECTIVE];
  if (directive === 'replace') return stripDirectives(patch);
  if (directive !== undefined && directive !== 'merge' && directive !== 'delete')
    throw new PatchError('malformed', `unknown patch directive ${JSON.stringify(directive)}`);
  let result: JsonObject = isObject(original) ? { ...original } : {};
  const retain = patch[RETAIN_KEYS];
  if (retain !== undefined) {
    if (!Array.isArray(retain)) throw new PatchError('malformed', '$retainKeys must be a list');
    result = Object.fromEntries(Object.entries(result).filter(([k]) => retain.includes(k)));
  }
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith('$')) continue;
    const fieldPath = [...path, key];
    if (value === null) Reflect.deleteProperty(result, key);
    else if (isObject(value)) {
      if (value[DIRECTIVE] === 'delete') Reflect.deleteProperty(result, key);
      else result[key] = mergeMap(result[key] ?? null, value, fieldPath);
    } else if (Array.isArray(value)) result[key] = mergeList(result[key] ?? null, value, fieldPath);
    else result[key] = value;
  }
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith(DELETE_PRIMITIVES)) {
      const field = key.slice(DELETE_PRIMITIVES.length);
      const current = result[field];
      if (!Array.isArray(value)) throw new PatchError('malformed', `${key} must be a list`);
      if (Array.isArray(current)) result[field] = current.filter((v) => !value.some((d) => deepEqual(d, v)));
    } else if (key.startsWith(SET_ORDER)) {
      const field = key.slice(SET_ORDER.length);
      const current = result[field];
      const strategy = listStrategyOf([...path, field]);
      if (Array.isArray(current))
        result[field] = orderBy(current, value, typeof strategy === 'object' ? strategy.mergeKey : undefined);
    }
  }
  return result;
}

/** Applies a strategic merge patch to an object of one of the served kinds. */
export function strategicMergePatch(target: JsonValue, patch: JsonValue): JsonValue {
  if (!isObject(patch)) throw new PatchError('malformed', 'a strategic merge patch must be a JSON object');
  return mergeMap(structuredClone(target), patch, []);
}

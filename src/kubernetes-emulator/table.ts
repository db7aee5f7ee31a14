// Server-side printing: the meta.k8s.io/v1 `Table` kubectl asks for on `kubectl get` (`Accept: …;as=Table;…`), with
// the columns the API server prints for each served kind.
import { isObject, type JsonObject, type JsonValue } from './json.js';
import type { KubeObject } from './object-store.js';
import { DEPLOYMENTS, NAMESPACES, PODS, REPLICA_SETS, SECRETS, SERVICES, type ResourceType } from './resource-types.js';
import { selectorString } from './selectors.js';

interface Column {
  readonly name: string;
  readonly type: 'string' | 'integer' | 'date';
  /** 0: always shown; 1: only with `-o wide`. */
  readonly priority: 0 | 1;
  readonly cell: (object: KubeObject, now: Date) => JsonValue;
}

/** apimachinery's duration.HumanDuration: `45s`, `3m12s`, `17m`, `5h3m`, `30h`, `3d4h`, `400d`, `2y10d`. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8)
    return hours % 24 === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  const years = Math.floor(hours / 24 / 365);
  const days = Math.floor(hours / 24) % 365;
  if (hours < 24 * 365 * 8) return days === 0 ? `${years}y` : `${years}y${days}d`;
  return `${years}y`;
}

const obj = (value: unknown): JsonObject => (isObject(value) ? value : {});
const num = (value: unknown) => (typeof value === 'number' ? value : 0);
const text = (value: unknown, fallback = '') => (typeof value === 'string' ? value : fallback);
const list = (value: unknown) => (Array.isArray(value) ? value.filter(isObject) : []);
const containers = (o: KubeObject) => list(obj(obj(obj(o.spec).template).spec).containers);

const NAME: Column = { name: 'Name', type: 'string', priority: 0, cell: (o) => o.metadata.name };
const AGE: Column = {
  name: 'Age',
  type: 'string',
  priority: 0,
  cell: (o, now) => humanDuration(now.getTime() - Date.parse(o.metadata.creationTimestamp)),
};
const WORKLOAD_WIDE: Column[] = [
  {
    name: 'Containers',
    type: 'string',
    priority: 1,
    cell: (o) =>
      containers(o)
        .map((c) => text(c.name))
        .join(','),
  },
  {
    name: 'Images',
    type: 'string',
    priority: 1,
    cell: (o) =>
      containers(o)
        .map((c) => text(c.image))
        .join(','),
  },
  {
    name: 'Selector',
    type: 'string',
    priority: 1,
    cell: (o) => selectorString(obj(obj(o.spec).selector)),
  },
];

function podStatus(o: KubeObject): string {
  const status = obj(o.status);
  const waiting = list(status.containerStatuses)
    .map((c) => obj(obj(c.state).waiting).reason)
    .find((reason) => typeof reason === 'string');
  return typeof waiting === 'string' ? waiting : typeof status.phase === 'string' ? status.phase : 'Unknown';
}

const COLUMNS = new Map<ResourceType, Column[]>([
  [
    DEPLOYMENTS,
    [
      NAME,
      {
        name: 'Ready',
        type: 'string',
        priority: 0,
        cell: (o) => `${num(obj(o.status).readyReplicas)}/${num(obj(o.spec).replicas)}`,
      },
      { name: 'Up-to-date', type: 'integer', priority: 0, cell: (o) => num(obj(o.status).updatedReplicas) },
      { name: 'Available', type: 'integer', priority: 0, cell: (o) => num(obj(o.status).availableReplicas) },
      AGE,
      ...WORKLOAD_WIDE,
    ],
  ],
  [
    REPLICA_SETS,
    [
      NAME,
      { name: 'Desired', type: 'integer', priority: 0, cell: (o) => num(obj(o.spec).replicas) },
      { name: 'Current', type: 'integer', priority: 0, cell: (o) => num(obj(o.status).replicas) },
      { name: 'Ready', type: 'integer', priority: 0, cell: (o) => num(obj(o.status).readyReplicas) },
      AGE,
      ...WORKLOAD_WIDE,
    ],
  ],
  [
    PODS,
    [
      NAME,
      {
        name: 'Ready',
        type: 'string',
        priority: 0,
        cell: (o) => {
          const statuses = list(obj(o.status).containerStatuses);
          return `${statuses.filter((c) => c.ready === true).length}/${list(obj(o.spec).containers).length}`;
        },
      },
      { name: 'Status', type: 'string', priority: 0, cell: podStatus },
      {
        name: 'Restarts',
        type: 'string',
        priority: 0,
        cell: (o) => String(list(obj(o.status).containerStatuses).reduce((n, c) => n + num(c.restartCount), 0)),
      },
      AGE,
      { name: 'IP', type: 'string', priority: 1, cell: (o) => text(obj(o.status).podIP, '<none>') },
      {
        name: 'Node',
        type: 'string',
        priority: 1,
        cell: (o) => text(obj(o.spec).nodeName, '<none>'),
      },
    ],
  ],
  [
    SERVICES,
    [
      NAME,
      { name: 'Type', type: 'string', priority: 0, cell: (o) => text(obj(o.spec).type, 'ClusterIP') },
      { name: 'Cluster-IP', type: 'string', priority: 0, cell: (o) => text(obj(o.spec).clusterIP, '<none>') },
      { name: 'External-IP', type: 'string', priority: 0, cell: () => '<none>' },
      {
        name: 'Port(s)',
        type: 'string',
        priority: 0,
        cell: (o) =>
          list(obj(o.spec).ports)
            .map((p) => `${num(p.port)}/${text(p.protocol, 'TCP')}`)
            .join(',') || '<none>',
      },
      AGE,
      {
        name: 'Selector',
        type: 'string',
        priority: 1,
        cell: (o) =>
          Object.entries(obj(obj(o.spec).selector))
            .map(([k, v]) => `${k}=${text(v)}`)
            .join(',') || '<none>',
      },
    ],
  ],
  [
    SECRETS,
    [
      NAME,
      { name: 'Type', type: 'string', priority: 0, cell: (o) => text(o.type, 'Opaque') },
      { name: 'Data', type: 'integer', priority: 0, cell: (o) => Object.keys(obj(o.data)).length },
      AGE,
    ],
  ],
  [
    NAMESPACES,
    [NAME, { name: 'Status', type: 'string', priority: 0, cell: (o) => text(obj(o.status).phase, 'Active') }, AGE],
  ],
]);

const DEFAULT_COLUMNS: Column[] = [
  NAME,
  {
    name: 'Data',
    type: 'integer',
    priority: 0,
    cell: (o) => Object.keys(obj(o.data)).length + Object.keys(obj(o.binaryData)).length,
  },
  AGE,
];

/** Whether the client asked for a Table (kubectl get without -o json/yaml/jsonpath). */
export const wantsTable = (accept: string | undefined) =>
  accept !== undefined && /as=Table/.test(accept) && /g=meta\.k8s\.io/.test(accept);

/** The Table of some objects; `includeObject` is the query parameter (None, Metadata — the default — or Object). */
export function tableOf(
  type: ResourceType,
  objects: readonly KubeObject[],
  now: Date,
  resourceVersion: string,
  includeObject: string | null,
): JsonObject {
  const columns = COLUMNS.get(type) ?? DEFAULT_COLUMNS;
  const rowObject = (o: KubeObject): JsonObject | undefined => {
    if (includeObject === 'None') return undefined;
    if (includeObject === 'Object') return o;
    return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata };
  };
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion },
    columnDefinitions: columns.map((c) => ({
      name: c.name,
      type: c.type,
      format: c === NAME ? 'name' : '',
      description: '',
      priority: c.priority,
    })),
    rows: objects.map((o) => {
      const object = rowObject(o);
      return { cells: columns.map((c) => c.cell(o, now)), ...(object ? { object } : {}) };
    }),
  };
}

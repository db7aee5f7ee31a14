// The resources the emulator serves, described once: discovery, paths, Status details and the store all read this.

export interface ResourceType {
  /** API group; '' for the core (legacy) group served under /api. */
  readonly group: string;
  readonly version: string;
  /** Plural resource name as it appears in paths. */
  readonly resource: string;
  readonly singular: string;
  readonly kind: string;
  readonly namespaced: boolean;
  readonly shortNames: readonly string[];
  readonly verbs: readonly string[];
  /** Subresources served under `<resource>/<name>/<subresource>`. */
  readonly subresources: readonly ('status' | 'scale')[];
  /** Whether writes to the spec raise `metadata.generation` (objects that a controller observes). */
  readonly hasGeneration: boolean;
}

const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

const type = (t: Omit<ResourceType, 'verbs' | 'subresources' | 'hasGeneration'> & Partial<ResourceType>) => ({
  verbs: ALL_VERBS,
  subresources: [],
  hasGeneration: false,
  ...t,
});

export const NAMESPACES = type({
  group: '',
  version: 'v1',
  resource: 'namespaces',
  singular: 'namespace',
  kind: 'Namespace',
  namespaced: false,
  shortNames: ['ns'],
  verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
  subresources: ['status'],
});

export const CONFIG_MAPS = type({
  group: '',
  version: 'v1',
  resource: 'configmaps',
  singular: 'configmap',
  kind: 'ConfigMap',
  namespaced: true,
  shortNames: ['cm'],
});

export const SECRETS = type({
  group: '',
  version: 'v1',
  resource: 'secrets',
  singular: 'secret',
  kind: 'Secret',
  namespaced: true,
  shortNames: [],
});

export const SERVICES = type({
  group: '',
  version: 'v1',
  resource: 'services',
  singular: 'service',
  kind: 'Service',
  namespaced: true,
  shortNames: ['svc'],
  verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
  subresources: ['status'],
});

/** Pods are made and removed by the ReplicaSet controller; clients may read and delete them. */
export const PODS = type({
  group: '',
  version: 'v1',
  resource: 'pods',
  singular: 'pod',
  kind: 'Pod',
  namespaced: true,
  shortNames: ['po'],
  verbs: ['delete', 'deletecollection', 'get', 'list', 'watch'],
  subresources: ['status'],
  hasGeneration: true,
});

export const DEPLOYMENTS = type({
  group: 'apps',
  version: 'v1',
  resource: 'deployments',
  singular: 'deployment',
  kind: 'Deployment',
  namespaced: true,
  shortNames: ['deploy'],
  subresources: ['status', 'scale'],
  hasGeneration: true,
});

export const REPLICA_SETS = type({
  group: 'apps',
  version: 'v1',
  resource: 'replicasets',
  singular: 'replicaset',
  kind: 'ReplicaSet',
  namespaced: true,
  shortNames: ['rs'],
  subresources: ['status', 'scale'],
  hasGeneration: true,
});

export const RESOURCE_TYPES: readonly ResourceType[] = [
  NAMESPACES,
  CONFIG_MAPS,
  SECRETS,
  SERVICES,
  PODS,
  DEPLOYMENTS,
  REPLICA_SETS,
];

/** `deployments.apps`, or `configmaps` for the core group: how messages name a resource. */
export const qualifiedResource = (t: ResourceType) => (t.group ? `${t.resource}.${t.group}` : t.resource);

/** The `apiVersion` of the objects: `apps/v1`, or `v1` for the core group. */
export const apiVersionOf = (t: ResourceType) => (t.group ? `${t.group}/${t.version}` : t.version);

export function findResourceType(group: string, version: string, resource: string): ResourceType | undefined {
  return RESOURCE_TYPES.find((t) => t.group === group && t.version === version && t.resource === resource);
}

/** The API groups besides the core one, each with its served version. */
export function apiGroups(): { readonly name: string; readonly version: string }[] {
  const names = [...new Set(RESOURCE_TYPES.filter((t) => t.group).map((t) => t.group))];
  return names.map((name) => ({ name, version: RESOURCE_TYPES.find((t) => t.group === name)!.version }));
}

// Discovery documents (/api, /apis, /api/v1, /apis/<group>/<version>, /version) in their plain JSON forms, which
// client-go accepts when it asked for aggregated discovery first.
import { apiGroups, RESOURCE_TYPES, type ResourceType } from './resource-types.js';

export const SERVER_VERSION = { major: '1', minor: '35', gitVersion: 'v1.35.0' } as const;

export function versionInfo() {
  return {
    ...SERVER_VERSION,
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2026-01-01T00:00:00Z',
    goVersion: 'go1.25.0',
    compiler: 'gc',
    platform: 'linux/amd64',
    emulator: 'backtrack-kubernetes-emulator',
  };
}

export function legacyVersions(serverAddress: string) {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

function groupDocument(name: string, version: string) {
  const groupVersion = { groupVersion: `${name}/${version}`, version };
  return { name, versions: [groupVersion], preferredVersion: groupVersion };
}

export function groupList() {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: apiGroups().map((g) => groupDocument(g.name, g.version)) };
}

export function group(name: string) {
  const found = apiGroups().find((g) => g.name === name);
  return found && { kind: 'APIGroup', apiVersion: 'v1', ...groupDocument(found.name, found.version) };
}

function subresourceEntries(t: ResourceType) {
  return t.subresources.map((sub) =>
    sub === 'scale'
      ? {
          name: `${t.resource}/scale`,
          singularName: '',
          namespaced: t.namespaced,
          group: 'autoscaling',
          version: 'v1',
          kind: 'Scale',
          verbs: ['get', 'patch', 'update'],
        }
      : {
          name: `${t.resource}/status`,
          singularName: '',
          namespaced: t.namespaced,
          kind: t.kind,
          verbs: ['get', 'patch', 'update'],
        },
  );
}

/** The APIResourceList of a group version, or undefined when it is not served. */
export function resourceList(groupName: string, version: string) {
  const types = RESOURCE_TYPES.filter((t) => t.group === groupName && t.version === version);
  if (types.length === 0) return undefined;
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: groupName ? `${groupName}/${version}` : version,
    resources: types.flatMap((t) => [
      {
        name: t.resource,
        singularName: t.singular,
        namespaced: t.namespaced,
        kind: t.kind,
        verbs: t.verbs,
        ...(t.shortNames.length ? { shortNames: t.shortNames } : {}),
        ...(t.group === 'apps' || t.resource === 'pods' || t.resource === 'services' ? { categories: ['all'] } : {}),
      },
      ...subresourceEntries(t),
    ]),
  };
}

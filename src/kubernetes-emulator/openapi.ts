// Just enough OpenAPI v3 for kubectl: an index of group versions and, per group version, the PATCH operation of each
// resource with its group-version-kind and the `fieldValidation` parameter. kubectl's default `--validate=strict`
// reads that the server validates fields itself and skips client-side schema validation. No schemas are served and
// PATCH does not list strategic merge, so `kubectl apply` computes its patches from its compiled-in types.
import { SERVER_VERSION } from './discovery.js';
import { canonicalJson } from './json.js';
import { sha256 } from '../common/hash.js';
import { RESOURCE_TYPES, type ResourceType } from './resource-types.js';

const groupVersionPath = (t: ResourceType) => (t.group ? `apis/${t.group}/${t.version}` : `api/${t.version}`);

function itemPath(t: ResourceType): string {
  const namespace = t.namespaced ? '/namespaces/{namespace}' : '';
  return `/${groupVersionPath(t)}${namespace}/${t.resource}/{name}`;
}

function groupVersionDocument(path: string) {
  const types = RESOURCE_TYPES.filter((t) => groupVersionPath(t) === path);
  if (types.length === 0) return undefined;
  const paths = Object.fromEntries(
    types.map((t) => [
      itemPath(t),
      {
        patch: {
          operationId: `patch${t.group ? 'Apps' : 'Core'}V1${t.kind}`,
          'x-kubernetes-action': 'patch',
          'x-kubernetes-group-version-kind': { group: t.group, version: t.version, kind: t.kind },
          parameters: [
            { name: 'dryRun', in: 'query', schema: { type: 'string' } },
            { name: 'fieldManager', in: 'query', schema: { type: 'string' } },
            { name: 'fieldValidation', in: 'query', schema: { type: 'string' } },
            { name: 'force', in: 'query', schema: { type: 'boolean' } },
          ],
          requestBody: {
            content: {
              'application/json-patch+json': { schema: { type: 'object' } },
              'application/merge-patch+json': { schema: { type: 'object' } },
              'application/apply-patch+yaml': { schema: { type: 'object' } },
            },
            required: true,
          },
          responses: { '200': { description: 'OK' } },
        },
      },
    ]),
  );
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: SERVER_VERSION.gitVersion },
    paths,
    components: { schemas: {} },
  };
}

/** The document at `/openapi<rest>`, or undefined (404). v2 is not served: kubectl falls back to v3. */
export function openApiDocument(rest: string): unknown {
  if (rest === '/v3') {
    const paths = [...new Set(RESOURCE_TYPES.map(groupVersionPath))];
    return {
      paths: Object.fromEntries(
        paths.map((p) => [
          p,
          {
            serverRelativeURL: `/openapi/v3/${p}?hash=${sha256(canonicalJson(groupVersionDocument(p)))
              .slice(0, 32)
              .toUpperCase()}`,
          },
        ]),
      ),
    };
  }
  return rest.startsWith('/v3/') ? groupVersionDocument(rest.slice(4)) : undefined;
}

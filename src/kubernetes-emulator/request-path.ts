// Reads a request path into what it addresses: a discovery document, an OpenAPI document or a resource.

export type ApiPath =
  | { readonly kind: 'legacy-versions' } // /api
  | { readonly kind: 'groups' } // /apis
  | { readonly kind: 'group'; readonly group: string } // /apis/<group>
  | { readonly kind: 'resource-list'; readonly group: string; readonly version: string } // /api/v1, /apis/<g>/<v>
  | { readonly kind: 'version' }
  | { readonly kind: 'health' }
  | { readonly kind: 'openapi'; readonly rest: string }
  | {
      readonly kind: 'resource';
      readonly group: string;
      readonly version: string;
      readonly namespace?: string;
      readonly resource: string;
      readonly name?: string;
      readonly subresource?: string;
    };

const HEALTH = new Set(['/healthz', '/livez', '/readyz']);
/** `/api/v1/namespaces/<name>/<x>` addresses the namespace's own subresource for these; else a namespaced list. */
const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

/** What `path` addresses, or undefined when nothing is served there. */
export function parseApiPath(path: string): ApiPath | undefined {
  const trimmed = path.length > 1 ? path.replace(/\/+$/, '') : path;
  if (trimmed === '/version') return { kind: 'version' };
  if (HEALTH.has(trimmed)) return { kind: 'health' };
  if (trimmed === '/openapi' || trimmed.startsWith('/openapi/')) return { kind: 'openapi', rest: trimmed.slice(8) };
  let segments: string[];
  try {
    segments = trimmed.split('/').slice(1).map(decodeURIComponent);
  } catch {
    return undefined;
  }
  if (segments.some((s) => s === '')) return undefined;
  let group: string;
  let version: string | undefined;
  let rest: string[];
  if (segments[0] === 'api') {
    if (segments.length === 1) return { kind: 'legacy-versions' };
    group = '';
    version = segments[1];
    rest = segments.slice(2);
  } else if (segments[0] === 'apis') {
    if (segments.length === 1) return { kind: 'groups' };
    group = segments[1]!;
    if (segments.length === 2) return { kind: 'group', group };
    version = segments[2];
    rest = segments.slice(3);
  } else {
    return undefined;
  }
  if (version === undefined) return undefined;
  if (rest.length === 0) return { kind: 'resource-list', group, version };
  const base = { kind: 'resource' as const, group, version };
  if (rest[0] === 'namespaces' && rest.length >= 3 && !(rest.length === 3 && NAMESPACE_SUBRESOURCES.has(rest[2]!))) {
    const [, namespace, resource, name, subresource, ...extra] = rest;
    if (extra.length) return undefined;
    return { ...base, namespace, resource: resource!, name, subresource };
  }
  const [resource, name, subresource, ...extra] = rest;
  if (extra.length) return undefined;
  return { ...base, resource: resource!, name, subresource };
}

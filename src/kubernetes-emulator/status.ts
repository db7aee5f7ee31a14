// Kubernetes-shaped errors: the `Status` object apimachinery's pkg/api/errors builds, with its reasons and codes.
import { qualifiedResource, type ResourceType } from './resource-types.js';

export interface StatusCause {
  readonly reason: string;
  readonly message: string;
  readonly field?: string;
}

export interface StatusDetails {
  readonly name?: string;
  readonly group?: string;
  /** The resource (plural) name, as the real server sends it — not the kind. */
  readonly kind?: string;
  readonly uid?: string;
  readonly causes?: readonly StatusCause[];
  readonly retryAfterSeconds?: number;
}

/** An answer the API gives instead of an object; thrown by handlers and turned into a Status once. */
export class KubeError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
    this.name = 'KubeError';
  }
}

export interface StatusObject {
  readonly kind: 'Status';
  readonly apiVersion: 'v1';
  readonly metadata: Record<string, never>;
  readonly status: 'Failure' | 'Success';
  readonly message?: string;
  readonly reason?: string;
  readonly details?: StatusDetails;
  readonly code: number;
}

export function failureStatus(error: KubeError): StatusObject {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: error.message,
    reason: error.reason,
    ...(error.details ? { details: error.details } : {}),
    code: error.code,
  };
}

/** What a DELETE answers once the object is gone. */
export function deletedStatus(type: ResourceType, name: string, uid: string): StatusObject {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Success',
    details: { name, group: type.group, kind: type.resource, uid },
    code: 200,
  };
}

const detailsOf = (type: ResourceType, name: string): StatusDetails => ({
  name,
  group: type.group,
  kind: type.resource,
});

export const notFound = (type: ResourceType, name: string) =>
  new KubeError(404, 'NotFound', `${qualifiedResource(type)} "${name}" not found`, detailsOf(type, name));

export const alreadyExists = (type: ResourceType, name: string) =>
  new KubeError(409, 'AlreadyExists', `${qualifiedResource(type)} "${name}" already exists`, detailsOf(type, name));

export const conflict = (type: ResourceType, name: string) =>
  new KubeError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualifiedResource(type)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    detailsOf(type, name),
  );

/** 422 with one cause per invalid field, worded like apimachinery's field errors. */
export function invalid(type: ResourceType, name: string, causes: readonly StatusCause[]): KubeError {
  const listed = causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message));
  const summary = listed.length === 1 ? listed[0] : `[${listed.join(', ')}]`;
  const kind = type.group ? `${type.kind}.${type.group}` : type.kind;
  return new KubeError(422, 'Invalid', `${kind} "${name}" is invalid: ${summary}`, {
    ...detailsOf(type, name),
    kind: type.kind,
    causes,
  });
}

export const badRequest = (message: string) => new KubeError(400, 'BadRequest', message);

export const unauthorized = () => new KubeError(401, 'Unauthorized', 'Unauthorized');

export const pathNotFound = () => new KubeError(404, 'NotFound', 'the server could not find the requested resource');

export const methodNotAllowed = (method: string) =>
  new KubeError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource (${method})`);

export const unsupportedMediaType = (contentType: string) =>
  new KubeError(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: application/json, application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json (got ${contentType || 'none'})`,
  );

export const expired = (message: string) => new KubeError(410, 'Expired', message);

export const namespaceNotFound = (namespace: string) =>
  new KubeError(404, 'NotFound', `namespaces "${namespace}" not found`, { name: namespace, kind: 'namespaces' });

// Cloud Foundry's error shape: `{"errors":[{code, title, detail}]}`, always a list, with the HTTP status beside it.

export interface CfErrorBody {
  readonly errors: readonly { readonly code: number; readonly title: string; readonly detail: string }[];
}

export class CfError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    readonly title: string,
    readonly detail: string,
    /** Seconds, sent as `Retry-After` (a 429 carries it). */
    readonly retryAfter?: number,
  ) {
    super(detail);
  }

  body(): CfErrorBody {
    return { errors: [{ code: this.code, title: this.title, detail: this.detail }] };
  }
}

export const badQueryParameter = (detail: string) => new CfError(400, 10005, 'CF-BadQueryParameter', detail);
export const badRequest = (detail: string) => new CfError(400, 1001, 'CF-MessageParseError', detail);
export const invalidAuthToken = () => new CfError(401, 1000, 'CF-InvalidAuthToken', 'Invalid Auth Token');
export const notAuthenticated = () => new CfError(401, 10002, 'CF-NotAuthenticated', 'Authentication error');
export const unprocessable = (detail: string) => new CfError(422, 10008, 'CF-UnprocessableEntity', detail);
export const unknownError = () => new CfError(500, 10001, 'UnknownError', 'An unknown error occurred.');
export const notFound = (resource: string) => new CfError(404, 10010, 'CF-ResourceNotFound', `${resource} not found`);
export const invalidRequestBody = (detail: string) => new CfError(422, 10008, 'CF-UnprocessableEntity', detail);

/** The `title` CF uses for a code, so an injected fault only needs the code. */
export const KNOWN_ERRORS: Readonly<Record<number, { status: number; title: string; detail: string }>> = {
  1000: { status: 401, title: 'CF-InvalidAuthToken', detail: 'Invalid Auth Token' },
  10001: { status: 500, title: 'UnknownError', detail: 'An unknown error occurred.' },
  10002: { status: 401, title: 'CF-NotAuthenticated', detail: 'Authentication error' },
  10003: { status: 403, title: 'CF-NotAuthorized', detail: 'You are not authorized to perform the requested action' },
  10005: { status: 400, title: 'CF-BadQueryParameter', detail: 'The query parameter is invalid' },
  10008: { status: 422, title: 'CF-UnprocessableEntity', detail: 'The request is semantically invalid' },
  10010: { status: 404, title: 'CF-ResourceNotFound', detail: 'Resource not found' },
  10015: { status: 503, title: 'CF-ServiceUnavailable', detail: 'Service unavailable' },
  20008: { status: 429, title: 'CF-UaaRateLimited', detail: 'Rate Limit Exceeded: Unauthorized' },
};

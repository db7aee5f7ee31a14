import {
  Injectable,
  Logger,
  SetMetadata,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { RESPONSE_PASSTHROUGH_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum.js';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { catchError, from, mergeMap, of, throwError, type Observable } from 'rxjs';
import { IdempotencyService, type StoredResponse } from './idempotency.service.js';
import { requestFingerprint } from './request-fingerprint.js';

const SECRET_FIELD = 'backtrack:idempotency-secret-field';
const CLAIMED = Symbol('idempotency-claimed');
const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** Response headers a replay repeats (the body and status are always repeated). */
const REPLAYED_HEADERS = ['location'];

/**
 * Marks a route whose response holds a secret shown only once (`field` of the body, e.g. a new token): the stored
 * response leaves it out, and a replay answers 409 naming what was created instead of the secret.
 */
export const SecretInResponse = (field: string) => SetMetadata(SECRET_FIELD, field);

type IdempotentRequest = Request & {
  principal?: { tokenId: string };
  file?: { fieldname: string; buffer: Buffer };
  files?: unknown;
  [CLAIMED]?: boolean;
};

/**
 * `Idempotency-Key` on every write (POST, PUT, PATCH, DELETE) of an authenticated caller, applied once for the whole
 * API (APP_INTERCEPTOR). Global interceptors run before a route's own, so a multipart upload's file is not parsed
 * yet: such a route lists this interceptor again after its FileInterceptor, and only that instance handles the key.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  private readonly logger = new Logger('Idempotency');

  constructor(
    private readonly keys: IdempotencyService,
    private readonly reflector: Reflector,
  ) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    if (context.getType() !== 'http') return next.handle();
    const req = context.switchToHttp().getRequest<IdempotentRequest>();
    const res = context.switchToHttp().getResponse<Response>();
    const header = req.headers['idempotency-key'];
    const key = Array.isArray(header) ? header[0] : header;
    const scope = req.principal?.tokenId;
    if (!key || !scope || !WRITES.has(req.method) || req[CLAIMED] || awaitsMultipart(req)) return next.handle();
    req[CLAIMED] = true;
    const hash = requestFingerprint({ method: req.method, url: req.originalUrl, body: req.body, file: req.file });
    const outcome = await this.keys.begin(scope, key, hash);
    if (outcome.replay) return of(this.send(context, res, outcome.response));
    const secret = this.reflector.get<string | undefined>(SECRET_FIELD, context.getHandler());
    return next.handle().pipe(
      // A refused or failed request stores nothing: the same key may be sent again once the request is fixed.
      catchError((error: unknown) => from(this.keys.release(scope, key)).pipe(mergeMap(() => throwError(() => error)))),
      mergeMap(async (body: unknown) => {
        await this.remember(scope, key, res, body, secret);
        return body;
      }),
    );
  }

  /**
   * Stores the response of a request that succeeded. When it cannot be stored (the route wrote its response itself,
   * or the database failed), the key is let go rather than left pending: the caller still gets its answer.
   */
  private async remember(scope: string, key: string, res: Response, body: unknown, secret: string | undefined) {
    try {
      if (res.headersSent) await this.keys.release(scope, key);
      else await this.keys.complete(scope, key, stored(res, body, secret), secret);
    } catch (error) {
      this.logger.warn(`The response for an Idempotency-Key could not be stored: ${String(error)}`);
      await this.keys.release(scope, key).catch(() => undefined);
    }
  }

  /** Puts the stored response on `res`; returns the body for Nest to send (or sends it, for a route using @Res). */
  private send(context: ExecutionContext, res: Response, response: StoredResponse): unknown {
    res.status(response.status).set(response.headers ?? {});
    if (!handlesResponse(context)) return response.body;
    res.json(response.body);
    return undefined;
  }
}

/** A multipart request whose file the route's FileInterceptor has not parsed yet. */
function awaitsMultipart(req: IdempotentRequest): boolean {
  return typeof req.is('multipart/form-data') === 'string' && req.file === undefined && req.files === undefined;
}

function stored(res: Response, body: unknown, secret: string | undefined): StoredResponse {
  const headers: Record<string, string> = {};
  for (const name of REPLAYED_HEADERS) {
    const value = res.getHeader(name);
    if (typeof value === 'string') headers[name === 'location' ? 'Location' : name] = value;
  }
  let kept = body;
  if (secret && body !== null && typeof body === 'object' && secret in body) {
    kept = Object.fromEntries(Object.entries(body).filter(([k]) => k !== secret));
  }
  return { status: res.statusCode, body: kept, headers };
}

/** Whether the route sends its response itself (@Res() without passthrough), as Nest decides it. */
function handlesResponse(context: ExecutionContext): boolean {
  const controller = context.getClass();
  const method = context.getHandler().name;
  const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, method) ?? {}) as Record<string, unknown>;
  const handling = new Set<string>([String(RouteParamtypes.RESPONSE), String(RouteParamtypes.NEXT)]);
  const usesResponse = Object.keys(args).some((k) => handling.has(k.split(':')[0] ?? ''));
  return usesResponse && !Reflect.getMetadata(RESPONSE_PASSTHROUGH_METADATA, controller, method);
}

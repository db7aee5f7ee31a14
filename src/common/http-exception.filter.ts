import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import { STATUS_CODES } from 'node:http';
import { AppError } from './errors.js';
import { jsonTooLargeMessage, uploadTooLargeMessage } from './sizes.js';

/** Maps every failure to one JSON shape: {statusCode, error, message, …details}. Unknown errors are logged, not shown. */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const req = host.switchToHttp().getRequest<Request | undefined>();
    const { status, message, details } = describe(exception, req?.headers['content-type']);
    if (status >= 500 && !(exception instanceof AppError)) {
      this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    }
    if (res.headersSent) {
      res.end();
      return;
    }
    res.status(status).json({ statusCode: status, error: STATUS_CODES[status] ?? 'Error', message, ...details });
  }
}

function describe(
  exception: unknown,
  contentType?: string,
): { status: number; message: string; details?: Record<string, unknown> } {
  if (exception instanceof AppError)
    return { status: exception.status, message: exception.message, details: exception.details };
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const body = exception.getResponse();
    const raw = typeof body === 'object' && 'message' in body ? body.message : exception.message;
    let message = Array.isArray(raw) ? raw.join('; ') : String(raw);
    if (/uuid is expected/i.test(message)) message = 'The id in the path must be a UUID.';
    if (status === 404 && /^Cannot (GET|POST|PUT|PATCH|DELETE)/.test(message))
      message = `${message}: no such route; see /api/docs.`;
    if (status === 413) return { status, message: tooLargeMessage(exception.cause, contentType) };
    if (status === 400 && isJsonSyntaxError(exception))
      message = `The request body is not valid JSON (${message.replace(/\.$/, '')}); fix its syntax.`;
    return { status, message: punctuate(message) };
  }
  const status =
    (exception as { status?: unknown; statusCode?: unknown } | null)?.status ??
    (exception as { statusCode?: unknown } | null)?.statusCode;
  const type = (exception as { type?: unknown } | null)?.type;
  if (type === 'entity.parse.failed')
    return { status: 400, message: 'The request body is not valid JSON; fix its syntax.' };
  if (type === 'entity.too.large') return { status: 413, message: tooLargeMessage(exception, contentType) };
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return { status, message: punctuate(exception instanceof Error ? exception.message : 'The request was refused') };
  }
  return { status: 500, message: 'Internal error; the server log has the details.' };
}

/** A body parser's 413 says what was too large: a zip upload, or a JSON request (whose limit is much lower). */
function tooLargeMessage(cause: unknown, contentType = ''): string {
  const limit = (cause as { limit?: unknown } | null | undefined)?.limit;
  const isJson = /json|urlencoded/i.test(contentType);
  if (typeof limit !== 'number') {
    if (isJson) return 'The request body is too large: send less in one request.';
    return 'The upload is too large: send a smaller zip.';
  }
  return isJson ? jsonTooLargeMessage(limit) : uploadTooLargeMessage(limit);
}

function isJsonSyntaxError(exception: HttpException): boolean {
  return exception.cause instanceof SyntaxError || /JSON/.test(exception.message);
}

function punctuate(message: string): string {
  return /[.!?]$/.test(message) ? message : `${message}.`;
}

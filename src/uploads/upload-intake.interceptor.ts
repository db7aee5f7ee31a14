import {
  BadRequestException,
  Inject,
  Injectable,
  PayloadTooLargeException,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import type { MulterModuleOptions } from '@nestjs/platform-express';
import type { Request } from 'express';
import { catchError, type Observable } from 'rxjs';
import { BadRequestError, PayloadTooLargeError } from '../common/errors.js';
import { uploadTooLargeMessage } from '../common/sizes.js';
import { CONFIG } from '../config/config.module.js';
import type { Config } from '../config/config.js';

/** Room for a multipart body's boundaries and part headers around the zip itself. */
export const MULTIPART_OVERHEAD_BYTES = 64 * 1024;

export const UPLOAD_HOW =
  'Send the zip as multipart field "file" (one file), or as the request body with Content-Type: application/zip.';

/**
 * Multer's limits for an upload: the zip (multipart field `file`) streams into memory only up to UPLOAD_MAX_BYTES,
 * one file and a few small text fields at most; past a limit the rest of the body is discarded, never buffered.
 */
export function uploadMulterOptions(config: Pick<Config, 'UPLOAD_MAX_BYTES'>): MulterModuleOptions {
  return {
    limits: {
      fileSize: config.UPLOAD_MAX_BYTES,
      files: 1,
      fields: 10,
      parts: 12,
      fieldSize: 64 * 1024,
      headerPairs: 100,
    },
  };
}

/**
 * Applies UPLOAD_MAX_BYTES to a multipart upload before any of it is read (a declared Content-Length over the limit
 * is refused at once) and while it streams (multer's `fileSize`), and turns multer's terse errors into sentences.
 * Raw `application/zip` bodies get the same limit from the body parser (see bootstrap).
 * Place it before FileInterceptor: `@UseInterceptors(UploadIntakeInterceptor, FileInterceptor('file'))`.
 */
@Injectable()
export class UploadIntakeInterceptor implements NestInterceptor {
  constructor(@Inject(CONFIG) private readonly config: Config) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = context.switchToHttp().getRequest<Request>();
    const limit = this.config.UPLOAD_MAX_BYTES;
    const declared = Number(req.headers['content-length']);
    const multipart = /^multipart\//i.test(req.headers['content-type'] ?? '');
    if (multipart && Number.isFinite(declared) && declared > limit + MULTIPART_OVERHEAD_BYTES) {
      throw new PayloadTooLargeError(uploadTooLargeMessage(limit), { limit });
    }
    return next.handle().pipe(
      catchError((error: unknown) => {
        if (error instanceof PayloadTooLargeException)
          throw new PayloadTooLargeError(uploadTooLargeMessage(limit), { limit });
        if (error instanceof BadRequestException && multipart) {
          throw new BadRequestError(`The multipart body was refused (${error.message}): ${UPLOAD_HOW}`);
        }
        throw error;
      }),
    );
  }
}

import type { NextFunction, Request, Response } from 'express';
import { PayloadTooLargeError } from '../../common/errors.js';
import { BodyTooLargeError, readBody } from '../../common/http-io.js';
import { formatBytes } from '../../common/sizes.js';

/** `POST /api/packages/:name/versions/:version`, whose body is the package. */
const UPLOAD_ROUTE = /^\/api\/packages\/[^/]+\/versions\/[^/]+\/?$/;

/** The 413 sentence for a package body over PACKAGE_MAX_BYTES. */
export function packageTooLargeMessage(limit: number): string {
  return `The package is larger than the ${formatBytes(limit)} PACKAGE_MAX_BYTES allows: upload a smaller package (or raise the limit).`;
}

/**
 * Reads a package upload's body, whatever its content type, up to PACKAGE_MAX_BYTES (a declared Content-Length over
 * it is refused before anything is read; past it, the rest is discarded, never buffered). Registered before the
 * other body parsers, so that their limits (UPLOAD_MAX_BYTES, 2 MB of JSON) do not apply to packages.
 */
export function packageBodyReader(limit: number) {
  const tooLarge = () => new PayloadTooLargeError(packageTooLargeMessage(limit), { limit });
  return (req: Request, _res: Response, next: NextFunction): void => {
    if (req.method !== 'POST' || !UPLOAD_ROUTE.test(req.path)) return next();
    if (Number(req.headers['content-length']) > limit) return next(tooLarge());
    readBody(req, limit).then(
      (body) => {
        req.body = body;
        next();
      },
      (error: unknown) => next(error instanceof BodyTooLargeError ? tooLarge() : error),
    );
  };
}

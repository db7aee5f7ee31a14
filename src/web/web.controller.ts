import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Controller, Get, NotFoundException, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Public } from '../auth/auth.decorators.js';

/** The UI's files, served from the source tree (no build step): dist/src/web/ → src/web/public/. */
export const PUBLIC_DIR = fileURLToPath(new URL('../../../src/web/public/', import.meta.url));

/** Scripts, styles and images of the UI itself only; everything the UI shows comes from the API. */
const CONTENT_SECURITY_POLICY =
  "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/**
 * The web UI at `/`: a file of `src/web/public/` when the path names one, `index.html` for any other page path
 * (the UI routes on the client). Registered after every API module, so API routes keep precedence; an unknown
 * `/api/…` path still answers the API's JSON 404.
 */
@ApiExcludeController()
@Public()
@Controller()
export class WebController {
  @Get('{*path}')
  async serve(@Req() req: Request, @Res() res: Response): Promise<void> {
    if (req.path === '/api' || req.path.startsWith('/api/')) throw new NotFoundException(`Cannot GET ${req.path}`);
    const file = path.join(PUBLIC_DIR, path.normalize(req.path));
    const isAsset = file.startsWith(PUBLIC_DIR) && (await fs.stat(file).catch(() => null))?.isFile() === true;
    if (!isAsset && path.extname(req.path)) throw new NotFoundException(`Cannot GET ${req.path}`);
    res.setHeader('Cache-Control', 'no-cache');
    res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.sendFile(isAsset ? file : path.join(PUBLIC_DIR, 'index.html'));
  }
}

import { Controller, Get, Inject, Param, ParseUUIDPipe, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { CurrentPrincipal } from '../auth/auth.decorators.js';
import type { Principal } from '../auth/permissions.js';
import { TokensService } from '../auth/tokens.service.js';
import { parseInput } from '../common/validation.js';
import type { Config } from '../config/config.js';
import { CONFIG } from '../config/config.module.js';
import { streamJob } from './job-stream.js';
import { jobEtag } from './job-status-cache.js';
import { JobsService, presentComponent, presentLog } from './jobs.service.js';

const LogsQuery = z.object({
  component: z.string().min(3).optional(),
  after: z.coerce.number().int().min(0).optional(),
  limit: z.coerce.number().int().min(1).max(5000).optional(),
});

@ApiTags('jobs')
@ApiBearerAuth()
@Controller('api/jobs')
export class JobsController {
  constructor(
    private readonly jobs: JobsService,
    @Inject(CONFIG) private readonly config: Pick<Config, 'SSE_HEARTBEAT_SECONDS'>,
    private readonly tokens: TokensService,
  ) {}

  /**
   * Status for pollers: a matching If-None-Match answers 304; both answers come from memory while the job is
   * unchanged (ADR 0021).
   */
  @Get(':id')
  async get(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Req() req: Request,
    @Res() res: Response,
    @CurrentPrincipal() principal: Principal,
  ) {
    const status = await this.jobs.status(id, principal);
    const etag = jobEtag(id, status.version);
    res.setHeader('Cache-Control', 'no-cache');
    res.setHeader('ETag', etag);
    if (req.headers['if-none-match'] === etag) {
      res.status(304).end();
      return;
    }
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.send(status.body);
  }

  @Get(':id/components')
  async components(@Param('id', new ParseUUIDPipe()) id: string, @CurrentPrincipal() principal: Principal) {
    await this.jobs.assertReadable(id, principal);
    return { items: (await this.jobs.listComponents(id)).map(presentComponent) };
  }

  @Get(':id/logs')
  async logs(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Query() query: unknown,
    @CurrentPrincipal() principal: Principal,
  ) {
    await this.jobs.assertReadable(id, principal);
    const q = parseInput(LogsQuery, query, 'query');
    const items = (await this.jobs.listLogs(id, q)).map(presentLog);
    return { items, nextAfter: items.at(-1)?.seq ?? q.after ?? 0 };
  }

  /**
   * Server-Sent Events: `log` events (id = seq), `status` when the job changes, `end` once it finished and all lines
   * were sent; a `: heartbeat` comment every SSE_HEARTBEAT_SECONDS keeps proxies from closing a quiet stream. The
   * stream closes (event `revoked`) as soon as the token is revoked.
   */
  @Get(':id/logs/stream')
  async stream(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Query() query: unknown,
    @Req() req: Request,
    @Res() res: Response,
    @CurrentPrincipal() principal: Principal,
  ) {
    const q = parseInput(LogsQuery, query, 'query');
    await this.jobs.assertReadable(id, principal);
    await streamJob(
      this.jobs,
      this.tokens,
      {
        jobId: id,
        component: q.component,
        after: q.after,
        principal,
        heartbeatMs: this.config.SSE_HEARTBEAT_SECONDS * 1000,
        presentJob: (job) => this.jobs.present(job),
        presentLine: presentLog,
      },
      req,
      res,
    );
  }
}

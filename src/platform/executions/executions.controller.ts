import { Body, Controller, Get, Inject, Param, ParseUUIDPipe, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentPrincipal, RequirePermission } from '../../auth/auth.decorators.js';
import type { Principal } from '../../auth/permissions.js';
import { TokensService } from '../../auth/tokens.service.js';
import { parseInput } from '../../common/validation.js';
import { CONFIG } from '../../config/config.module.js';
import type { Config } from '../../config/config.js';
import { streamJob } from '../../jobs/job-stream.js';
import type { Job } from '../../jobs/job.entity.js';
import { JobsService } from '../../jobs/jobs.service.js';
import { presentExecutionLog } from './execution-presentation.js';
import { ExecutionRollbacksService, StartExecutionRollbackBody } from './execution-rollbacks.service.js';
import {
  CreateExecutionBody,
  ExecutionLogsQuery,
  ExecutionsService,
  ListExecutionsQuery,
} from './executions.service.js';

/** Executions of pipelines and their rollbacks (docs/platform-api.md); the work is in the services. */
@ApiTags('executions')
@ApiBearerAuth()
@Controller('api')
export class ExecutionsController {
  constructor(
    private readonly executions: ExecutionsService,
    private readonly rollbacks: ExecutionRollbacksService,
    private readonly jobs: JobsService,
    private readonly tokens: TokensService,
    @Inject(CONFIG) private readonly config: Pick<Config, 'SSE_HEARTBEAT_SECONDS'>,
  ) {}

  /** Runs the pipeline's latest version: 202 with the execution (Idempotency-Key: see IdempotencyInterceptor). */
  @Post('pipelines/:id/executions')
  @RequirePermission('deploy')
  async create(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: unknown,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) res: Response,
  ) {
    return this.accepted(res, await this.executions.create(id, parseInput(CreateExecutionBody, body ?? {}), principal));
  }

  /** Activities: executions and rollbacks newest first, only those wholly in the token's environments. */
  @Get('executions')
  async list(@Query() query: unknown, @CurrentPrincipal() principal: Principal) {
    const jobs = await this.executions.list(parseInput(ListExecutionsQuery, query, 'query'), principal);
    return { executions: await this.executions.present(jobs) };
  }

  /** An execution with its stages; `If-None-Match` with its ETag answers 304 after reading only the version. */
  @Get('executions/:id')
  async get(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Req() req: Request,
    @Res() res: Response,
    @CurrentPrincipal() principal: Principal,
  ) {
    const version = await this.executions.readableVersion(id, principal);
    res.setHeader('Cache-Control', 'no-cache');
    if (version !== null && req.headers['if-none-match'] === `"${version}"`) {
      res.setHeader('ETag', `"${version}"`);
      res.status(304).end();
      return;
    }
    const job = await this.executions.get(id);
    res.setHeader('ETag', `"${job.version}"`);
    res.json(await this.executions.presentOne(job));
  }

  @Get('executions/:id/logs')
  async logs(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Query() query: unknown,
    @CurrentPrincipal() principal: Principal,
  ) {
    const q = parseInput(ExecutionLogsQuery, query, 'query');
    const job = await this.executions.getReadable(id, principal);
    return { logs: await this.executions.logs(job, q) };
  }

  /** Server-Sent Events like GET /api/jobs/:id/logs/stream, of one stage's lines with `?stage=`. */
  @Get('executions/:id/events')
  async events(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Query() query: unknown,
    @Req() req: Request,
    @Res() res: Response,
    @CurrentPrincipal() principal: Principal,
  ) {
    const q = parseInput(ExecutionLogsQuery, query, 'query');
    const job = await this.executions.getReadable(id, principal);
    const component = await this.executions.stageComponent(job, q.stage);
    await streamJob(
      this.jobs,
      this.tokens,
      {
        jobId: id,
        component,
        after: q.after,
        principal,
        heartbeatMs: this.config.SSE_HEARTBEAT_SECONDS * 1000,
        presentJob: (current) => this.executions.presentOne(current),
        presentLine: presentExecutionLog,
      },
      req,
      res,
    );
  }

  /** Whether the execution can be rolled back now, and what each stage would do (or why not). */
  @Get('executions/:id/rollback')
  async offer(@Param('id', new ParseUUIDPipe()) id: string, @CurrentPrincipal() principal: Principal) {
    return this.rollbacks.offer(await this.executions.getReadable(id, principal), principal);
  }

  @Post('executions/:id/rollback')
  async rollback(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: unknown,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) res: Response,
  ) {
    const execution = await this.executions.getReadable(id, principal);
    const input = parseInput(StartExecutionRollbackBody, body ?? {});
    return this.accepted(res, await this.rollbacks.start(execution, input, principal));
  }

  private async accepted(res: Response, job: Job) {
    res.status(202).set('Location', `/api/executions/${job.id}`);
    return this.executions.presentOne(job);
  }
}

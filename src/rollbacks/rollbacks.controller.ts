import { Body, Controller, Get, Headers, Param, ParseUUIDPipe, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentPrincipal, RequirePermission } from '../auth/auth.decorators.js';
import type { Principal } from '../auth/permissions.js';
import { parseInput } from '../common/validation.js';
import { IdempotencyService } from '../idempotency/idempotency.service.js';
import type { Job } from '../jobs/job.entity.js';
import { JobsService } from '../jobs/jobs.service.js';
import { RollbackLatestBody, RollbacksService, StartRollbackBody } from './rollbacks.service.js';

@ApiTags('rollbacks')
@ApiBearerAuth()
@Controller('api')
export class RollbacksController {
  constructor(
    private readonly rollbacks: RollbacksService,
    private readonly jobs: JobsService,
    private readonly idempotency: IdempotencyService,
  ) {}

  /** Rollback candidates of a deploy job: one row per component it changed, and whether each is available. */
  @Get('jobs/:id/rollback')
  async candidates(@Param('id', new ParseUUIDPipe()) id: string) {
    const { deploy, snapshot, verdict, candidates, unchanged } = await this.rollbacks.candidates(id);
    return {
      deployJobId: deploy.id,
      rollbackable: verdict.rollbackable,
      reason: verdict.reason,
      snapshot: snapshot ? { id: snapshot.id, status: snapshot.status, createdAt: snapshot.createdAt, expiresAt: snapshot.expiresAt, checksum: snapshot.checksum } : null,
      items: candidates,
      unchanged,
    };
  }

  /** Starts a Rollback job for the named components (Add) or all of them (Add all). */
  @Post('jobs/:id/rollback')
  @RequirePermission('rollback')
  async start(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: unknown,
    @Headers('idempotency-key') key: string | undefined,
    @CurrentPrincipal() principal: Principal,
    @Res() res: Response,
  ) {
    await this.respond(res, principal, key, { id, body }, () => this.rollbacks.start(id, parseInput(StartRollbackBody, body), principal));
  }

  /** For pipelines: rolls back the last deploy of the branch (id or name) to the org, or says why it cannot. */
  @Post('branches/:id/rollback')
  @RequirePermission('rollback')
  async startLatest(
    @Param('id') branch: string,
    @Body() body: unknown,
    @Headers('idempotency-key') key: string | undefined,
    @CurrentPrincipal() principal: Principal,
    @Res() res: Response,
  ) {
    await this.respond(res, principal, key, { branch, body }, () => this.rollbacks.startLatest(branch, parseInput(RollbackLatestBody, body), principal));
  }

  private async respond(res: Response, principal: Principal, key: string | undefined, request: unknown, start: () => Promise<Job>) {
    const response = await this.idempotency.run(principal, key, request, async () => {
      const job = await start();
      return { status: 202, body: await this.jobs.present(job), headers: { Location: `/api/jobs/${job.id}` } };
    });
    res.status(response.status).set(response.headers ?? {}).json(response.body);
  }
}

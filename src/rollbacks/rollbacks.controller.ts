import { Body, Controller, Get, Param, ParseUUIDPipe, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentPrincipal, RequirePermission } from '../auth/auth.decorators.js';
import type { Principal } from '../auth/permissions.js';
import { parseInput } from '../common/validation.js';
import type { Job } from '../jobs/job.entity.js';
import { JobsService } from '../jobs/jobs.service.js';
import { withChangedLaterBy } from './later-deploys.js';
import { RollbackLatestBody, RollbacksService, StartRollbackBody } from './rollbacks.service.js';

@ApiTags('rollbacks')
@ApiBearerAuth()
@Controller('api')
export class RollbacksController {
  constructor(
    private readonly rollbacks: RollbacksService,
    private readonly jobs: JobsService,
  ) {}

  /** Rollback candidates of a deploy job: one row per component it changed, and whether each is available. */
  @Get('jobs/:id/rollback')
  async candidates(@Param('id', new ParseUUIDPipe()) id: string, @CurrentPrincipal() principal: Principal) {
    await this.jobs.assertReadable(id, principal);
    const { deploy, snapshot, verdict, candidates, unchanged } = await this.rollbacks.candidates(id);
    const changedLater = await this.rollbacks.changedLater(deploy.id, candidates);
    return {
      deployJobId: deploy.id,
      rollbackable: verdict.rollbackable,
      reason: verdict.reason,
      snapshot: snapshot
        ? {
            id: snapshot.id,
            status: snapshot.status,
            createdAt: snapshot.createdAt,
            expiresAt: snapshot.expiresAt,
            checksum: snapshot.checksum,
          }
        : null,
      items: withChangedLaterBy(candidates, changedLater),
      unchanged,
    };
  }

  /** Starts a Rollback job for the named components (Add) or all of them (Add all). */
  @Post('jobs/:id/rollback')
  @RequirePermission('rollback')
  async start(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: unknown,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) res: Response,
  ) {
    return this.accepted(res, await this.rollbacks.start(id, parseInput(StartRollbackBody, body), principal));
  }

  /** For pipelines: rolls back the last deploy of the branch (id or name) to the org, or says why it cannot. */
  @Post('branches/:id/rollback')
  @RequirePermission('rollback')
  async startLatest(
    @Param('id') branch: string,
    @Body() body: unknown,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) res: Response,
  ) {
    return this.accepted(
      res,
      await this.rollbacks.startLatest(branch, parseInput(RollbackLatestBody, body), principal),
    );
  }

  /** 202 with the job and a Location to poll (Idempotency-Key: see IdempotencyInterceptor). */
  private async accepted(res: Response, job: Job) {
    res.status(202).set('Location', `/api/jobs/${job.id}`);
    return this.jobs.present(job);
  }
}

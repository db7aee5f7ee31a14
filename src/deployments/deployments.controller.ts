import { Body, Controller, Param, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentPrincipal, RequirePermission } from '../auth/auth.decorators.js';
import type { Principal } from '../auth/permissions.js';
import { parseInput } from '../common/validation.js';
import { JobsService } from '../jobs/jobs.service.js';
import { DeploymentsService, StartDeployBody } from './deployments.service.js';

@ApiTags('deployments')
@ApiBearerAuth()
@Controller('api/branches')
export class DeploymentsController {
  constructor(
    private readonly deployments: DeploymentsService,
    private readonly jobs: JobsService,
  ) {}

  /**
   * Starts a Deploy job: 202 {id, kind, status: "Queued"} with a Location to poll. `:id` is a branch id or name.
   * Idempotency-Key is handled for every write by the IdempotencyInterceptor.
   * With `dryRun: true`: 200 with the plan (create / update / delete), nothing queued.
   */
  @Post(':id/deployments')
  @RequirePermission('deploy')
  async start(
    @Param('id') branch: string,
    @Body() body: unknown,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) res: Response,
  ) {
    const input = parseInput(StartDeployBody, body);
    if (input.dryRun) {
      res.status(200);
      return this.deployments.plan(branch, input, principal);
    }
    const job = await this.deployments.start(branch, input, principal);
    res.status(202).set('Location', `/api/jobs/${job.id}`);
    return this.jobs.present(job);
  }
}

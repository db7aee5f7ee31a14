import { Body, Controller, Headers, Param, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentPrincipal, RequirePermission } from '../auth/auth.decorators.js';
import type { Principal } from '../auth/permissions.js';
import { parseInput } from '../common/validation.js';
import { IdempotencyService } from '../idempotency/idempotency.service.js';
import { JobsService } from '../jobs/jobs.service.js';
import { DeploymentsService, StartDeployBody } from './deployments.service.js';

@ApiTags('deployments')
@ApiBearerAuth()
@Controller('api/branches')
export class DeploymentsController {
  constructor(
    private readonly deployments: DeploymentsService,
    private readonly jobs: JobsService,
    private readonly idempotency: IdempotencyService,
  ) {}

  /**
   * Starts a Deploy job: 202 {id, kind, status: "Queued"} with a Location to poll. `:id` is a branch id or name.
   * With `dryRun: true`: 200 with the plan (create / update / delete), nothing queued.
   */
  @Post(':id/deployments')
  @RequirePermission('deploy')
  async start(
    @Param('id') branch: string,
    @Body() body: unknown,
    @Headers('idempotency-key') key: string | undefined,
    @CurrentPrincipal() principal: Principal,
    @Res() res: Response,
  ) {
    const input = parseInput(StartDeployBody, body);
    if (input.dryRun) {
      res.status(200).json(await this.deployments.plan(branch, input, principal));
      return;
    }
    const response = await this.idempotency.run(principal, key, { branch, body }, async () => {
      const job = await this.deployments.start(branch, input, principal);
      return { status: 202, body: await this.jobs.present(job), headers: { Location: `/api/jobs/${job.id}` } };
    });
    res.status(response.status).set(response.headers ?? {}).json(response.body);
  }
}

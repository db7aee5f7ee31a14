import { Controller, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequirePermission } from '../auth/auth.decorators.js';
import type { Principal } from '../auth/permissions.js';
import { JobsService } from '../jobs/jobs.service.js';
import { JobCancellation } from './job-cancel.service.js';

@ApiTags('jobs')
@ApiBearerAuth()
@Controller('api/jobs')
export class JobCancelController {
  constructor(
    private readonly cancellation: JobCancellation,
    private readonly jobs: JobsService,
  ) {}

  /** Cancels a Queued or In Progress job: 202 with the job (Exception at once when it was still Queued). */
  @Post(':id/cancel')
  @HttpCode(202)
  @RequirePermission('deploy')
  async cancel(@Param('id', new ParseUUIDPipe()) id: string, @CurrentPrincipal() principal: Principal) {
    return this.jobs.present(await this.cancellation.cancel(id, principal));
  }
}

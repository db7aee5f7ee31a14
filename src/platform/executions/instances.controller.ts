import { Controller, Get, Param, ParseUUIDPipe } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '../../auth/auth.decorators.js';
import type { Principal } from '../../auth/permissions.js';
import { InstancesService } from './instances.service.js';

@ApiTags('services')
@ApiBearerAuth()
@Controller('api/services')
export class InstancesController {
  constructor(private readonly instances: InstancesService) {}

  /** Where the service runs now in the token's environments: current and previous deployment, and the rollback. */
  @Get(':id/instances')
  instancesOf(@Param('id', new ParseUUIDPipe()) id: string, @CurrentPrincipal() principal: Principal) {
    return this.instances.of(id, principal);
  }
}

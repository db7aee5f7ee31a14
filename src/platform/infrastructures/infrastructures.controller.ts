import { Body, Controller, Delete, Get, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { CurrentPrincipal, RequirePermission } from '../../auth/auth.decorators.js';
import type { Principal } from '../../auth/permissions.js';
import { BadRequestError } from '../../common/errors.js';
import { parseInput } from '../../common/validation.js';
import { CreateOrgBody } from '../../orgs/org-credentials.js';
import { PlatformName } from '../platform-input.js';
import { INFRASTRUCTURE_KINDS, parseConnection } from './infrastructure-connection.js';
import { presentInfrastructure } from '../presentation.js';
import { InfrastructuresService } from './infrastructures.service.js';

const CreateInfrastructureBody = z.strictObject({
  name: PlatformName,
  environment: CreateOrgBody.shape.environment,
  kind: z.enum(INFRASTRUCTURE_KINDS),
  connection: z.unknown(),
});
const UpdateInfrastructureBody = z
  .strictObject({
    name: PlatformName.optional(),
    environment: CreateOrgBody.shape.environment.optional(),
    connection: z.unknown().optional(),
  })
  .refine((body) => Object.keys(body).length > 0, 'name, environment or connection is required');

@ApiTags('infrastructures')
@ApiBearerAuth()
@Controller('api/infrastructures')
export class InfrastructuresController {
  constructor(private readonly infrastructures: InfrastructuresService) {}

  @Post()
  @RequirePermission('admin')
  async create(@Body() body: unknown, @CurrentPrincipal() principal: Principal) {
    const input = parseInput(CreateInfrastructureBody, body);
    if (input.kind === 'salesforce')
      throw new BadRequestError(
        'A salesforce infrastructure is an org: register it with POST /api/orgs, which creates its infrastructure.',
      );
    const connection = await parseConnection(input.kind, input.connection);
    return presentInfrastructure(
      await this.infrastructures.create({ name: input.name, environment: input.environment, ...connection }, principal),
    );
  }

  /** The infrastructures in the token's environments. */
  @Get()
  async list(@CurrentPrincipal() principal: Principal) {
    return { items: (await this.infrastructures.listReadable(principal)).map(presentInfrastructure) };
  }

  @Get(':id')
  async get(@Param('id', new ParseUUIDPipe()) id: string, @CurrentPrincipal() principal: Principal) {
    return presentInfrastructure(await this.infrastructures.getReadable(id, principal));
  }

  /** Renames, moves or rotates the connection of a Kubernetes or SSH infrastructure (checked against its kind). */
  @Patch(':id')
  @RequirePermission('admin')
  async update(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: unknown,
    @CurrentPrincipal() principal: Principal,
  ) {
    return presentInfrastructure(
      await this.infrastructures.update(id, parseInput(UpdateInfrastructureBody, body), principal),
    );
  }

  @Delete(':id')
  @RequirePermission('admin')
  async remove(@Param('id', new ParseUUIDPipe()) id: string, @CurrentPrincipal() principal: Principal) {
    return presentInfrastructure(await this.infrastructures.remove(id, principal));
  }
}

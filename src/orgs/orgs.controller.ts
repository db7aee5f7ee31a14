import { Body, Controller, Delete, Get, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequirePermission } from '../auth/auth.decorators.js';
import type { Principal } from '../auth/permissions.js';
import { parseInput } from '../common/validation.js';
import { CreateOrgBody } from './org-credentials.js';
import { OrgsService, presentOrg } from './orgs.service.js';

@ApiTags('orgs')
@ApiBearerAuth()
@Controller('api/orgs')
export class OrgsController {
  constructor(private readonly orgs: OrgsService) {}

  @Post()
  @RequirePermission('admin')
  async create(@Body() body: unknown, @CurrentPrincipal() principal: Principal) {
    return presentOrg(await this.orgs.create(parseInput(CreateOrgBody, body), principal));
  }

  /** The orgs in the token's environments. */
  @Get()
  async list(@CurrentPrincipal() principal: Principal) {
    return { items: (await this.orgs.listReadable(principal)).map(presentOrg) };
  }

  @Get(':id')
  async get(@Param('id', new ParseUUIDPipe()) id: string, @CurrentPrincipal() principal: Principal) {
    return presentOrg(await this.orgs.getReadable(id, principal));
  }

  @Delete(':id')
  @RequirePermission('admin')
  async remove(@Param('id', new ParseUUIDPipe()) id: string, @CurrentPrincipal() principal: Principal) {
    return presentOrg(await this.orgs.remove(id, principal));
  }
}

import { Body, Controller, Delete, Get, Param, ParseUUIDPipe, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequirePermission } from '../auth/auth.decorators.js';
import type { Principal } from '../auth/permissions.js';
import { parseInput } from '../common/validation.js';
import { z } from 'zod';
import { CreateOrgBody } from './org-credentials.js';

const UpdateCredentialsBody = z.strictObject({ auth: CreateOrgBody.shape.auth });
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

  /** New credentials for an org (an access token expired): verified against the org before they are stored. */
  @Put(':id/credentials')
  @RequirePermission('admin')
  async updateCredentials(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: unknown,
    @CurrentPrincipal() principal: Principal,
  ) {
    const { auth } = parseInput(UpdateCredentialsBody, body);
    return presentOrg(await this.orgs.updateCredentials(id, auth, principal));
  }

  @Delete(':id')
  @RequirePermission('admin')
  async remove(@Param('id', new ParseUUIDPipe()) id: string, @CurrentPrincipal() principal: Principal) {
    return presentOrg(await this.orgs.remove(id, principal));
  }
}

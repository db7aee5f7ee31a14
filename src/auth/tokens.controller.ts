import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { parseInput } from '../common/validation.js';
import { SecretInResponse } from '../idempotency/idempotency.interceptor.js';
import { CurrentPrincipal, RequirePermission } from './auth.decorators.js';
import type { ApiToken } from './api-token.entity.js';
import { PERMISSIONS, type Principal } from './permissions.js';
import { TokensService } from './tokens.service.js';

const CreateTokenBody = z.strictObject({
  name: z.string().trim().min(1).max(200),
  permissions: z.array(z.enum(PERMISSIONS)).min(1),
  environments: z
    .array(z.string().trim().min(1).max(100))
    .min(1, 'name at least one environment, or leave environments out for all (an empty list would grant nothing)')
    .optional(),
});

function present(row: ApiToken) {
  return {
    id: row.id,
    name: row.name,
    prefix: row.tokenPrefix,
    permissions: row.permissions,
    environments: row.environments,
    bootstrap: row.isBootstrap,
    createdAt: row.createdAt,
    lastUsedAt: row.lastUsedAt,
    revokedAt: row.revokedAt,
  };
}

@ApiTags('tokens')
@ApiBearerAuth()
@Controller('api/tokens')
@RequirePermission('admin')
export class TokensController {
  constructor(private readonly tokens: TokensService) {}

  @Post()
  @SecretInResponse('token')
  async create(@Body() body: unknown, @CurrentPrincipal() principal: Principal) {
    const input = parseInput(CreateTokenBody, body);
    const { token, row } = await this.tokens.create(input, principal);
    return { ...present(row), token };
  }

  /** The tokens within the caller's scope. */
  @Get()
  async list(@CurrentPrincipal() principal: Principal) {
    return { items: (await this.tokens.list(principal)).map(present) };
  }

  @Delete(':id')
  @HttpCode(200)
  async revoke(@Param('id', new ParseUUIDPipe()) id: string, @CurrentPrincipal() principal: Principal) {
    return present(await this.tokens.revoke(id, principal));
  }
}

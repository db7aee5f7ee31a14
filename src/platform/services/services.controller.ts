import { Body, Controller, Delete, Get, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { CurrentPrincipal, RequirePermission } from '../../auth/auth.decorators.js';
import type { Principal } from '../../auth/permissions.js';
import { parseInput } from '../../common/validation.js';
import { PlatformName } from '../platform-input.js';
import { presentService } from '../presentation.js';
import { ServicesService } from './services.service.js';

const CreateServiceBody = z.strictObject({
  name: PlatformName,
  description: z.string().max(2000).nullable().optional(),
});
const UpdateServiceBody = CreateServiceBody.partial().refine(
  (body) => Object.keys(body).length > 0,
  'name or description is required',
);

@ApiTags('services')
@ApiBearerAuth()
@Controller('api/services')
export class ServicesController {
  constructor(private readonly services: ServicesService) {}

  @Post()
  @RequirePermission('admin')
  async create(@Body() body: unknown, @CurrentPrincipal() principal: Principal) {
    return presentService(await this.services.create(parseInput(CreateServiceBody, body), principal));
  }

  @Get()
  async list() {
    return { items: (await this.services.list()).map(presentService) };
  }

  @Get(':id')
  async get(@Param('id', new ParseUUIDPipe()) id: string) {
    return presentService(await this.services.get(id));
  }

  @Patch(':id')
  @RequirePermission('admin')
  async update(@Param('id', new ParseUUIDPipe()) id: string, @Body() body: unknown) {
    return presentService(await this.services.update(id, parseInput(UpdateServiceBody, body)));
  }

  @Delete(':id')
  @RequirePermission('admin')
  async remove(@Param('id', new ParseUUIDPipe()) id: string) {
    return presentService(await this.services.remove(id));
  }
}

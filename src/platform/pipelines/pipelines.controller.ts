import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { CurrentPrincipal, RequirePermission } from '../../auth/auth.decorators.js';
import type { Principal } from '../../auth/permissions.js';
import { parseInput } from '../../common/validation.js';
import { CreatePipelineBody, pipelineBody, UpdatePipelineBody } from './definition.js';
import { presentPipeline } from './pipeline-presentation.js';
import { PipelinesService, type PipelineAt } from './pipelines.service.js';

const VersionQuery = z.strictObject({ version: z.coerce.number().int().min(1).optional() });

/**
 * Pipelines as JSON `{name, definition}` (the definition an object or a YAML string), or as one YAML document
 * (`Content-Type: application/yaml`) holding `name`, `variables` and `stages`.
 */
@ApiTags('pipelines')
@ApiBearerAuth()
@Controller('api/pipelines')
export class PipelinesController {
  constructor(private readonly pipelines: PipelinesService) {}

  @Post()
  @RequirePermission('deploy')
  async create(@Body() body: unknown, @CurrentPrincipal() principal: Principal) {
    const input = parseInput(CreatePipelineBody, pipelineBody(body));
    return this.present(await this.pipelines.create(input, principal));
  }

  @Get()
  async list(@CurrentPrincipal() principal: Principal) {
    const all = await this.pipelines.listReadable(principal);
    return { pipelines: await Promise.all(all.map((p) => this.present(p))) };
  }

  @Get(':id')
  async get(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Query() query: unknown,
    @CurrentPrincipal() principal: Principal,
  ) {
    const { version } = parseInput(VersionQuery, query, 'query');
    return this.present(await this.pipelines.getReadable(id, principal, version));
  }

  @Get(':id/versions')
  async versions(@Param('id', new ParseUUIDPipe()) id: string, @CurrentPrincipal() principal: Principal) {
    const versions = await this.pipelines.listVersions(id, principal);
    return { versions: versions.map((v) => ({ version: v.version, createdAt: v.createdAt, createdBy: v.createdBy })) };
  }

  @Put(':id')
  @RequirePermission('deploy')
  async update(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: unknown,
    @CurrentPrincipal() principal: Principal,
  ) {
    const input = parseInput(UpdatePipelineBody, pipelineBody(body));
    return this.present(await this.pipelines.update(id, input, principal));
  }

  @Delete(':id')
  @HttpCode(204)
  @RequirePermission('deploy')
  async remove(@Param('id', new ParseUUIDPipe()) id: string, @CurrentPrincipal() principal: Principal) {
    await this.pipelines.remove(id, principal);
  }

  private async present(found: PipelineAt) {
    return presentPipeline(found, await this.pipelines.names(found.definition));
  }
}

import { Body, Controller, Get, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentPrincipal, RequirePermission } from '../../auth/auth.decorators.js';
import type { Principal } from '../../auth/permissions.js';
import { parseInput } from '../../common/validation.js';
import { ExecutionsService } from '../executions/executions.service.js';
import { presentRelease, presentReleaseWithDeployments } from './release-presentation.js';
import { CreateReleaseBody, DeployReleaseBody, PreviousReleaseQuery, ReleasesService } from './releases.service.js';

/** Releases of pipelines and their deployments (docs/platform-api.md, "Releases"); the work is in ReleasesService. */
@ApiTags('releases')
@ApiBearerAuth()
@Controller('api')
export class ReleasesController {
  constructor(
    private readonly releases: ReleasesService,
    private readonly executions: ExecutionsService,
  ) {}

  @Post('pipelines/:id/releases')
  @RequirePermission('deploy')
  async create(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: unknown,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) res: Response,
  ) {
    const { release, pipelineName } = await this.releases.create(id, parseInput(CreateReleaseBody, body), principal);
    res.status(201).set('Location', `/api/releases/${release.id}`);
    return presentRelease(release, pipelineName);
  }

  @Get('pipelines/:id/releases')
  async list(@Param('id', new ParseUUIDPipe()) id: string, @CurrentPrincipal() principal: Principal) {
    const all = await this.releases.list(id, principal);
    return { releases: all.map((r) => presentRelease(r.release, r.pipelineName)) };
  }

  /** Declared before `releases/:id` so that "previous" is not read as an id. */
  @Get('releases/previous')
  previous(@Query() query: unknown, @CurrentPrincipal() principal: Principal) {
    return this.releases.previous(parseInput(PreviousReleaseQuery, query, 'query'), principal);
  }

  @Get('releases/:id')
  async get(@Param('id', new ParseUUIDPipe()) id: string, @CurrentPrincipal() principal: Principal) {
    const { release, pipelineName, deployments } = await this.releases.get(id, principal);
    return presentReleaseWithDeployments(release, pipelineName, deployments);
  }

  /** 201 with the execution (as `GET /api/executions/:id` answers it), `Location` its address. */
  @Post('releases/:id/deployments')
  @RequirePermission('deploy')
  async deploy(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: unknown,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) res: Response,
  ) {
    const job = await this.releases.deploy(id, parseInput(DeployReleaseBody, body), principal);
    res.status(201).set('Location', `/api/executions/${job.id}`);
    return this.executions.presentOne(job);
  }
}

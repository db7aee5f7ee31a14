import { Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiConsumes, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { CurrentPrincipal, RequirePermission } from '../../auth/auth.decorators.js';
import type { Principal } from '../../auth/permissions.js';
import { BadRequestError, NotFoundError } from '../../common/errors.js';
import { parseInput } from '../../common/validation.js';
import { presentPackageListing, presentPackageVersion } from './package-presentation.js';
import { PackagesService } from './packages.service.js';

const PackagePath = z.strictObject({
  name: z
    .string()
    .regex(
      /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/,
      'must start with a letter or digit and hold at most 100 letters, digits, ".", "_" or "-"',
    ),
  version: z
    .string()
    .regex(
      /^[A-Za-z0-9][A-Za-z0-9.+_-]{0,63}$/,
      'must start with a letter or digit and hold at most 64 letters, digits, ".", "+", "_" or "-"',
    ),
});

@ApiTags('packages')
@ApiBearerAuth()
@Controller('api/packages')
export class PackagesController {
  constructor(private readonly packages: PackagesService) {}

  /** The body is the package itself (.tar.gz or .zip, any content type): 201 when stored, 200 when it already was. */
  @Post(':name/versions/:version')
  @RequirePermission('deploy')
  @ApiConsumes('application/gzip', 'application/zip', 'application/octet-stream')
  async upload(
    @Param() params: unknown,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
    @CurrentPrincipal() principal: Principal,
  ) {
    const { name, version } = parseInput(PackagePath, params, 'path');
    const body: unknown = req.body;
    if (!Buffer.isBuffer(body) || body.length === 0)
      throw new BadRequestError('Send the package as the request body: the bytes of a .tar.gz or .zip.');
    const uploaded = await this.packages.upload(name, version, body, principal);
    res.status(uploaded.created ? 201 : 200);
    return presentPackageVersion(uploaded.version);
  }

  @Get()
  async list() {
    return (await this.packages.list()).map(presentPackageListing);
  }

  @Get(':name/versions/:version')
  async get(@Param() params: unknown) {
    const { name, version } = parseInput(PackagePath, params, 'path');
    const found = await this.packages.find(name, version);
    if (!found) throw new NotFoundError('Package version', `${name} ${version}`);
    return presentPackageVersion(found);
  }
}

import {
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  Post,
  Query,
  Req,
  Res,
  UploadedFile,
  UseInterceptors,
} from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { ApiBearerAuth, ApiConsumes, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { CurrentPrincipal, RequirePermission } from '../auth/auth.decorators.js';
import type { Principal } from '../auth/permissions.js';
import { BadRequestError } from '../common/errors.js';
import { hiddenCharacter } from '../common/text.js';
import { parseInput } from '../common/validation.js';
import { IdempotencyInterceptor } from '../idempotency/idempotency.interceptor.js';
import { JobsService } from '../jobs/jobs.service.js';
import { UPLOAD_HOW, UploadIntakeInterceptor } from '../uploads/upload-intake.interceptor.js';
import type { Branch } from './branch.entity.js';
import { BranchesService } from './branches.service.js';
import type { Revision } from './revision.entity.js';

const CreateBranchBody = z.strictObject({
  name: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .regex(/^[^\s/][^/]*$/, 'no slashes, not starting with a space')
    .refine(
      (name) => hiddenCharacter(name) === null,
      'must not contain control or invisible characters (such as U+0000 or U+202E)',
    ),
  description: z.string().max(2000).optional(),
});
const ComponentsQuery = z.object({ revision: z.coerce.number().int().min(1).optional() });
const ActivitiesQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  before: z.coerce.date().optional(),
});

export function presentBranch(branch: Branch, latest?: Revision | null) {
  return {
    id: branch.id,
    name: branch.name,
    description: branch.description,
    createdAt: branch.createdAt,
    latestRevision: latest ? presentRevision(latest) : null,
  };
}

export function presentRevision(revision: Revision) {
  return {
    id: revision.id,
    number: revision.number,
    format: revision.format,
    apiVersion: revision.apiVersion,
    componentCount: revision.componentCount,
    destructiveChanges: revision.destructiveChanges,
    fileCount: revision.fileCount,
    uploadSha256: revision.uploadSha256,
    createdAt: revision.createdAt,
  };
}

@ApiTags('branches')
@ApiBearerAuth()
@Controller('api/branches')
export class BranchesController {
  constructor(
    private readonly branches: BranchesService,
    private readonly jobs: JobsService,
  ) {}

  @Post()
  @RequirePermission('deploy')
  async create(@Body() body: unknown, @CurrentPrincipal() principal: Principal) {
    return presentBranch(await this.branches.create(parseInput(CreateBranchBody, body), principal), null);
  }

  @Get()
  async list() {
    const items = await Promise.all(
      (await this.branches.list()).map(async (b) => presentBranch(b, await this.branches.latestRevision(b.id))),
    );
    return { items };
  }

  /** `:id` is a branch id or name, here and below. */
  @Get(':id')
  async get(@Param('id') idOrName: string) {
    const branch = await this.branches.resolve(idOrName);
    return presentBranch(branch, await this.branches.latestRevision(branch.id));
  }

  /**
   * A zip as multipart field `file`, or as the raw body with Content-Type application/zip. Idempotency-Key is
   * handled after FileInterceptor here, so that the key covers the uploaded file.
   */
  @Post(':id/revisions')
  @RequirePermission('deploy')
  @ApiConsumes('multipart/form-data', 'application/zip')
  @UseInterceptors(UploadIntakeInterceptor, FileInterceptor('file'), IdempotencyInterceptor)
  async upload(
    @Param('id') idOrName: string,
    @UploadedFile() file: Express.Multer.File | undefined,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
    @CurrentPrincipal() principal: Principal,
  ) {
    const zip = file?.buffer ?? (Buffer.isBuffer(req.body) ? req.body : null);
    if (!zip || zip.length === 0) {
      throw new BadRequestError(UPLOAD_HOW);
    }
    const branch = await this.branches.resolve(idOrName);
    const { revision, unchanged } = await this.branches.upload(branch.id, zip, principal);
    res.status(unchanged ? 200 : 201);
    return { ...presentRevision(revision), unchanged };
  }

  @Get(':id/revisions')
  async revisions(@Param('id') idOrName: string) {
    const branch = await this.branches.resolve(idOrName);
    return { items: (await this.branches.listRevisions(branch.id)).map(presentRevision) };
  }

  @Get(':id/components')
  async components(@Param('id') idOrName: string, @Query() query: unknown) {
    const { revision: number } = parseInput(ComponentsQuery, query, 'query');
    const branch = await this.branches.resolve(idOrName);
    const revision = await this.branches.revision(branch.id, number);
    const rows = await this.branches.revisionComponents(revision.id);
    return {
      revision: revision.number,
      items: rows.map((r) => ({
        type: r.type,
        fullName: r.fullName,
        parent: r.parentType ? { type: r.parentType, fullName: r.parentFullName } : null,
        files: r.files.map((f) => ({ path: f.path, size: f.size, sha256: f.sha256 })),
      })),
    };
  }

  /** The branch's Deploy and Rollback jobs, newest first; `before` (a createdAt) pages back. */
  @Get(':id/activities')
  @HttpCode(200)
  async activities(@Param('id') idOrName: string, @Query() query: unknown, @CurrentPrincipal() principal: Principal) {
    const branch = await this.branches.resolve(idOrName);
    const page = parseInput(ActivitiesQuery, query, 'query');
    const jobs = await this.jobs.listForBranch(branch.id, page, principal);
    const items = await Promise.all(jobs.map((j) => this.jobs.present(j)));
    return { items, nextBefore: jobs.length === page.limit ? jobs.at(-1)!.createdAt : null };
  }
}

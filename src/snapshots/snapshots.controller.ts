import { Controller, Get, Param, ParseIntPipe, ParseUUIDPipe, Query, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { CurrentPrincipal } from '../auth/auth.decorators.js';
import type { Principal } from '../auth/permissions.js';
import { BlobStore } from '../blobs/blob-store.js';
import { AppError, BadRequestError, NotFoundError } from '../common/errors.js';
import { parseInput } from '../common/validation.js';
import { JobsService } from '../jobs/jobs.service.js';
import { componentKey } from '../salesforce/component-key.js';
import { RetrievedBackups } from './retrieved-backups.js';
import { SnapshotsService } from './snapshots.service.js';

const RETRIEVE_NUMBER = new ParseIntPipe({
  exceptionFactory: () => new BadRequestError('The retrieve number in the path must be a whole number, from 1.'),
});
const FilesQuery = z.object({ component: z.string().regex(/^[^:]+:.+$/, 'Type:FullName, e.g. ApexClass:Foo') });

@ApiTags('snapshots')
@ApiBearerAuth()
@Controller('api/jobs/:id/snapshot')
export class SnapshotsController {
  constructor(
    private readonly snapshots: SnapshotsService,
    private readonly blobs: BlobStore,
    private readonly jobs: JobsService,
    private readonly retrieved: RetrievedBackups,
  ) {}

  /** The deploy's backup: for each component whether it existed before, its files, and what the deploy did. */
  @Get()
  async get(@Param('id', new ParseUUIDPipe()) jobId: string, @CurrentPrincipal() principal: Principal) {
    await this.jobs.assertReadable(jobId, principal);
    const snapshot = await this.snapshots.forJob(jobId);
    if (!snapshot) throw new NotFoundError('Snapshot of job', jobId);
    const rows = await this.snapshots.componentsOf(snapshot.id);
    return {
      id: snapshot.id,
      jobId,
      status: snapshot.status,
      checksum: snapshot.checksum,
      /** `metadata`: files as Salesforce returned them (decomposed families in source format); `source`: older. */
      filesFormat: snapshot.filesFormat,
      apiVersion: snapshot.apiVersion,
      intact: snapshot.status === 'complete' ? await this.snapshots.verify(snapshot) : null,
      createdAt: snapshot.createdAt,
      expiresAt: snapshot.expiresAt,
      /** Retrieves kept as Salesforce returned them, not (yet) indexed into items: each at `retrieved/:n`. */
      retrieved: await this.retrieved.count(snapshot.id),
      items: rows.map((r) => ({
        type: r.type,
        fullName: r.fullName,
        parent: r.parentType ? { type: r.parentType, fullName: r.parentFullName } : null,
        existed: r.existed,
        deployAction: r.deployAction,
        files: r.files?.map((f) => ({ path: f.path, size: f.size, sha256: f.sha256 })) ?? null,
      })),
    };
  }

  /**
   * The n-th (from 1) retrieve of the backup as Salesforce returned it, while it is kept (ADR 0027: until it is
   * indexed, or for good when indexing failed): a metadata-format package of what the org had, deployable whole.
   */
  @Get('retrieved/:n')
  async retrievedZip(
    @Param('id', new ParseUUIDPipe()) jobId: string,
    @Param('n', RETRIEVE_NUMBER) n: number,
    @CurrentPrincipal() principal: Principal,
  ): Promise<StreamableFile> {
    await this.jobs.assertReadable(jobId, principal);
    const snapshot = await this.snapshots.forJob(jobId);
    if (!snapshot) throw new NotFoundError('Snapshot of job', jobId);
    const kept = n >= 1 ? await this.retrieved.get(snapshot.id, n - 1) : undefined;
    if (!kept) {
      const count = await this.retrieved.count(snapshot.id);
      throw new AppError(
        404,
        count
          ? `Retrieve ${n} of job ${jobId} is not kept: ask for 1 to ${count}.`
          : `The snapshot of job ${jobId} keeps no retrieve as Salesforce returned it: its backup is indexed (GET /api/jobs/${jobId}/snapshot).`,
      );
    }
    return new StreamableFile(kept.zip, {
      type: 'application/zip',
      disposition: `attachment; filename="backup-${jobId}-${n}.zip"`,
    });
  }

  /** One component's files as they were before the deploy (base64). */
  @Get('files')
  async files(
    @Param('id', new ParseUUIDPipe()) jobId: string,
    @Query() query: unknown,
    @CurrentPrincipal() principal: Principal,
  ) {
    const { component } = parseInput(FilesQuery, query, 'query');
    await this.jobs.assertReadable(jobId, principal);
    const snapshot = await this.snapshots.forJob(jobId);
    if (!snapshot) throw new NotFoundError('Snapshot of job', jobId);
    const colon = component.indexOf(':');
    const wanted = componentKey({ type: component.slice(0, colon), fullName: component.slice(colon + 1) });
    const row = (await this.snapshots.componentsOf(snapshot.id)).find((r) => componentKey(r) === wanted);
    if (!row) throw new NotFoundError('Component', `${component} in the snapshot of job ${jobId}`);
    if (!row.existed) return { component, existed: false, files: [] };
    if (!row.files) throw new BadRequestError(`The snapshot of job ${jobId} was pruned; its files are gone.`);
    const contents = await this.blobs.getMany(row.files.map((f) => f.sha256));
    return {
      component,
      existed: true,
      files: row.files.map((f) => ({
        path: f.path,
        sha256: f.sha256,
        base64: contents.get(f.sha256)!.toString('base64'),
      })),
    };
  }
}

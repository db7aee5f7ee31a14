import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import type { DataSource, Repository } from 'typeorm';
import type { Principal } from '../auth/permissions.js';
import { BlobStore } from '../blobs/blob-store.js';
import { BadRequestError, ConflictError, NotFoundError } from '../common/errors.js';
import { isMalformedId, isUuid, malformedIdMessage } from '../common/ids.js';
import { CONFIG } from '../config/config.module.js';
import type { Config } from '../config/config.js';
import { plainRows } from '../database/plain-rows.js';
import { onlyMembers, whereMembers } from './member-filter.js';
import {
  compareMembers,
  type MemberRef,
  type PackedComponent,
  type ResolvedComponent,
} from '../salesforce/component.types.js';
import { mapInSlices } from '../common/concurrency.js';
import { sha256 } from '../common/hash.js';
import { estimateDeployFiles } from '../salesforce/deploy-estimate.js';
import { fingerprintComponent } from '../salesforce/fingerprint.js';
import { destructiveChangesOf, locateDestructiveManifests } from '../salesforce/destructive-manifest.js';
import { readFromDisk, resolveProject } from '../salesforce/project-resolver.js';
import { componentNameProblem } from '../uploads/component-names.js';
import { createUploadWorkspace } from '../uploads/upload-workspace.js';
import { extractUpload, UploadRejectedError } from '../uploads/zip-intake.js';
import { Branch } from './branch.entity.js';
import { RevisionComponent, type StoredFile } from './revision-component.entity.js';
import { Revision } from './revision.entity.js';

export interface UploadResult {
  revision: Revision;
  /** True when the upload equals the latest revision: no new revision was made. */
  unchanged: boolean;
}

@Injectable()
export class BranchesService {
  constructor(
    @InjectRepository(Branch) private readonly branches: Repository<Branch>,
    @InjectRepository(Revision) private readonly revisions: Repository<Revision>,
    @InjectRepository(RevisionComponent) private readonly components: Repository<RevisionComponent>,
    @InjectDataSource() private readonly db: DataSource,
    @Inject(CONFIG) private readonly config: Config,
    private readonly blobs: BlobStore,
  ) {}

  async create(input: { name: string; description?: string }, principal: Principal): Promise<Branch> {
    if (await this.findByName(input.name))
      throw new ConflictError(`A branch named "${input.name}" already exists; pick another name.`);
    const branch = this.branches.create({
      id: crypto.randomUUID(),
      name: input.name,
      description: input.description ?? null,
      createdBy: principal.tokenId,
    });
    await this.branches.insert(branch);
    return this.get(branch.id);
  }

  list(): Promise<Branch[]> {
    return this.branches.find({ order: { createdAt: 'ASC' } });
  }

  async get(id: string): Promise<Branch> {
    const branch = await this.branches.findOneBy({ id });
    if (!branch) throw new NotFoundError('Branch', id);
    return branch;
  }

  findByName(name: string): Promise<Branch | null> {
    return this.branches.createQueryBuilder('b').where('lower(b.name) = lower(:name)', { name }).getOne();
  }

  /** Resolves a branch by id or by name (what the CLI passes). */
  async resolve(idOrName: string): Promise<Branch> {
    const branch = isUuid(idOrName) ? await this.branches.findOneBy({ id: idOrName }) : await this.findByName(idOrName);
    if (!branch && isMalformedId(idOrName)) throw new BadRequestError(malformedIdMessage('branch', idOrName));
    if (!branch) throw new NotFoundError('Branch', idOrName);
    return branch;
  }

  latestRevision(branchId: string): Promise<Revision | null> {
    return this.revisions.findOne({ where: { branchId }, order: { number: 'DESC' } });
  }

  listRevisions(branchId: string): Promise<Revision[]> {
    return this.revisions.find({ where: { branchId }, order: { number: 'DESC' } });
  }

  /** The revision with that number, or the latest; 404 when there is none. */
  async revision(branchId: string, number?: number): Promise<Revision> {
    const revision =
      number === undefined ? await this.latestRevision(branchId) : await this.revisions.findOneBy({ branchId, number });
    if (!revision) {
      throw new NotFoundError(
        'Revision',
        number === undefined ? `(latest) of branch ${branchId}: upload one first —` : `${number} of branch ${branchId}`,
      );
    }
    return revision;
  }

  async revisionById(id: string): Promise<Revision> {
    const revision = await this.revisions.findOneBy({ id });
    if (!revision) throw new NotFoundError('Revision', id);
    return revision;
  }

  /** The revision's components, or only those of `refs` (matched by `componentKey`). */
  async revisionComponents(revisionId: string, refs?: MemberRef[]): Promise<RevisionComponent[]> {
    const qb = this.components.createQueryBuilder('rc').where('rc.revision_id = :revisionId', { revisionId });
    if (refs) whereMembers(qb, 'rc', refs);
    const rows = await plainRows(qb.orderBy('rc.type', 'ASC').addOrderBy('rc.full_name', 'ASC'));
    return refs ? onlyMembers(rows, refs) : rows;
  }

  /**
   * Stores an uploaded zip as a new immutable revision: extracted safely, resolved with SDR, contents in the blob
   * store. Nothing is stored when any step refuses the upload.
   */
  async upload(branchId: string, zip: Buffer, principal: Principal): Promise<UploadResult> {
    await this.get(branchId);
    const uploadSha256 = sha256(zip);
    const latest = await this.latestRevision(branchId);
    if (latest?.uploadSha256 === uploadSha256) return { revision: latest, unchanged: true };

    const workDir = await createUploadWorkspace(this.config.UPLOAD_TMP_DIR);
    try {
      const extracted = await extractUpload(
        zip,
        workDir,
        {
          maxUncompressedBytes: this.config.UPLOAD_MAX_UNCOMPRESSED_BYTES,
          maxRatio: this.config.UPLOAD_MAX_RATIO,
          maxEntries: 50_000,
          maxFileBytes: Math.min(this.config.UPLOAD_MAX_UNCOMPRESSED_BYTES, 50 * 1024 * 1024),
        },
        { onDisk: readFromDisk },
      );
      const project = await resolveProject(extracted.dir, extracted.contents);
      const components = [...project.components].sort(compareMembers);
      const nameProblem = componentNameProblem(components);
      if (nameProblem) throw new UploadRejectedError(400, nameProblem.message, nameProblem.components);
      const destructiveChanges = readDestructiveChanges(extracted.contents, components);
      return await this.db.transaction(async (manager) => {
        await manager.query(`SELECT id FROM branches WHERE id = $1 FOR UPDATE`, [branchId]);
        const rows: { max: number | null }[] = await manager.query(
          `SELECT max(number) AS max FROM revisions WHERE branch_id = $1`,
          [branchId],
        );
        // Fingerprinting (CPU) runs in slices while the database stores the blobs.
        const [stored, fingerprints] = await Promise.all([
          this.storeFiles(components, manager, latest?.id),
          mapInSlices(components, (c) => fingerprintComponent(c.files)),
        ]);
        const revision = manager.create(Revision, {
          id: crypto.randomUUID(),
          branchId,
          number: (rows[0]?.max ?? 0) + 1,
          format: project.format,
          apiVersion: project.apiVersion ?? null,
          uploadSha256,
          componentCount: components.length,
          destructiveChanges,
          fileCount: components.reduce((n, c) => n + c.files.length, 0),
          ...deployEstimateOf(components, stored),
          createdBy: principal.tokenId,
        });
        await manager.insert(Revision, revision);
        const values = components.map((c, i) => ({
          type: c.type,
          full_name: c.fullName,
          parent_type: c.parent?.type ?? null,
          parent_full_name: c.parent?.fullName ?? null,
          fingerprint: fingerprints[i]!,
          files: stored[i]!,
        }));
        // One statement per 5,000 rows, in order (ids follow the sorted components, as row-by-row inserts did).
        for (let i = 0; i < values.length; i += 5000)
          await manager.query(
            `INSERT INTO revision_components (revision_id, type, full_name, parent_type, parent_full_name, fingerprint, files)
             SELECT $1, v.type, v.full_name, v.parent_type, v.parent_full_name, v.fingerprint, v.files
             FROM ROWS FROM (jsonb_to_recordset($2::jsonb) AS (type text, full_name text, parent_type text,
               parent_full_name text, fingerprint text, files jsonb))
               WITH ORDINALITY AS v(type, full_name, parent_type, parent_full_name, fingerprint, files, n)
             ORDER BY v.n`,
            [revision.id, JSON.stringify(values.slice(i, i + 5000))],
          );
        return { revision: await manager.findOneByOrFail(Revision, { id: revision.id }), unchanged: false };
      });
    } finally {
      // The answer does not wait for the workspace to go (15,000 files take a while); start-up sweeps what a stop
      // in between leaves behind.
      void fs.rm(workDir, { recursive: true, force: true }).catch(() => undefined);
    }
  }

  /** The components of a revision with their file contents, for building a deploy. */
  async loadComponents(revisionId: string, only?: RevisionComponent[]): Promise<ResolvedComponent[]> {
    const rows = only ?? (await this.revisionComponents(revisionId));
    const contents = await this.blobs.getMany(rows.flatMap((r) => r.files.map((f) => f.sha256)));
    return rows.map((r) => ({
      type: r.type,
      fullName: r.fullName,
      ...parentOf(r),
      files: r.files.map((f) => ({ path: f.path, content: contents.get(f.sha256)! })),
    }));
  }

  /**
   * As `loadComponents`, each file verified, but held as its stored deflate stream (`BlobStore.getDeflatedMany`):
   * for the fast types a deploy zip takes as they are stored.
   */
  async loadPacked(only: RevisionComponent[]): Promise<PackedComponent[]> {
    const bodies = await this.blobs.getDeflatedMany(only.flatMap((r) => r.files.map((f) => f.sha256)));
    return only.map((r) => ({
      type: r.type,
      fullName: r.fullName,
      ...parentOf(r),
      files: r.files.map((f) => ({ path: f.path, sha256: f.sha256, body: bodies.get(f.sha256)! })),
    }));
  }

  /** What the revision deletes (its destructiveChanges*.xml manifests), or nothing. */
  async revisionDeletions(revisionId: string) {
    return (await this.revisionById(revisionId)).destructiveChanges;
  }

  /**
   * Stores the components' files; a file changed since `previousRevisionId` is stored as a delta against its version
   * there when that is much smaller (`BlobStore.putMany`).
   */
  private async storeFiles(
    components: ResolvedComponent[],
    manager: import('typeorm').EntityManager,
    previousRevisionId: string | undefined,
  ): Promise<StoredFile[][]> {
    const files = components.flatMap((c) => c.files);
    const earlier = previousRevisionId
      ? async (positions: number[]) => {
          const paths = positions.map((i) => files[i]!.path);
          const rows: { path: string; sha256: string }[] = await manager.query(
            `SELECT f->>'path' AS path, f->>'sha256' AS sha256
             FROM revision_components rc, jsonb_array_elements(rc.files) f
             WHERE rc.revision_id = $1 AND f->>'path' = ANY($2)`,
            [previousRevisionId, paths],
          );
          const byPath = new Map(rows.map((r) => [r.path, r.sha256]));
          return paths.map((p) => byPath.get(p));
        }
      : undefined;
    const addresses = await this.blobs.putMany(
      files.map((f) => f.content),
      manager,
      earlier,
    );
    let k = 0;
    return components.map((c) =>
      c.files.map((f) => ({ path: f.path, sha256: addresses[k++]!, size: f.content.length })),
    );
  }
}

function parentOf(r: RevisionComponent): { parent?: MemberRef } {
  return r.parentType ? { parent: { type: r.parentType, fullName: r.parentFullName! } } : {};
}

/** The upload's destructiveChanges*.xml manifests (see destructive-manifest.ts for where they may sit), parsed. */
function readDestructiveChanges(files: ReadonlyMap<string, Buffer>, components: ResolvedComponent[]) {
  const located = locateDestructiveManifests([...files.keys()]);
  const manifests = new Map([...located].map(([name, rel]) => [name, files.get(rel)!] as const));
  return destructiveChangesOf(manifests, components);
}

/** What a deploy of the whole revision will hold (`estimateDeployFiles`), kept on the revision for deploy requests. */
function deployEstimateOf(
  components: ResolvedComponent[],
  stored: StoredFile[][],
): { deployFileCount: number; unzippedBytes: number } {
  const estimate = estimateDeployFiles(
    components.map((c, i) => ({
      type: c.type,
      fullName: c.fullName,
      parentType: c.parent?.type ?? null,
      parentFullName: c.parent?.fullName ?? null,
      files: stored[i]!,
    })),
  );
  return { deployFileCount: estimate.fileCount, unzippedBytes: estimate.unzippedBytes };
}

import crypto from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import type { DataSource, Repository } from 'typeorm';
import type { Principal } from '../../auth/permissions.js';
import { BlobIntegrityError, BlobStore } from '../../blobs/blob-store.js';
import { ConflictError, GoneError, NotFoundError } from '../../common/errors.js';
import { sha256 } from '../../common/hash.js';
import { CONFIG } from '../../config/config.module.js';
import type { Config } from '../../config/config.js';
import { inspectPackage } from './package-archive.js';
import { MAX_PACKAGE_ENTRIES, type PackageLimits } from './package-entries.js';
import { PackageVersion } from './package-version.entity.js';
import { isUniqueViolation } from '../../database/unique-violation.js';

/** A package version as listed: everything but the manifest, which is only counted. */
export type ListedPackageVersion = Omit<PackageVersion, 'files'> & { fileCount: number };

export interface PackageListing {
  name: string;
  /** Newest first. */
  versions: ListedPackageVersion[];
}

/**
 * Package versions (issue 14): immutable archives in the blob store with the manifest of their files. Contract for
 * the SSH provider and releases: `find` and `get` answer the record (name case-insensitive), `content` the verified
 * bytes or a clear error once retention pruned them.
 */
@Injectable()
export class PackagesService {
  private readonly logger = new Logger('Packages');

  constructor(
    @InjectRepository(PackageVersion) private readonly versions: Repository<PackageVersion>,
    @InjectDataSource() private readonly db: DataSource,
    @Inject(CONFIG) private readonly config: Config,
    private readonly blobs: BlobStore,
  ) {}

  /**
   * Stores `bytes` as version `version` of package `name` after inspecting them (nothing is stored when they are
   * refused). The same bytes again answer the existing record (`created: false`); other bytes are a 409.
   */
  async upload(
    name: string,
    version: string,
    bytes: Buffer,
    principal: Principal,
  ): Promise<{ version: PackageVersion; created: boolean }> {
    const checksum = sha256(bytes);
    const existing = await this.find(name, version);
    if (existing) return { version: this.sameContent(existing, checksum), created: false };
    const { format, files } = await inspectPackage(bytes, this.limits());
    // One spelling per package: a later version takes the name as the first one was written.
    const spelling: { name: string }[] = await this.db.query(
      `SELECT name FROM package_versions WHERE lower(name) = lower($1) ORDER BY created_at LIMIT 1`,
      [name],
    );
    const id = crypto.randomUUID();
    try {
      await this.db.transaction(async (manager) => {
        await this.blobs.putMany([bytes], manager);
        await manager.insert(PackageVersion, {
          id,
          name: spelling[0]?.name ?? name,
          version,
          format,
          size: bytes.length,
          sha256: checksum,
          files,
          createdBy: principal.tokenId,
          createdByName: principal.name,
          prunedAt: null,
        });
      });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      // Another request stored this version first: the same answer as a repeated upload.
      const winner = await this.find(name, version);
      if (!winner) throw error;
      return { version: this.sameContent(winner, checksum), created: false };
    }
    return { version: await this.get(id), created: true };
  }

  /** Version `version` of package `name` (name in any case), or null. */
  find(name: string, version: string): Promise<PackageVersion | null> {
    return this.versions
      .createQueryBuilder('pv')
      .where('lower(pv.name) = lower(:name) AND pv.version = :version', { name, version })
      .getOne();
  }

  async get(id: string): Promise<PackageVersion> {
    const found = await this.versions.findOneBy({ id });
    if (!found) throw new NotFoundError('Package version', id);
    return found;
  }

  /** Every package by name, each with its versions newest first (manifests counted, not loaded). */
  async list(): Promise<PackageListing[]> {
    const rows: (Omit<ListedPackageVersion, 'size' | 'fileCount'> & { size: string; fileCount: number })[] =
      await this.db.query(
        `SELECT id, name, version, format, size, sha256, created_by AS "createdBy", created_by_name AS "createdByName",
                created_at AS "createdAt", pruned_at AS "prunedAt", jsonb_array_length(files) AS "fileCount"
           FROM package_versions ORDER BY created_at DESC, version DESC`,
      );
    const packages = new Map<string, PackageListing>();
    for (const row of rows) {
      const key = row.name.toLowerCase();
      const listing = packages.get(key) ?? { name: row.name, versions: [] };
      listing.versions.push({ ...row, size: Number(row.size) });
      packages.set(key, listing);
    }
    return [...packages.values()].sort((a, b) => a.name.toLowerCase().localeCompare(b.name.toLowerCase()));
  }

  /** The package's bytes, verified against their checksum; a clear error once retention pruned them. */
  async content(pv: PackageVersion): Promise<Buffer> {
    if (pv.prunedAt) {
      throw new GoneError(
        `Package ${pv.name} ${pv.version} was pruned on ${pv.prunedAt.toISOString()} (no retained execution needed ` +
          'it, SNAPSHOT_RETENTION_DAYS): its bytes are gone; upload the package again as a new version.',
      );
    }
    try {
      const bytes = await this.blobs.get(pv.sha256);
      if (bytes.length !== pv.size) throw new BlobIntegrityError(`it holds ${bytes.length} bytes, not ${pv.size}`);
      return bytes;
    } catch (error) {
      if (!(error instanceof BlobIntegrityError)) throw error;
      throw new BlobIntegrityError(`The bytes of package ${pv.name} ${pv.version} cannot be used: ${error.message}`);
    }
  }

  /**
   * Retention (run by the snapshot pruner): marks pruned the versions uploaded before the retention window that no
   * release still needs — a release needs its packages while its newest deployment runs or finished within
   * SNAPSHOT_RETENTION_DAYS, or, never deployed yet, while it was made within them — then drops unreferenced blobs.
   */
  async prune(now = new Date()): Promise<number> {
    const cutoff = new Date(now.getTime() - this.config.SNAPSHOT_RETENTION_DAYS * 86_400_000);
    // A CTE, so that pg answers rows (an UPDATE … RETURNING comes back as [rows, count]).
    const pruned: { name: string; version: string }[] = await this.db.query(
      `WITH pruned AS (
         UPDATE package_versions pv SET pruned_at = $1
          WHERE pv.pruned_at IS NULL AND pv.created_at < $2
            AND NOT EXISTS (
              SELECT 1 FROM releases r
               WHERE r.packages @> jsonb_build_array(jsonb_build_object('packageVersionId', pv.id::text))
                 AND CASE WHEN NOT EXISTS (SELECT 1 FROM jobs j WHERE j.release_id = r.id) THEN r.created_at >= $2
                          ELSE EXISTS (
                            SELECT 1 FROM (SELECT status, finished_at, created_at FROM jobs j WHERE j.release_id = r.id
                                            ORDER BY j.created_at DESC LIMIT 1) newest
                             WHERE newest.status IN ('Queued', 'In Progress')
                                OR coalesce(newest.finished_at, newest.created_at) >= $2) END)
          RETURNING pv.name, pv.version)
       SELECT name, version FROM pruned ORDER BY name, version`,
      [now, cutoff],
    );
    if (pruned.length === 0) return 0;
    const blobs = await this.blobs.collectGarbage();
    this.logger.log(
      `Pruned ${pruned.length} package version(s) no retained execution needs (${pruned
        .slice(0, 5)
        .map((p) => `${p.name} ${p.version}`)
        .join(', ')}${pruned.length > 5 ? ', …' : ''}); removed ${blobs} unreferenced blob(s)`,
    );
    return pruned.length;
  }

  private limits(): PackageLimits {
    return {
      maxExpandedBytes: this.config.PACKAGE_MAX_EXPANDED_BYTES,
      maxRatio: this.config.UPLOAD_MAX_RATIO,
      maxEntries: MAX_PACKAGE_ENTRIES,
    };
  }

  private sameContent(existing: PackageVersion, checksum: string): PackageVersion {
    if (existing.sha256 === checksum) return existing;
    throw new ConflictError(
      `Version ${existing.version} of ${existing.name} already exists with other content; versions are immutable, ` +
        'upload a new version.',
      { sha256: existing.sha256 },
    );
  }
}

import crypto from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import type { DataSource, Repository } from 'typeorm';
import { BlobStore } from '../blobs/blob-store.js';
import type { StoredFile } from '../branches/revision-component.entity.js';
import { CONFIG } from '../config/config.module.js';
import { onlyMembers, whereMembers } from '../branches/member-filter.js';
import { plainRows, selectAllBut } from '../database/plain-rows.js';
import type { Config } from '../config/config.js';
import { type MemberRef, type ResolvedComponent } from '../salesforce/component.types.js';
import { componentKey } from '../salesforce/component-key.js';
import { CanonicalMemo, fingerprintComponent } from '../salesforce/fingerprint.js';
import { knownFingerprint, type KnownFiles } from '../salesforce/same-files.js';
import { SnapshotComponent, type SnapshotComponentDetails } from './snapshot-component.entity.js';
import { Snapshot } from './snapshot.entity.js';
import { pickRestoreApiVersion } from './restore-api-version.js';

export interface BackupItem {
  ref: MemberRef;
  parent?: MemberRef;
  /** The component's files before the deploy; null when the org did not have it. */
  before: ResolvedComponent | null;
  /**
   * Files whose fingerprint is known (the deployed revision's): when the org held exactly these bytes, theirs is
   * the fingerprint before, taken without parsing the files (an unchanged component, in most deploys).
   */
  known?: KnownFiles;
}

/** A snapshot row without its file list (`SnapshotsService.entriesOf`): whether it has files instead. */
export type SnapshotRowFacts = Omit<SnapshotComponent, 'files'> & { hasFiles: boolean };

/** Pre-deployment backups: immutable once complete, checksummed, kept for SNAPSHOT_RETENTION_DAYS. */
@Injectable()
export class SnapshotsService {
  private readonly logger = new Logger('Snapshots');

  constructor(
    @InjectRepository(Snapshot) private readonly snapshots: Repository<Snapshot>,
    @InjectRepository(SnapshotComponent) private readonly components: Repository<SnapshotComponent>,
    @InjectDataSource() private readonly db: DataSource,
    @Inject(CONFIG) private readonly config: Config,
    private readonly blobs: BlobStore,
  ) {}

  /** The job's snapshot, created on first call (a resumed job gets the same one). */
  async begin(jobId: string, orgId: string): Promise<Snapshot> {
    const existing = await this.snapshots.findOneBy({ jobId });
    if (existing) return existing;
    const expiresAt = new Date(Date.now() + this.config.SNAPSHOT_RETENTION_DAYS * 86_400_000);
    // The backup retrieves run at the org's API version: recorded so that a restore is packaged with the same one.
    await this.db.query(
      `INSERT INTO snapshots (id, job_id, org_id, status, expires_at, files_format, api_version)
       SELECT $1, $2, $3, 'capturing', $4, 'metadata', o.api_version FROM orgs o WHERE o.id = $3
       ON CONFLICT (job_id) DO NOTHING`,
      [crypto.randomUUID(), jobId, orgId, expiresAt],
    );
    return this.snapshots.findOneByOrFail({ jobId });
  }

  forJob(jobId: string): Promise<Snapshot | null> {
    return this.snapshots.findOneBy({ jobId });
  }

  /** Keys (`Type:Name`) already backed up — a resumed backup skips them. */
  async capturedKeys(snapshotId: string): Promise<Set<string>> {
    return new Set((await this.statesBefore(snapshotId)).map(componentKey));
  }

  async record(snapshotId: string, items: BackupItem[]): Promise<void> {
    const contents = items.flatMap((i) => i.before?.files.map((f) => f.content) ?? []);
    const addresses = await this.blobs.putMany(contents);
    // a file met more than once in the chunk is canonicalised once for the fingerprints, by its address: the SHA-256
    // putMany took of that very content
    const memo = new CanonicalMemo(addresses);
    let k = 0;
    const rows = items.map((item) => {
      const addressed = item.before?.files.map((f) => ({ ...f, sha256: addresses[k++]! }));
      const files: StoredFile[] | null = addressed
        ? addressed.map((f) => ({ path: f.path, sha256: f.sha256, size: f.content.length }))
        : null;
      return {
        type: item.ref.type,
        full_name: item.ref.fullName,
        parent_type: item.parent?.type ?? null,
        parent_full_name: item.parent?.fullName ?? null,
        existed: item.before !== null,
        files,
        fingerprint_before: addressed
          ? (knownFingerprint(addressed, item.known) ?? fingerprintComponent(addressed, memo))
          : null,
      };
    });
    // one statement per 5,000 rows from a JSON array (in order), not a parameter per value
    for (let i = 0; i < rows.length; i += 5000) {
      await this.db.query(
        `INSERT INTO snapshot_components
           (snapshot_id, type, full_name, parent_type, parent_full_name, existed, files, fingerprint_before)
         SELECT $1, v.type, v.full_name, v.parent_type, v.parent_full_name, v.existed, v.files, v.fingerprint_before
           FROM ROWS FROM (jsonb_to_recordset($2::jsonb) AS (type text, full_name text, parent_type text,
                  parent_full_name text, existed boolean, files jsonb, fingerprint_before text))
                WITH ORDINALITY AS v(type, full_name, parent_type, parent_full_name, existed, files, fingerprint_before, n)
          ORDER BY v.n
         ON CONFLICT DO NOTHING`,
        [snapshotId, JSON.stringify(rows.slice(i, i + 5000))],
      );
    }
  }

  /**
   * After the deploy: what each component became (its fingerprint) and what the deploy did to it. Rows are matched
   * by `componentKey` (Salesforce's case-insensitive names): the row keeps the name the org had. `rowIds` (by
   * componentKey, from `statesBefore`) spares reading the snapshot's rows again.
   */
  async recordAfter(
    snapshotId: string,
    after: { ref: MemberRef; fingerprintAfter: string | null; deployAction: string }[],
    rowIds?: ReadonlyMap<string, string>,
  ): Promise<void> {
    await this.updateRows(
      snapshotId,
      after.map((a) => ({ ref: a.ref, set: { fp: a.fingerprintAfter, action: a.deployAction } })),
      `UPDATE snapshot_components sc SET fingerprint_after = v.fp, deploy_action = v.action
         FROM jsonb_to_recordset($2::jsonb) AS v(id bigint, fp text, action text)
        WHERE sc.snapshot_id = $1 AND sc.id = v.id`,
      rowIds,
    );
  }

  /**
   * Merges `details` into the rows of `refs` (matched by componentKey): each concern writes its own key, so a profile's
   * elements and a flow's versions never overwrite each other. Not part of the checksum: details describe, the
   * fingerprints decide.
   */
  async recordDetails(
    snapshotId: string,
    items: { ref: MemberRef; details: SnapshotComponentDetails }[],
  ): Promise<void> {
    await this.updateRows(
      snapshotId,
      items.map((i) => ({ ref: i.ref, set: { details: i.details } })),
      `UPDATE snapshot_components sc SET details = coalesce(sc.details, '{}'::jsonb) || v.details
         FROM jsonb_to_recordset($2::jsonb) AS v(id bigint, details jsonb)
        WHERE sc.snapshot_id = $1 AND sc.id = v.id`,
    );
  }

  /**
   * Runs `sql` over the snapshot's rows matched by componentKey (the row keeps the name the org had), 5,000 at a time:
   * $1 is the snapshot, $2 a JSON array of `{ id, ...set }`.
   */
  private async updateRows(
    snapshotId: string,
    items: { ref: MemberRef; set: Record<string, unknown> }[],
    sql: string,
    rowIds?: ReadonlyMap<string, string>,
  ): Promise<void> {
    if (items.length === 0) return;
    const idByKey = rowIds ?? new Map((await this.statesBefore(snapshotId)).map((r) => [componentKey(r), r.id]));
    const updates = items.flatMap((i) => {
      const id = idByKey.get(componentKey(i.ref));
      return id === undefined ? [] : [{ id, ...i.set }];
    });
    for (let i = 0; i < updates.length; i += 5000) {
      await this.db.query(sql, [snapshotId, JSON.stringify(updates.slice(i, i + 5000))]);
    }
  }

  /** Seals the snapshot with a checksum over every component's before/after fingerprints. */
  async complete(snapshotId: string): Promise<Snapshot> {
    const checksum = await this.computeChecksum(snapshotId);
    const count = await this.components.countBy({ snapshotId });
    await this.snapshots.update(snapshotId, {
      status: 'complete',
      checksum,
      componentCount: count,
      completedAt: new Date(),
    });
    return this.snapshots.findOneByOrFail({ id: snapshotId });
  }

  /** True when the stored rows still produce the sealed checksum. */
  async verify(snapshot: Snapshot): Promise<boolean> {
    return snapshot.checksum !== null && (await this.computeChecksum(snapshot.id)) === snapshot.checksum;
  }

  /**
   * What the backup found of each component (no files): its row, whether the org had it, and the fingerprint of what
   * it had.
   */
  async statesBefore(
    snapshotId: string,
  ): Promise<{ id: string; type: string; fullName: string; existed: boolean; fingerprintBefore: string | null }[]> {
    const rows: { id: string; type: string; full_name: string; existed: boolean; fingerprint_before: string | null }[] =
      await this.db.query(
        `SELECT id, type, full_name, existed, fingerprint_before FROM snapshot_components WHERE snapshot_id = $1`,
        [snapshotId],
      );
    return rows.map((r) => ({
      id: r.id,
      type: r.type,
      fullName: r.full_name,
      existed: r.existed,
      fingerprintBefore: r.fingerprint_before,
    }));
  }

  /**
   * The snapshot's components, or only `refs` of them (what rolling back a few of a large deploy reads), matched by
   * `componentKey`: the database narrows by lower-cased name, `componentKey` decides.
   */
  async componentsOf(snapshotId: string, refs?: MemberRef[]): Promise<SnapshotComponent[]> {
    const qb = this.components.createQueryBuilder('sc').where('sc.snapshot_id = :snapshotId', { snapshotId });
    if (refs) whereMembers(qb, 'sc', refs);
    const rows = await plainRows(qb.orderBy('sc.type', 'ASC').addOrderBy('sc.full_name', 'ASC'));
    return refs ? onlyMembers(rows, refs) : rows;
  }

  /**
   * As `componentsOf`, without the file lists: whether each row has files (`hasFiles`). What planning a rollback
   * needs of every row; a 10,000-component snapshot's file lists are about 4 MB of JSON to read and parse.
   */
  async entriesOf(snapshotId: string, refs?: MemberRef[]): Promise<SnapshotRowFacts[]> {
    const qb = selectAllBut(this.components.createQueryBuilder('sc'), 'files')
      .addSelect('coalesce(jsonb_array_length(sc.files), 0) > 0', 'has_files')
      .where('sc.snapshot_id = :snapshotId', { snapshotId });
    if (refs) whereMembers(qb, 'sc', refs);
    const rows = (await plainRows(qb.orderBy('sc.type', 'ASC').addOrderBy('sc.full_name', 'ASC'), {
      hasFiles: 'has_files',
    })) as unknown as SnapshotRowFacts[];
    return refs ? onlyMembers(rows, refs) : rows;
  }

  /**
   * The API version a restore from this snapshot is packaged with: the one its backup retrieves used; for snapshots
   * taken before that was recorded, the deployed revision's `sourceApiVersion`, else the org's.
   */
  async restoreApiVersion(snapshot: Snapshot): Promise<string> {
    if (snapshot.apiVersion) return snapshot.apiVersion;
    const rows: { version: string | null }[] = await this.db.query(
      `SELECT coalesce(r.api_version, o.api_version) AS version
         FROM snapshots s JOIN jobs j ON j.id = s.job_id JOIN orgs o ON o.id = s.org_id
         LEFT JOIN revisions r ON r.id = j.revision_id
        WHERE s.id = $1`,
      [snapshot.id],
    );
    return pickRestoreApiVersion(snapshot.apiVersion, rows[0]?.version ?? null, null);
  }

  /**
   * Drops the files of snapshots past their retention (rows stay for the audit trail) and the retrieves kept with them,
   * then unreferenced blobs.
   */
  async prune(now = new Date()): Promise<{ snapshots: number; blobs: number }> {
    const expired: { id: string }[] = await this.db.query(
      `SELECT id FROM snapshots WHERE expires_at < $1 AND status <> 'pruned'`,
      [now],
    );
    for (const { id } of expired) {
      await this.db.transaction(async (m) => {
        await m.query(`UPDATE snapshot_components SET files = NULL WHERE snapshot_id = $1`, [id]);
        // a backup kept as Salesforce returned it (its index failed, ADR 0027) goes with the snapshot's files
        await m.query(`DELETE FROM retrieved_backups WHERE snapshot_id = $1`, [id]);
        await m.query(`UPDATE snapshots SET status = 'pruned', pruned_at = now() WHERE id = $1`, [id]);
      });
    }
    const blobs = expired.length ? await this.blobs.collectGarbage() : 0;
    if (expired.length)
      this.logger.log(`Pruned ${expired.length} expired snapshot(s); removed ${blobs} unreferenced blob(s)`);
    return { snapshots: expired.length, blobs };
  }

  /** SHA-256 over every row's identity and fingerprints, computed in the database (no row leaves it). */
  private async computeChecksum(snapshotId: string): Promise<string> {
    const rows: { checksum: string }[] = await this.db.query(
      `SELECT encode(sha256(convert_to(coalesce(string_agg(
                concat_ws('|', type, full_name, existed::text, coalesce(fingerprint_before, ''), coalesce(fingerprint_after, '')),
                E'\n' ORDER BY type COLLATE "C", full_name COLLATE "C"), ''), 'UTF8')), 'hex') AS checksum
         FROM snapshot_components WHERE snapshot_id = $1`,
      [snapshotId],
    );
    return rows[0]!.checksum;
  }
}

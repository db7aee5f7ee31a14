import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { BlobIntegrityError } from '../blobs/blob-store.js';
import { sha256 } from '../common/hash.js';
import type { RetrievedZip } from './org-retriever.js';

/**
 * A deploy's backup retrieves as Salesforce returned them (ADR 0027), by snapshot and position: stored before the
 * deploy is submitted, read back to index them, deleted once indexed. A zip is checked against its SHA-256 on reading.
 */
@Injectable()
export class RetrievedBackups {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async put(snapshotId: string, position: number, retrieved: RetrievedZip): Promise<void> {
    await this.db.query(
      `INSERT INTO retrieved_backups (snapshot_id, position, members, unreported, messages, sha256, zip)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (snapshot_id, position) DO UPDATE SET members = EXCLUDED.members,
         unreported = EXCLUDED.unreported, messages = EXCLUDED.messages, sha256 = EXCLUDED.sha256, zip = EXCLUDED.zip`,
      [
        snapshotId,
        position,
        JSON.stringify(retrieved.members.map(({ type, fullName }) => ({ type, fullName }))),
        JSON.stringify(retrieved.unreported.map(({ type, fullName }) => ({ type, fullName }))),
        JSON.stringify(retrieved.messages),
        sha256(retrieved.zip),
        retrieved.zip,
      ],
    );
  }

  /** How many retrieves are stored for the snapshot. */
  async count(snapshotId: string): Promise<number> {
    const rows: { n: number }[] = await this.db.query(
      `SELECT count(*)::int AS n FROM retrieved_backups WHERE snapshot_id = $1`,
      [snapshotId],
    );
    return rows[0]!.n;
  }

  /** The stored retrieve at `position`, its zip verified; undefined when none is stored there. */
  async get(snapshotId: string, position: number): Promise<RetrievedZip | undefined> {
    const rows: (Omit<RetrievedZip, 'retrieveMs'> & { sha256: string })[] = await this.db.query(
      `SELECT members, unreported, messages, sha256, zip FROM retrieved_backups WHERE snapshot_id = $1 AND position = $2`,
      [snapshotId, position],
    );
    const row = rows[0];
    if (!row) return undefined;
    if (sha256(row.zip) !== row.sha256) {
      throw new BlobIntegrityError(
        `Retrieve ${position + 1} of snapshot ${snapshotId} is corrupt: its zip no longer matches its hash.`,
      );
    }
    return { members: row.members, unreported: row.unreported, messages: row.messages, zip: row.zip };
  }

  /** Deletes the snapshot's stored retrieves (indexed, or to be retrieved again). */
  async drop(snapshotId: string): Promise<void> {
    await this.db.query(`DELETE FROM retrieved_backups WHERE snapshot_id = $1`, [snapshotId]);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Snapshots say how their files are stored and which API version their retrieves used
 * (docs/adr/0007-exact-restore-metadata-format-backups.md). Snapshots taken before this migration hold source-format
 * files (`source`) and keep restoring through the source path; new ones are `metadata`.
 */
export class SnapshotFilesFormat1796152000000 implements MigrationInterface {
  name = 'SnapshotFilesFormat1796152000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE snapshots ADD COLUMN files_format text NOT NULL DEFAULT 'source'`);
    await q.query(
      `ALTER TABLE snapshots ADD CONSTRAINT snapshots_files_format CHECK (files_format IN ('source', 'metadata'))`,
    );
    await q.query(`ALTER TABLE snapshots ADD COLUMN api_version text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE snapshots DROP COLUMN api_version`);
    await q.query(`ALTER TABLE snapshots DROP CONSTRAINT snapshots_files_format`);
    await q.query(`ALTER TABLE snapshots DROP COLUMN files_format`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A deploy's backup as Salesforce returned it: each retrieve's zip (the bytes themselves, with their SHA-256), the
 * members it asked for and Salesforce's messages. Stored before the deploy is submitted, indexed into the snapshot's
 * rows while Salesforce deploys, then deleted; kept when indexing failed (ADR 0027). The zips are compressed already:
 * stored EXTERNAL, PostgreSQL does not try again.
 */
export class RetrievedBackups1796162000000 implements MigrationInterface {
  name = 'RetrievedBackups1796162000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE retrieved_backups (
        snapshot_id uuid NOT NULL,
        position integer NOT NULL,
        members jsonb NOT NULL,
        unreported jsonb NOT NULL,
        messages jsonb NOT NULL,
        sha256 text NOT NULL,
        zip bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (snapshot_id, position)
      )`);
    await q.query(`ALTER TABLE retrieved_backups ALTER COLUMN zip SET STORAGE EXTERNAL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE retrieved_backups`);
  }
}

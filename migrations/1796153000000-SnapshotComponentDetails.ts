import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What a backup knows of a component beyond its files: for a profile or permission set the elements it holds and the
 * components it was retrieved with; for a flow the version that was active before and the one the deploy created.
 */
export class SnapshotComponentDetails1796153000000 implements MigrationInterface {
  name = 'SnapshotComponentDetails1796153000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE snapshot_components ADD COLUMN details jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE snapshot_components DROP COLUMN details`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Snapshot rows are written twice: at the backup, and after the deploy with what each component became
 * (`fingerprint_after`, `deploy_action`). With pages left half empty, that second write of columns no index holds is
 * a heap-only update: the row's new version goes in the same page and no index entry is written. Pages written from
 * now on keep the room; existing ones are left as they are. ADR 0023.
 */
export class SnapshotComponentsFillfactor1796158000000 implements MigrationInterface {
  name = 'SnapshotComponentsFillfactor1796158000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE snapshot_components SET (fillfactor = 50)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE snapshot_components RESET (fillfactor)`);
  }
}

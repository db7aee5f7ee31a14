import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A rollback writes each of its component rows three times: Pending, then with the drift verdict, then with its
 * outcome (a deploy's platform stages likewise update theirs). With pages left half empty, the later writes — of
 * columns no index holds — are heap-only updates: the new row version goes in the same page and neither index is
 * written (8,849 rows updated on PGlite in 0.3 s instead of 0.5–1.1 s). Pages written from now on keep the room;
 * existing ones are left as they are. ADR 0023, as 1796158000000 did for snapshot_components.
 */
export class JobComponentsFillfactor1796159000000 implements MigrationInterface {
  name = 'JobComponentsFillfactor1796159000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE job_components SET (fillfactor = 50)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE job_components RESET (fillfactor)`);
  }
}

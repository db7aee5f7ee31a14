import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Components are matched by type and lower-cased name (`componentKey`: Salesforce API names are case-insensitive),
 * and the unique keys of `snapshot_components` and `revision_components` hold the name as spelled, so a lookup of
 * a few members read every row of the snapshot or revision: rolling back 1 component of a 10,000-component deploy
 * spent about 60 ms of database time on reading 10,000 rows three times (snapshot, revision, later deploys), which a
 * rollback of 1 of 10 does not. These indexes serve the lookups (`whereMembers`) from the index instead.
 */
export class MemberLookupIndexes1796165000000 implements MigrationInterface {
  name = 'MemberLookupIndexes1796165000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX snapshot_components_member ON snapshot_components (snapshot_id, type, lower(full_name))`,
    );
    await q.query(
      `CREATE INDEX revision_components_member ON revision_components (revision_id, type, lower(full_name))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX revision_components_member`);
    await q.query(`DROP INDEX snapshot_components_member`);
  }
}

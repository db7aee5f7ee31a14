import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A deploy request of a whole revision is refused before it runs when the deploy would pass Salesforce's limits
 * (files, unzipped bytes). The estimate was made from every component's file list, read at each request: 10,000 rows,
 * 0.1–0.14 s of the database on a 10,000-component revision, before the job even existed. It is now taken once, when
 * the revision is uploaded, and kept on the revision. Revisions uploaded before have none (NULL): their requests
 * estimate as before.
 */
export class RevisionDeployEstimate1796166000000 implements MigrationInterface {
  name = 'RevisionDeployEstimate1796166000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE revisions ADD COLUMN deploy_file_count integer, ADD COLUMN unzipped_bytes bigint`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE revisions DROP COLUMN unzipped_bytes, DROP COLUMN deploy_file_count`);
  }
}

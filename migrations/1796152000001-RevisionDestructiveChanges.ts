import type { MigrationInterface, QueryRunner } from 'typeorm';

/** What a revision deletes: the members of its destructiveChanges*.xml manifests, with phase and manifest name. */
export class RevisionDestructiveChanges1796152000001 implements MigrationInterface {
  name = 'RevisionDestructiveChanges1796152000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE revisions ADD COLUMN destructive_changes jsonb NOT NULL DEFAULT '[]'::jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE revisions DROP COLUMN destructive_changes`);
  }
}

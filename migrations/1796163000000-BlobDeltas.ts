import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A blob may be stored as a delta: its raw deflate stream with an earlier version of the same file (`base`) as the
 * preset dictionary, a few dozen bytes for a line changed in a class instead of the whole file compressed again.
 * The base is always a whole blob (never a delta itself) and cannot be deleted while a delta refers to it (ADR 0028).
 */
export class BlobDeltas1796163000000 implements MigrationInterface {
  name = 'BlobDeltas1796163000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE blobs ADD COLUMN base char(64) NULL REFERENCES blobs (sha256)`);
    await q.query(`CREATE INDEX blobs_base ON blobs (base) WHERE base IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX blobs_base`);
    await q.query(`ALTER TABLE blobs DROP COLUMN base`);
  }
}

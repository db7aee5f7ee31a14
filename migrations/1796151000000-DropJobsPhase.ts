import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `jobs.phase` was never written or read: a job's phase lives in `progress.phase` (jsonb), which the API presents.
 * Down restores the empty column.
 */
export class DropJobsPhase1796151000000 implements MigrationInterface {
  name = 'DropJobsPhase1796151000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE jobs DROP COLUMN IF EXISTS phase`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE jobs ADD COLUMN IF NOT EXISTS phase text`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Idempotency keys expire (IDEMPOTENCY_TTL_HOURS): the periodic sweep deletes by age, so index the age.
 * `omitted_field` names a secret left out of a stored response (a new API token), which is then never replayed.
 */
export class IdempotencyKeysExpiry1796151000001 implements MigrationInterface {
  name = 'IdempotencyKeysExpiry1796151000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX IF NOT EXISTS idempotency_keys_created_at ON idempotency_keys (created_at)`);
    await q.query(`ALTER TABLE idempotency_keys ADD COLUMN IF NOT EXISTS omitted_field text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE idempotency_keys DROP COLUMN IF EXISTS omitted_field`);
    await q.query(`DROP INDEX IF EXISTS idempotency_keys_created_at`);
  }
}

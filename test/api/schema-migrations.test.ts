import { describe, it, expect } from '@jest/globals';
import type { DataSource } from 'typeorm';
import { DropJobsPhase1796151000000 } from '../../migrations/1796151000000-DropJobsPhase.js';
import { IdempotencyKeysExpiry1796151000001 } from '../../migrations/1796151000001-IdempotencyKeysExpiry.js';
import { useEmbeddedDatabase } from '../helpers/embedded-database.js';

describe('schema migrations of the code-health clean-up (all migrations on the embedded database)', () => {
  const database = useEmbeddedDatabase();

  // PGlite serves one connection: inside a query runner, ask through it.
  const columns = async (table: string, via: Pick<DataSource, 'query'> = database()): Promise<string[]> => {
    const rows: { column_name: string }[] = await via.query(
      `SELECT column_name FROM information_schema.columns WHERE table_name = $1`,
      [table],
    );
    return rows.map((r) => r.column_name);
  };

  it('drops the never-used jobs.phase column (the phase lives in progress.phase)', async () => {
    expect(await columns('jobs')).not.toContain('phase');
    expect(await columns('jobs')).toContain('progress');
  });

  it('gives idempotency keys an age index for the sweep and a column naming an omitted secret', async () => {
    expect(await columns('idempotency_keys')).toContain('omitted_field');
    const indexes: { indexname: string }[] = await database().query(
      `SELECT indexname FROM pg_indexes WHERE tablename = 'idempotency_keys'`,
    );
    expect(indexes.map((i) => i.indexname)).toContain('idempotency_keys_created_at');
  });

  it('reverts both migrations and applies them again', async () => {
    const runner = database().createQueryRunner();
    try {
      await new IdempotencyKeysExpiry1796151000001().down(runner);
      await new DropJobsPhase1796151000000().down(runner);
      expect(await columns('jobs', runner)).toContain('phase');
      expect(await columns('idempotency_keys', runner)).not.toContain('omitted_field');
      await new DropJobsPhase1796151000000().up(runner);
      await new IdempotencyKeysExpiry1796151000001().up(runner);
      expect(await columns('jobs', runner)).not.toContain('phase');
      expect(await columns('idempotency_keys', runner)).toContain('omitted_field');
    } finally {
      await runner.release();
    }
  });
});

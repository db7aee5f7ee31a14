import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it, beforeAll, afterAll, expect } from '@jest/globals';
import type { DataSource } from 'typeorm';
import { DropJobsPhase1796151000000 } from '../../migrations/1796151000000-DropJobsPhase.js';
import { IdempotencyKeysExpiry1796151000001 } from '../../migrations/1796151000001-IdempotencyKeysExpiry.js';
import { openDatabase } from '../../src/database/data-source.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../src/database/embedded-postgres.js';

describe('schema migrations of the code-health clean-up (all migrations on the embedded database)', () => {
  let dir: string;
  let pg: EmbeddedPostgres;
  let db: DataSource;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'backtrack-migrations-'));
    pg = await startEmbeddedPostgres(dir);
    db = await openDatabase({ url: pg.url, poolSize: 1 });
  });
  afterAll(async () => {
    await db.destroy();
    await pg.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  // PGlite serves one connection: inside a query runner, ask through it.
  const columns = async (table: string, via: Pick<DataSource, 'query'> = db): Promise<string[]> => {
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
    const indexes: { indexname: string }[] = await db.query(
      `SELECT indexname FROM pg_indexes WHERE tablename = 'idempotency_keys'`,
    );
    expect(indexes.map((i) => i.indexname)).toContain('idempotency_keys_created_at');
  });

  it('reverts both migrations and applies them again', async () => {
    const runner = db.createQueryRunner();
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

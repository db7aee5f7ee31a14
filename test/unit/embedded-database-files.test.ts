import { afterAll, describe, expect, it } from '@jest/globals';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '../../src/database/embedded-postgres.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

describe('the embedded database of a new DATA_DIR', () => {
  it('is created (by a child process) in place, with what a stopped creation left removed, and runs on 32 MB of shared buffers', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'backtrack-embedded-files-'));
    dirs.push(dataDir);
    // a creation stopped half-way by an earlier process (another pid): its folder is not a database
    fs.mkdirSync(path.join(dataDir, 'pglite.creating-999999', 'base'), { recursive: true });
    const embedded = await startEmbeddedPostgres(dataDir);
    const client = new pg.Client({ connectionString: embedded.url });
    try {
      await client.connect();
      const { rows } = await client.query<{ shared_buffers: string }>('SHOW shared_buffers');
      expect(rows[0]!.shared_buffers).toBe('32MB');
      await client.query('CREATE TABLE kept (id int)');
      await client.query('INSERT INTO kept VALUES (1)');
    } finally {
      await client.end();
      await embedded.stop();
    }
    expect(fs.readdirSync(dataDir).sort()).toEqual(['pglite']);
    expect(fs.existsSync(path.join(dataDir, 'pglite', 'PG_VERSION'))).toBe(true);

    // opened again: the same database (not created a second time)
    const again = await startEmbeddedPostgres(dataDir);
    const reader = new pg.Client({ connectionString: again.url });
    try {
      await reader.connect();
      expect((await reader.query('SELECT id FROM kept')).rows).toEqual([{ id: 1 }]);
    } finally {
      await reader.end();
      await again.stop();
    }
  }, 120_000);
});

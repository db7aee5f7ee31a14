import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from '@jest/globals';
import type { DataSource } from 'typeorm';
import { openDatabase } from '../../src/database/data-source.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../src/database/embedded-postgres.js';

/**
 * An embedded database (PGlite over a socket, every migration run) for the describe block it is called in: started
 * before its tests, stopped and removed after them. Answers a getter for its DataSource (one connection).
 */
export function useEmbeddedDatabase(): () => DataSource {
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
  return () => db;
}

import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabase } from '../../src/database/data-source.js';
import { MIGRATIONS } from '../../src/database/entities.js';
import { startEmbeddedPostgres } from '../../src/database/embedded-postgres.js';

/**
 * A fresh PGlite data folder costs seconds of initdb in WebAssembly; one that is already initialised and migrated
 * opens in under a second. The API tests start the service many times, so the harness copies this template into
 * each fresh DATA_DIR instead. The service still runs its migrations on start (there are none left to apply).
 *
 * One template per set of compiled migrations and PGlite version, in the OS temporary folder: built once (by
 * whichever test process gets there first; a loser of the race throws its copy away), reused by later runs.
 */
export async function embeddedDatabaseTemplate(): Promise<string> {
  const target = path.join(os.tmpdir(), `backtrack-pglite-template-${templateKey()}`);
  if (fs.existsSync(path.join(target, 'PG_VERSION'))) return target;
  const building = fs.mkdtempSync(path.join(os.tmpdir(), 'backtrack-pglite-building-'));
  try {
    const embedded = await startEmbeddedPostgres(building);
    try {
      const dataSource = await openDatabase({ url: embedded.url, poolSize: 1 });
      await dataSource.destroy();
    } finally {
      await embedded.stop();
    }
    try {
      fs.renameSync(path.join(building, 'pglite'), target);
    } catch (error) {
      // Another test process renamed its template there first: use that one.
      if (!fs.existsSync(path.join(target, 'PG_VERSION'))) throw error;
    }
  } finally {
    fs.rmSync(building, { recursive: true, force: true });
  }
  return target;
}

/** Copies the template in as `<dataDir>/pglite` unless that DATA_DIR already holds a database (a restart). */
export async function seedEmbeddedDatabase(dataDir: string): Promise<void> {
  const dbDir = path.join(dataDir, 'pglite');
  if (fs.existsSync(dbDir)) return;
  fs.cpSync(await embeddedDatabaseTemplate(), dbDir, { recursive: true });
}

function templateKey(): string {
  const hash = createHash('sha256');
  for (const migration of MIGRATIONS) hash.update(migration.name).update(migration.toString());
  // dist/test/helpers/ → the project's node_modules: a new PGlite may store its files differently.
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
  hash.update(fs.readFileSync(path.join(root, 'node_modules/@electric-sql/pglite/package.json')));
  return hash.digest('hex').slice(0, 16);
}

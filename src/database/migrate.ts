// npm run migration:run — applies the pending migrations (migrations/, listed in entities.ts) and exits, to the
// database the service would use: PostgreSQL at DATABASE_URL, or the embedded PGlite under DATA_DIR when unset.
// The service applies them at start-up too; this runs them alone (before starting several API/worker processes).
import { redactUrl } from './data-source.js';
import { createMigrationDataSource } from './migration-data-source.js';

const where = process.env.DATABASE_URL
  ? redactUrl(process.env.DATABASE_URL)
  : `PGlite in ${process.env.DATA_DIR || './.backtrack'}`;
let dataSource;
try {
  dataSource = await createMigrationDataSource();
  await dataSource.initialize();
} catch (error) {
  process.stderr.write(
    `Cannot open the database (${where}): ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
}
try {
  const applied = await dataSource.runMigrations();
  for (const migration of applied) process.stdout.write(`Applied ${migration.name}\n`);
  process.stdout.write(
    applied.length
      ? `${applied.length} migration(s) applied to ${where}.\n`
      : `No pending migrations: ${where} is up to date.\n`,
  );
} catch (error) {
  process.stderr.write(`Migration failed on ${where}: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
} finally {
  await dataSource.destroy();
}

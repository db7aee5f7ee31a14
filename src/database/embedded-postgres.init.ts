// Run as a child process (`node embedded-postgres.init.js <folder>`) the first time a DATA_DIR is used: creates the
// PGlite database files there (initdb) and exits, so the memory initdb takes goes back to the system with the process
// instead of staying in the service for as long as it runs (see embedded-postgres.ts).
import { PGlite } from '@electric-sql/pglite';

const dbDir = process.argv[2];
if (!dbDir) throw new Error('usage: embedded-postgres.init.js <folder>');
const db = await PGlite.create(dbDir);
await db.close();

import crypto from 'node:crypto';
import pg from 'pg';

/**
 * A database of its own on the integration suite's PostgreSQL server (TEST_DATABASE_URL), created with an admin
 * connection to the server that stays open for queries about it (pg_stat_activity, pg_terminate_backend…).
 */
export interface ScratchDatabase {
  readonly name: string;
  /** Its connection URL (DATABASE_URL of the processes under test). */
  readonly url: string;
  /** Runs SQL on the server's admin connection. */
  query(sql: string, params?: unknown[]): Promise<pg.QueryResult>;
  /** Drops the database (closing whatever connections are left) and ends the admin connection. */
  close(): Promise<void>;
}

/** Creates `<prefix>_<random>` on the server. */
export async function createScratchDatabase(server: string, prefix: string): Promise<ScratchDatabase> {
  const name = `${prefix}_${crypto.randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(server);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    query: (sql, params) => admin.query(sql, params),
    async close() {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

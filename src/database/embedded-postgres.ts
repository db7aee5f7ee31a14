import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export interface EmbeddedPostgres {
  /** A postgres:// URL the `pg` driver connects to; PGlite serves one connection at a time. */
  url: string;
  stop(): Promise<void>;
}

/**
 * PostgreSQL in WebAssembly with its files in `<dataDir>/pglite`, served over the PostgreSQL wire protocol on a
 * loopback port so the application uses the same `pg` driver, migrations and SQL as with a real server.
 */
export async function startEmbeddedPostgres(dataDir: string): Promise<EmbeddedPostgres> {
  const dbDir = path.join(dataDir, 'pglite');
  fs.mkdirSync(dbDir, { recursive: true });
  const db = await PGlite.create(dbDir);
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 1 });
  await server.start();
  const address = server.getServerConn();
  return {
    url: `postgres://postgres@${address}/postgres`,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}

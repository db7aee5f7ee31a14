import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import crypto from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { serveWireProtocol, type WireServer } from '../../src/database/wire-server.js';

/** PGlite in memory behind the server the embedded database uses, reached with the `pg` driver the service uses. */
describe('the embedded database wire-protocol server', () => {
  let db: PGlite;
  let server: WireServer;
  const client = () => new pg.Client({ connectionString: `postgres://postgres@${server.address}/postgres` });

  beforeAll(async () => {
    db = await PGlite.create();
    server = await serveWireProtocol(db);
    await db.exec('CREATE TABLE kept (id int, content bytea)');
  });
  afterAll(async () => {
    await server.stop();
    await db.close();
  });

  it('carries a parameter and an answer of several megabytes byte for byte', async () => {
    const content = crypto.randomBytes(6 * 1024 * 1024);
    const c = client();
    await c.connect();
    try {
      await c.query('INSERT INTO kept VALUES (1, $1)', [content]);
      const { rows } = await c.query<{ content: Buffer }>('SELECT content FROM kept WHERE id = 1');
      expect(Buffer.compare(rows[0]!.content, content)).toBe(0);
    } finally {
      await c.end();
    }
  });

  it('refuses a second connection while one is open, with a FATAL error that says why', async () => {
    const first = client();
    await first.connect();
    try {
      const second = client();
      const refused = await second.connect().then(
        () => null,
        (error: unknown) => error as { code?: string; message: string },
      );
      expect(refused?.code).toBe('53300');
      expect(refused?.message).toMatch(/one connection at a time/);
      expect((await first.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    } finally {
      await first.end();
    }
  });

  it('rolls back what a connection left open when it drops, and serves the next one', async () => {
    const dropped = client();
    dropped.on('error', () => undefined);
    await dropped.connect();
    await dropped.query('BEGIN');
    await dropped.query('INSERT INTO kept VALUES (2, NULL)');
    (dropped as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();

    let next = client();
    for (let attempt = 0; ; attempt++) {
      try {
        await next.connect();
        break;
      } catch (error) {
        // the server may not have seen the dropped socket close yet
        if (attempt > 20 || (error as { code?: string }).code !== '53300') throw error;
        await new Promise((resolve) => setTimeout(resolve, 50));
        next = client();
      }
    }
    try {
      expect((await next.query('SELECT count(*)::int AS n FROM kept WHERE id = 2')).rows).toEqual([{ n: 0 }]);
      expect(db.isInTransaction()).toBe(false);
    } finally {
      await next.end();
    }
  });

  it('answers a request for TLS with "N", so a client requiring TLS is told the server has none', async () => {
    const c = new pg.Client({
      connectionString: `postgres://postgres@${server.address}/postgres`,
      ssl: { rejectUnauthorized: false },
    });
    await expect(c.connect()).rejects.toThrow(/does not support SSL/);
  });
});

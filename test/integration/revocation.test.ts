import { describe, it, beforeAll, afterAll, expect } from '@jest/globals';
import crypto from 'node:crypto';
import { RevocationFeed } from '../../src/auth/revocation-feed.js';
import { startHarness, type Harness } from '../helpers/backtrack.harness.js';
import { closeStarted } from '../helpers/lifecycle.js';
import { createScratchDatabase, type ScratchDatabase } from '../helpers/scratch-database.js';
import { createToken, expectClosedOnRevocation, openStream } from '../helpers/scoped-access.js';

const DATABASE_SERVER = process.env.TEST_DATABASE_URL;
if (!DATABASE_SERVER)
  throw new Error('The integration suite needs TEST_DATABASE_URL (a PostgreSQL server); .ci/run sets it.');

/** Polls `probe` every 25 ms; resolves how many ms it took to return true, or null after `limitMs`. */
async function msUntil(probe: () => Promise<boolean>, limitMs: number): Promise<number | null> {
  const started = Date.now();
  while (Date.now() - started < limitMs) {
    if (await probe()) return Date.now() - started;
    await new Promise((r) => setTimeout(r, 25));
  }
  return null;
}

describe('revocation reaches every API process at once (two API instances, one PostgreSQL database)', () => {
  let database: ScratchDatabase;
  let a: Harness;
  let b: Harness;

  beforeAll(async () => {
    database = await createScratchDatabase(DATABASE_SERVER, 'backtrack_revoke');
    const env = {
      DATABASE_URL: database.url,
      SECRET_KEY: crypto.randomBytes(32).toString('hex'),
      ROLE: 'api',
      EMULATOR: 'off',
    };
    a = await startHarness(env);
    b = await startHarness(env);
  });
  afterAll(async () => {
    await closeStarted(a, b, database);
  });

  const jobRow = async () => {
    const id = crypto.randomUUID();
    await a.backtrack.dataSource.query(`INSERT INTO jobs (id, kind, status) VALUES ($1, 'Deploy', 'Queued')`, [id]);
    return id;
  };

  it('refuses a token on the other instance within a second of its revocation, though that instance had cached it', async () => {
    const reader = await createToken(a, ['read']);
    expect((await b.api('GET', '/api/branches', { token: reader.token })).status).toBe(200);
    expect((await a.api('DELETE', `/api/tokens/${reader.id}`)).status).toBe(200);
    const took = await msUntil(
      async () => (await b.api('GET', '/api/branches', { token: reader.token })).status === 401,
      1_000,
    );
    expect(took).not.toBeNull();
  });

  it('closes a log stream open on the other instance when its token is revoked', async () => {
    const reader = await createToken(a, ['read']);
    const stream = await openStream(b.url, `/api/jobs/${await jobRow()}/logs/stream`, reader.token);
    try {
      await expectClosedOnRevocation(stream, () => a.api('DELETE', `/api/tokens/${reader.id}`), 500);
    } finally {
      await stream.cancel();
    }
  });

  it('checks tokens against the database while its revocation listener is down, then listens again', async () => {
    const reader = await createToken(a, ['read']);
    expect((await b.api('GET', '/api/branches', { token: reader.token })).status).toBe(200);
    await database.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND application_name = 'backtrack-revocations'`,
      [database.name],
    );
    const feed = b.backtrack.app.get(RevocationFeed);
    expect(await msUntil(async () => !feed.reliable, 2_000)).not.toBeNull();
    // No notification can arrive now; the other instance must not trust what it cached.
    await a.backtrack.dataSource.query(`UPDATE api_tokens SET revoked_at = now() WHERE id = $1`, [reader.id]);
    expect((await b.api('GET', '/api/branches', { token: reader.token })).status).toBe(401);
    const listening = await msUntil(async () => {
      const rows = await database.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND application_name = 'backtrack-revocations'`,
        [database.name],
      );
      return rows.rows[0].n === 2;
    }, 10_000);
    expect(listening).not.toBeNull();
  });
});

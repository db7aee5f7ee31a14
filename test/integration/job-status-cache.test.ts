import { describe, it, beforeAll, afterAll, expect } from '@jest/globals';
import crypto from 'node:crypto';
import pg from 'pg';
import { JobChangeFeed } from '../../src/jobs/job-change-feed.js';
import { JobsRepository } from '../../src/jobs/jobs.repository.js';
import { startHarness, type Harness } from '../helpers/backtrack.harness.js';
import { closeStarted, waitFor } from '../helpers/lifecycle.js';
import { createScratchDatabase, type ScratchDatabase } from '../helpers/scratch-database.js';

const DATABASE_SERVER = process.env.TEST_DATABASE_URL;
if (!DATABASE_SERVER)
  throw new Error('The integration suite needs TEST_DATABASE_URL (a PostgreSQL server); .ci/run sets it.');

// Two API processes on one PostgreSQL database: what one (or a worker) changes, the other's pollers see (ADR 0021).
describe('job status cached by one API process follows changes made by another', () => {
  let database: ScratchDatabase;
  let a: Harness;
  let b: Harness;

  beforeAll(async () => {
    database = await createScratchDatabase(DATABASE_SERVER, 'backtrack_jobstatus');
    const env = { DATABASE_URL: database.url, SECRET_KEY: crypto.randomBytes(32).toString('hex'), EMULATOR: 'off' };
    a = await startHarness({ ...env, ROLE: 'api' });
    b = await startHarness({ ...env, ROLE: 'api' });
  });
  afterAll(async () => {
    await closeStarted(a, b, database);
  });

  const jobRow = async () => {
    const id = crypto.randomUUID();
    await a.backtrack.dataSource.query(`INSERT INTO jobs (id, kind, status) VALUES ($1, 'Deploy', 'In Progress')`, [
      id,
    ]);
    return id;
  };
  const listeners = async () =>
    (
      await database.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND application_name = 'backtrack-job-changes'`,
        [database.name],
      )
    ).rows[0].n as number;

  it('shows on one process the change another made, with a new ETag, though it served the job from memory', async () => {
    const id = await jobRow();
    await waitFor('both processes listening', async () => (await listeners()) === 2);
    const first = await b.api('GET', `/api/jobs/${id}`);
    expect(first.status).toBe(200);
    const etag = first.headers.get('etag')!;
    expect((await b.api('GET', `/api/jobs/${id}`, { headers: { 'if-none-match': etag } })).status).toBe(304);
    await a.backtrack.app.get(JobsRepository).setCounts(id, { deployed: 7 });
    const seen = await waitFor(
      'the change seen by the other process',
      async () => {
        const answer = await b.api('GET', `/api/jobs/${id}`, { headers: { 'if-none-match': etag } });
        return answer.status === 200 ? answer : null;
      },
      { timeoutMs: 2_000, intervalMs: 20 },
    );
    expect(seen.body.counts).toEqual({ deployed: 7 });
    expect(seen.body.version).toBe(Number(first.body.version) + 1);
    expect(seen.headers.get('etag')).toBe(`W/"${id}.${seen.body.version}"`);
  });

  it('reads the version again on every request while its listener is down, so no change can be missed', async () => {
    const id = await jobRow();
    const first = await b.api('GET', `/api/jobs/${id}`);
    await database.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND application_name = 'backtrack-job-changes'`,
      [database.name],
    );
    const feed = b.backtrack.app.get(JobChangeFeed);
    await waitFor('the listener seen as down', async () => !feed.reliable, { timeoutMs: 2_000, intervalMs: 10 });
    // A change no notification tells anyone about (a connection of its own, behind the service's back).
    const other = new pg.Client({ connectionString: database.url });
    await other.connect();
    await other.query(`UPDATE jobs SET status = 'Completed', version = version + 1 WHERE id = $1`, [id]);
    await other.end();
    const answer = await b.api('GET', `/api/jobs/${id}`, { headers: { 'if-none-match': first.headers.get('etag')! } });
    expect(answer.status).toBe(200);
    expect(answer.body.status).toBe('Completed');
    expect(answer.body.version).toBe(Number(first.body.version) + 1);
    await waitFor('both processes listening again', async () => (await listeners()) === 2, { timeoutMs: 15_000 });
  });
});

import { describe, it, beforeAll, afterAll, expect } from '@jest/globals';
import { JobsRepository } from '../../src/jobs/jobs.repository.js';
import { JobsService } from '../../src/jobs/jobs.service.js';
import { startHarness, type Harness } from '../helpers/backtrack.harness.js';
import { deployCompleted } from '../helpers/deploy-flow.js';
import { closeStarted } from '../helpers/lifecycle.js';
import { createToken, registerEmulatorOrg, sampleBranch } from '../helpers/scoped-access.js';

// GET /api/jobs/:id answers pollers from memory (ADR 0021): these prove it never answers anything else than before.
describe('job status for pollers, served from memory, stays exact', () => {
  let h: Harness;
  let jobId: string;
  let jobs: JobsRepository;
  beforeAll(async () => {
    h = await startHarness();
    jobs = h.backtrack.app.get(JobsRepository);
    const orgId = await registerEmulatorOrg(h, 'Polled UAT', 'uat');
    jobId = await deployCompleted(h, await sampleBranch(h, 'polled'), orgId);
  });
  afterAll(() => closeStarted(h));

  const poll = (headers: Record<string, string> = {}, token?: string) =>
    h.api('GET', `/api/jobs/${jobId}`, { headers, ...(token ? { token } : {}) });

  it('serves the body exactly as res.json did, the first time and from memory after', async () => {
    const service = h.backtrack.app.get(JobsService);
    const expected = JSON.stringify(await service.present(await service.get(jobId)));
    const first = await poll();
    const second = await poll();
    for (const answer of [first, second]) {
      expect(answer.status).toBe(200);
      expect(JSON.stringify(answer.body)).toBe(expected);
      expect(answer.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(answer.headers.get('content-length')).toBe(String(Buffer.byteLength(expected)));
      expect(answer.headers.get('cache-control')).toBe('no-cache');
    }
    expect(second.headers.get('etag')).toBe(first.headers.get('etag'));
    expect(first.headers.get('etag')).toBe(`W/"${jobId}.${first.body.version}"`);
  });

  it('answers 304 to a matching If-None-Match, and 200 to an older one', async () => {
    const { headers, body } = await poll();
    const etag = headers.get('etag')!;
    const cached = await poll({ 'if-none-match': etag });
    expect(cached.status).toBe(304);
    expect(cached.headers.get('etag')).toBe(etag);
    expect(cached.body).toBeNull();
    const older = await poll({ 'if-none-match': `W/"${jobId}.${body.version - 1}"` });
    expect(older.status).toBe(200);
    expect(older.body.version).toBe(body.version);
  });

  it('shows a new ETag and body at once when the job changes: counts, progress, state, status', async () => {
    const changes: [string, () => Promise<unknown>, (body: any) => void][] = [
      ['counts', () => jobs.setCounts(jobId, { deployed: 41 }), (b) => expect(b.counts).toEqual({ deployed: 41 })],
      [
        'progress',
        () => jobs.setProgress(jobId, { componentsDone: 1, componentsTotal: 4 }),
        (b) => expect(b.progress.percent).toBe(25),
      ],
      [
        'state',
        () => jobs.saveState(jobId, { problems: [{ problem: 'x' }] }),
        (b) => expect(b.problems).toEqual([{ problem: 'x' }]),
      ],
      [
        'status',
        () => jobs.finish(jobId, { status: 'Exception', error: 'stopped by the test' }),
        (b) => expect([b.status, b.error]).toEqual(['Exception', 'stopped by the test']),
      ],
    ];
    for (const [what, change, shows] of changes) {
      const before = await poll();
      expect((await poll({ 'if-none-match': before.headers.get('etag')! })).status).toBe(304);
      await change();
      const after = await poll({ 'if-none-match': before.headers.get('etag')! });
      expect([what, after.status]).toEqual([what, 200]);
      expect(after.body.version).toBe(Number(before.body.version) + 1);
      expect(after.headers.get('etag')).toBe(`W/"${jobId}.${after.body.version}"`);
      shows(after.body);
    }
  });

  it('refuses a revoked token at once, though it polled a cached job a moment before', async () => {
    const reader = await createToken(h, ['read']);
    const answer = await poll({}, reader.token);
    expect(answer.status).toBe(200);
    expect((await h.api('DELETE', `/api/tokens/${reader.id}`)).status).toBe(200);
    expect((await poll({}, reader.token)).status).toBe(401);
    expect((await poll({ 'if-none-match': answer.headers.get('etag')! }, reader.token)).status).toBe(401);
  });

  it('answers a token of another environment exactly as before (403 naming it), even with a matching ETag', async () => {
    const etag = (await poll()).headers.get('etag')!;
    const production = await createToken(h, ['read'], ['production']);
    // /components reads the job the way every route did before the cache: the same refusal, word for word.
    const reference = await h.api('GET', `/api/jobs/${jobId}/components`, { token: production.token });
    expect(reference.status).toBe(403);
    for (const headers of [{}, { 'if-none-match': etag }] as Record<string, string>[]) {
      const refused = await poll(headers, production.token);
      expect(refused.status).toBe(403);
      expect(refused.body).toEqual(reference.body);
    }
    const uat = await createToken(h, ['read'], ['UAT']);
    expect((await poll({ 'if-none-match': etag }, uat.token)).status).toBe(304);
  });

  it('answers 404 for a job that does not exist, as before', async () => {
    const missing = '00000000-0000-4000-8000-000000000000';
    const reference = await h.api('GET', `/api/jobs/${missing}/components`);
    const answer = await h.api('GET', `/api/jobs/${missing}`, { headers: { 'if-none-match': `W/"${missing}.1"` } });
    expect(answer.status).toBe(404);
    expect(answer.body).toEqual(reference.body);
  });

  it('answers 404 naming the job on each route that checks a job without reading it (logs, components, snapshot, rollback view)', async () => {
    const missing = '00000000-0000-4000-8000-000000000001';
    for (const route of ['logs', 'components', 'snapshot', 'rollback']) {
      const answer = await h.api('GET', `/api/jobs/${missing}/${route}`);
      expect(answer.status).toBe(404);
      expect(JSON.stringify(answer.body)).toContain(missing);
    }
    // an existing job's environments are still checked (a token of its environment reads; the permissions matrix
    // proves the 403s of these routes)
    const uat = await createToken(h, ['read'], ['UAT']);
    expect((await h.api('GET', `/api/jobs/${jobId}/logs`, { token: uat.token })).status).toBe(200);
  });
});

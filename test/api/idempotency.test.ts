import { randomUUID } from 'node:crypto';
import { describe, it, beforeAll, afterAll, expect } from '@jest/globals';
import { setTimeout as delay } from 'node:timers/promises';
import { IdempotencyService, sweepIntervalMs } from '../../src/idempotency/idempotency.service.js';
import { startHarness, type Harness } from '../helpers/backtrack.harness.js';
import { SAMPLE_PROJECT, zipFolder } from '../helpers/project-zip.js';

const key = (name: string) => ({ 'idempotency-key': `${name}-${Math.random().toString(36).slice(2)}` });

describe('Idempotency-Key on every create endpoint', () => {
  let h: Harness;
  let zip: Buffer;

  beforeAll(async () => {
    h = await startHarness();
    zip = await zipFolder(SAMPLE_PROJECT);
  });
  afterAll(() => h.close());

  it('Given a branch created with a key, when the same request is sent again, then the first response is replayed', async () => {
    const headers = key('branch');
    const first = await h.api('POST', '/api/branches', { body: { name: 'idem-branch' }, headers });
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const again = await h.api('POST', '/api/branches', { body: { name: 'idem-branch' }, headers });
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const all = (await h.api('GET', '/api/branches')).body.items.filter(
      (b: { name: string }) => b.name === 'idem-branch',
    );
    expect(all).toHaveLength(1);
  });

  it('refuses the same key with a different body with 422 and a sentence', async () => {
    const headers = key('branch');
    expect((await h.api('POST', '/api/branches', { body: { name: 'idem-a' }, headers })).status).toBe(201);
    const other = await h.api('POST', '/api/branches', { body: { name: 'idem-b' }, headers });
    expect(other.status).toBe(422);
    expect(other.body.message).toBe(
      'This Idempotency-Key was already used for a different request; use a new key for a new request.',
    );
  });

  it('treats a JSON body with its keys in another order as the same request', async () => {
    const headers = key('branch');
    const first = await h.api('POST', '/api/branches', { body: { name: 'idem-order', description: 'd' }, headers });
    const again = await h.api('POST', '/api/branches', { body: { description: 'd', name: 'idem-order' }, headers });
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(first.body.id);
  });

  it('keeps nothing for a refused request, so the key works once the request is fixed', async () => {
    const headers = key('branch');
    const refused = await h.api('POST', '/api/branches', { body: { name: '' }, headers });
    expect(refused.status).toBe(400);
    const fixed = await h.api('POST', '/api/branches', { body: { name: 'idem-fixed' }, headers });
    expect(fixed.status).toBe(201);
    expect(fixed.headers.get('idempotent-replayed')).toBeNull();
  });

  it('scopes keys per token: another token may use the same key for its own request', async () => {
    const headers = key('shared');
    const created = await h.api('POST', '/api/tokens', { body: { name: 'idem deployer', permissions: ['deploy'] } });
    const mine = await h.api('POST', '/api/branches', { body: { name: 'idem-mine' }, headers });
    const theirs = await h.api('POST', '/api/branches', {
      body: { name: 'idem-theirs' },
      headers,
      token: created.body.token,
    });
    expect(mine.status).toBe(201);
    expect(theirs.status).toBe(201);
    expect(theirs.body.id).not.toBe(mine.body.id);
  });

  it('replays a revision uploaded as application/zip, and refuses another zip under the same key', async () => {
    const branch = (await h.api('POST', '/api/branches', { body: { name: 'idem-upload-raw' } })).body;
    const headers = key('upload');
    const first = await h.api('POST', `/api/branches/${branch.id}/revisions`, { body: zip, headers });
    expect(first.status).toBe(201);
    const again = await h.api('POST', `/api/branches/${branch.id}/revisions`, { body: zip, headers });
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const other = await zipFolder(SAMPLE_PROJECT, {
      'force-app/main/default/classes/Extra.cls': 'public class Extra {}',
    });
    expect((await h.api('POST', `/api/branches/${branch.id}/revisions`, { body: other, headers })).status).toBe(422);
    expect((await h.api('GET', `/api/branches/${branch.id}/revisions`)).body.items).toHaveLength(1);
  });

  it('replays a revision uploaded as multipart, the key covering the file', async () => {
    const branch = (await h.api('POST', '/api/branches', { body: { name: 'idem-upload-form' } })).body;
    const headers = { authorization: 'Bearer bt_test_admin_token_0123456789abcdefghij', ...key('form') };
    const send = async (bytes: Buffer) => {
      const form = new FormData();
      form.append('file', new Blob([new Uint8Array(bytes)], { type: 'application/zip' }), 'project.zip');
      const res = await fetch(`${h.url}/api/branches/${branch.id}/revisions`, { method: 'POST', headers, body: form });
      return {
        status: res.status,
        replayed: res.headers.get('idempotent-replayed'),
        body: (await res.json()) as { id: string },
      };
    };
    const first = await send(zip);
    expect(first.status).toBe(201);
    const again = await send(zip);
    expect(again).toEqual({ ...first, replayed: 'true' });
    const other = await zipFolder(SAMPLE_PROJECT, {
      'force-app/main/default/classes/Extra.cls': 'public class Extra {}',
    });
    expect((await send(other)).status).toBe(422);
  });

  it('replays an org registration instead of refusing the second as a duplicate name', async () => {
    const emulator = h.backtrack.emulator!;
    const body = {
      name: 'Idempotent UAT',
      environment: 'uat',
      instanceUrl: emulator.url,
      auth: { type: 'accessToken', accessToken: emulator.defaultOrg.accessToken },
    };
    const headers = key('org');
    const first = await h.api('POST', '/api/orgs', { body, headers });
    expect(first.status).toBe(201);
    const again = await h.api('POST', '/api/orgs', { body, headers });
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(first.body.id);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
  });

  it('creates one token for a repeated key, and never stores or replays its secret', async () => {
    const headers = key('token');
    const first = await h.api('POST', '/api/tokens', { body: { name: 'idem token', permissions: ['read'] }, headers });
    expect(first.status).toBe(201);
    expect(first.body.token).toMatch(/^bt_/);
    const again = await h.api('POST', '/api/tokens', { body: { name: 'idem token', permissions: ['read'] }, headers });
    expect(again.status).toBe(409);
    expect(again.body.message).toMatch(/already created this resource, but its token is shown only once/);
    expect(again.body.created.id).toBe(first.body.id);
    expect(JSON.stringify(again.body)).not.toContain(first.body.token as string);
    const stored: { body: unknown }[] = await h.backtrack.dataSource.query(`SELECT body FROM idempotency_keys`);
    expect(JSON.stringify(stored)).not.toContain(first.body.token as string);
    const tokens = (await h.api('GET', '/api/tokens')).body.items.filter(
      (t: { name: string }) => t.name === 'idem token',
    );
    expect(tokens).toHaveLength(1);
  });

  it('accepts a key on delete and replays the first answer', async () => {
    const created = await h.api('POST', '/api/tokens', { body: { name: 'idem revoked', permissions: ['read'] } });
    const headers = key('revoke');
    const first = await h.api('DELETE', `/api/tokens/${created.body.id}`, { headers });
    expect(first.status).toBe(200);
    const again = await h.api('DELETE', `/api/tokens/${created.body.id}`, { headers });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
  });

  it('refuses a key longer than 200 characters with 422', async () => {
    const res = await h.api('POST', '/api/branches', {
      body: { name: 'idem-long' },
      headers: { 'idempotency-key': 'k'.repeat(201) },
    });
    expect(res.status).toBe(422);
    expect(res.body.message).toMatch(/longer than 200 characters/);
  });

  describe('expiry (IDEMPOTENCY_TTL_HOURS)', () => {
    // The service over the same database with a 1.8 s lifetime (0.0005 h), scoped to a caller of its own.
    const ttl = () => new IdempotencyService(h.backtrack.dataSource, { IDEMPOTENCY_TTL_HOURS: 0.0005 });
    const count = async (scope: string) =>
      Number(
        (
          await h.backtrack.dataSource.query(`SELECT count(*) AS n FROM idempotency_keys WHERE token_id = $1`, [scope])
        )[0].n,
      );

    it('Given an expired key, when it comes back with another request, then that request runs as new', async () => {
      const keys = ttl();
      const scope = randomUUID();
      expect(await keys.begin(scope, 'k', 'hash-1')).toEqual({ replay: false });
      await keys.complete(scope, 'k', { status: 201, body: { id: 1 } });
      await expect(keys.begin(scope, 'k', 'hash-2')).rejects.toThrow(/already used for a different request/);
      await delay(2000);
      expect(await keys.begin(scope, 'k', 'hash-2')).toEqual({ replay: false });
    });

    it('sweeps keys older than the lifetime and keeps younger ones', async () => {
      const keys = ttl();
      const scope = randomUUID();
      await keys.begin(scope, 'old', 'h');
      await delay(2000);
      await keys.begin(scope, 'young', 'h');
      expect(await count(scope)).toBe(2);
      expect(await keys.sweep()).toBeGreaterThanOrEqual(1);
      expect(await count(scope)).toBe(1);
    });

    it('sweeps every quarter of the lifetime, at least every second and at most every hour', () => {
      expect(sweepIntervalMs(24)).toBe(3_600_000);
      expect(sweepIntervalMs(2)).toBe(1_800_000);
      expect(sweepIntervalMs(0.0005)).toBe(1000);
    });
  });
});

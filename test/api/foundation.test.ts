import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startHarness, type Harness } from '../helpers/backtrack.harness.js';

describe('foundation on the embedded default (PGlite, in-process queue, emulator org)', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h?.close();
  });

  it('answers /health with 200 and names the embedded drivers', async () => {
    const { status, body } = await h.api('GET', '/health', { token: null });
    assert.equal(status, 200);
    assert.equal(body.status, 'ok');
    assert.equal(body.database.driver, 'pglite');
    assert.equal(body.queue.driver, 'in-process');
  });

  it('refuses the API without a token with a JSON 401 saying what to send', async () => {
    const { status, body } = await h.api('GET', '/api/orgs', { token: null });
    assert.equal(status, 401);
    assert.equal(body.statusCode, 401);
    assert.match(body.message, /Authorization: Bearer/);
  });

  it('refuses an unknown token with 401', async () => {
    const { status } = await h.api('GET', '/api/orgs', { token: 'bt_not_a_real_token' });
    assert.equal(status, 401);
  });

  it('lists the built-in Local Sandbox org to the bootstrap admin, without any secret', async () => {
    const { status, body } = await h.api('GET', '/api/orgs');
    assert.equal(status, 200);
    const sandbox = body.items.find((o: any) => o.name === 'Local Sandbox');
    assert.ok(sandbox, 'Local Sandbox is registered');
    assert.equal(sandbox.demo, true);
    assert.equal(sandbox.authType, 'password');
    const text = JSON.stringify(body);
    assert.doesNotMatch(text, /password"\s*:|secret|accessToken/i);
    assert.ok(!text.includes(h.backtrack.emulator!.defaultOrg.password));
  });

  it('answers a bad org body with 400 naming each field', async () => {
    const { status, body } = await h.api('POST', '/api/orgs', { body: { name: '', instanceUrl: 'not a url', auth: { type: 'magic' } } });
    assert.equal(status, 400);
    assert.match(body.message, /^Invalid request body: /);
    const fields = body.fields.map((f: any) => f.field);
    for (const field of ['name', 'environment', 'instanceUrl', 'auth.type']) assert.ok(fields.includes(field), `names ${field}: ${body.message}`);
  });

  it('answers invalid JSON with a 400 saying so', async () => {
    const res = await fetch(`${h.url}/api/orgs`, {
      method: 'POST',
      headers: { authorization: `Bearer bt_test_admin_token_0123456789abcdefghij`, 'content-type': 'application/json' },
      body: '{"name": ',
    });
    assert.equal(res.status, 400);
    assert.match(((await res.json()) as { message: string }).message, /not valid JSON/);
  });

  it('registers an org with an access token after checking the connection, and never returns the token', async () => {
    const emulator = h.backtrack.emulator!;
    const { status, body } = await h.api('POST', '/api/orgs', {
      body: { name: 'UAT', environment: 'uat', instanceUrl: emulator.url, auth: { type: 'accessToken', accessToken: emulator.defaultOrg.accessToken } },
    });
    assert.equal(status, 201, JSON.stringify(body));
    assert.equal(body.environment, 'uat');
    assert.ok(!JSON.stringify(body).includes(emulator.defaultOrg.accessToken));
    const fetched = await h.api('GET', `/api/orgs/${body.id}`);
    assert.equal(fetched.body.name, 'UAT');
    assert.ok(!JSON.stringify(fetched.body).includes(emulator.defaultOrg.accessToken));
  });

  it('says why an org cannot be registered when Salesforce refuses the credentials', async () => {
    const { status, body } = await h.api('POST', '/api/orgs', {
      body: { name: 'Broken', environment: 'uat', instanceUrl: h.backtrack.emulator!.url, auth: { type: 'accessToken', accessToken: 'wrong' } },
    });
    assert.equal(status, 422);
    assert.match(body.message, /refused the credentials for "Broken"/);
  });

  it('says why an org cannot be registered when it cannot be reached', async () => {
    const { status, body } = await h.api('POST', '/api/orgs', {
      body: { name: 'Nowhere', environment: 'uat', instanceUrl: 'http://127.0.0.1:9', auth: { type: 'accessToken', accessToken: 'x' } },
    });
    assert.equal(status, 502);
    assert.match(body.message, /Cannot reach "Nowhere"/);
  });

  it('lets an admin create a read-only token, which gets 403 naming the missing permission, then revoke it', async () => {
    const created = await h.api('POST', '/api/tokens', { body: { name: 'ci reader', permissions: ['read'] } });
    assert.equal(created.status, 201);
    assert.match(created.body.token, /^bt_/);
    const reader = created.body.token as string;
    assert.equal((await h.api('GET', '/api/orgs', { token: reader })).status, 200);
    const forbidden = await h.api('POST', '/api/orgs', { token: reader, body: {} });
    assert.equal(forbidden.status, 403);
    assert.match(forbidden.body.message, /lacks the "admin" permission/);
    const listed = await h.api('GET', '/api/tokens');
    assert.ok(!JSON.stringify(listed.body).includes(reader), 'tokens are never listed');
    assert.equal((await h.api('DELETE', `/api/tokens/${created.body.id}`)).status, 200);
    await new Promise((r) => setTimeout(r, 10));
    assert.equal((await h.api('GET', '/api/orgs', { token: reader })).status, 401);
  });

  it('limits a token to its environments', async () => {
    const created = await h.api('POST', '/api/tokens', { body: { name: 'uat admin', permissions: ['admin'], environments: ['uat'] } });
    const token = created.body.token as string;
    const { status, body } = await h.api('POST', '/api/orgs', {
      token,
      body: { name: 'Prod', environment: 'production', instanceUrl: h.backtrack.emulator!.url, auth: { type: 'accessToken', accessToken: 'x' } },
    });
    assert.equal(status, 403);
    assert.match(body.message, /not for the "production" environment/);
  });

  it('serves Prometheus metrics and the OpenAPI document', async () => {
    const metrics = await fetch(`${h.url}/metrics`).then((r) => r.text());
    assert.match(metrics, /backtrack_http_requests_total/);
    assert.match(metrics, /backtrack_jobs/);
    const doc = (await fetch(`${h.url}/api/docs/openapi.json`).then((r) => r.json())) as { paths: Record<string, unknown> };
    assert.ok(doc.paths['/api/orgs'], 'OpenAPI lists /api/orgs');
  });
});

describe('start-up refuses bad configuration with one line', () => {
  const main = new URL('../../src/main.js', import.meta.url).pathname;
  const run = (env: Record<string, string>) =>
    spawnSync(process.execPath, [main], { env: { PATH: process.env.PATH!, ...env }, encoding: 'utf8', timeout: 20_000 });

  it('an invalid DATABASE_URL', () => {
    const result = run({ DATABASE_URL: 'mysql://nope', SECRET_KEY: 'ab'.repeat(32) });
    assert.equal(result.status, 1);
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
    assert.match(result.stderr, /^Invalid DATABASE_URL="mysql:\/\/nope": expected a postgres:\/\/ or postgresql:\/\/ URL\./);
  });

  it('an invalid SECRET_KEY, without echoing it', () => {
    const result = run({ SECRET_KEY: 'short-secret' });
    assert.equal(result.status, 1);
    assert.match(result.stderr, /^Invalid SECRET_KEY=\(hidden\): expected 32 bytes/);
    assert.doesNotMatch(result.stderr, /short-secret/);
  });

  it('a database that cannot be reached', () => {
    const result = run({ DATABASE_URL: 'postgres://nobody@127.0.0.1:9/none', SECRET_KEY: 'ab'.repeat(32) });
    assert.equal(result.status, 1);
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
    assert.match(result.stderr, /^Cannot connect to the database at postgres:\/\/nobody@127\.0\.0\.1:9\/none/);
  });

  it('a DATA_DIR that cannot hold the embedded database', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'backtrack-file-')), 'not-a-folder');
    fs.writeFileSync(file, 'x');
    const result = run({ DATA_DIR: file, EMULATOR: 'off' });
    assert.equal(result.status, 1);
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
    assert.match(result.stderr, /^DATA_DIR cannot hold the embedded database: .*Set DATA_DIR to a writable folder\./);
  });

  it('a DATA_DIR whose embedded database another live process holds', () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'backtrack-locked-'));
    fs.writeFileSync(path.join(dataDir, 'pglite.lock'), String(process.pid));
    const result = run({ DATA_DIR: dataDir, EMULATOR: 'off' });
    assert.equal(result.status, 1);
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
    assert.match(result.stderr, new RegExp(`^DATA_DIR .* is in use by another Backtrack process \\(pid ${process.pid}\\)`));
    assert.equal(fs.readFileSync(path.join(dataDir, 'pglite.lock'), 'utf8'), String(process.pid), 'the holder keeps its lock');
  });
});

import { describe, it, beforeAll, afterAll, expect } from '@jest/globals';
import request from 'supertest';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ADMIN_TOKEN, startHarness, type Harness } from '../helpers/backtrack.harness.js';
import { closeStarted } from '../helpers/lifecycle.js';

describe('foundation on the embedded default (PGlite, in-process queue, emulator org)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await closeStarted(h);
  });

  it('answers /health with 200 and names the embedded drivers', async () => {
    const { status, body } = await h.api('GET', '/health', { token: null });
    expect(status).toBe(200);
    expect(body.status).toBe('ok');
    expect(body.database.driver).toBe('pglite');
    expect(body.queue.driver).toBe('in-process');
  });

  it('refuses the API without a token with a JSON 401 saying what to send', async () => {
    const { status, body } = await h.api('GET', '/api/orgs', { token: null });
    expect(status).toBe(401);
    expect(body.statusCode).toBe(401);
    expect(body.message).toMatch(/Authorization: Bearer/);
  });

  it('refuses an unknown token with 401', async () => {
    const { status } = await h.api('GET', '/api/orgs', { token: 'bt_not_a_real_token' });
    expect(status).toBe(401);
  });

  it('lists the built-in Local Sandbox org to the bootstrap admin, without any secret', async () => {
    const { status, body } = await h.api('GET', '/api/orgs');
    expect(status).toBe(200);
    const sandbox = body.items.find((o: any) => o.name === 'Local Sandbox');
    expect(sandbox).toBeTruthy(); // Local Sandbox is registered
    expect(sandbox.demo).toBe(true);
    expect(sandbox.authType).toBe('password');
    const text = JSON.stringify(body);
    expect(text).not.toMatch(/password"\s*:|secret|accessToken/i);
    expect(text.includes(h.backtrack.emulator!.defaultOrg.password)).toBeFalsy();
  });

  it('answers a bad org body with 400 naming each field', async () => {
    const { status, body } = await h.api('POST', '/api/orgs', {
      body: { name: '', instanceUrl: 'not a url', auth: { type: 'magic' } },
    });
    expect(status).toBe(400);
    expect(body.message).toMatch(/^Invalid request body: /);
    const fields = body.fields.map((f: any) => f.field);
    for (const field of ['name', 'environment', 'instanceUrl', 'auth.type']) expect(fields).toContain(field);
  });

  it('answers invalid JSON with a 400 saying so', async () => {
    const res = await request(h.backtrack.app.getHttpServer())
      .post('/api/orgs')
      .set({ authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' })
      .send('{"name": ');
    expect(res.status).toBe(400);
    expect((res.body as { message: string }).message).toMatch(/not valid JSON/);
  });

  it('registers an org with an access token after checking the connection, and never returns the token', async () => {
    const emulator = h.backtrack.emulator!;
    const { status, body } = await h.api('POST', '/api/orgs', {
      body: {
        name: 'UAT',
        environment: 'uat',
        instanceUrl: emulator.url,
        auth: { type: 'accessToken', accessToken: emulator.defaultOrg.accessToken },
      },
    });
    expect(status).toBe(201);
    expect(body.environment).toBe('uat');
    expect(JSON.stringify(body).includes(emulator.defaultOrg.accessToken)).toBeFalsy();
    const fetched = await h.api('GET', `/api/orgs/${body.id}`);
    expect(fetched.body.name).toBe('UAT');
    expect(JSON.stringify(fetched.body).includes(emulator.defaultOrg.accessToken)).toBeFalsy();
  });

  it('says why an org cannot be registered when Salesforce refuses the credentials', async () => {
    const { status, body } = await h.api('POST', '/api/orgs', {
      body: {
        name: 'Broken',
        environment: 'uat',
        instanceUrl: h.backtrack.emulator!.url,
        auth: { type: 'accessToken', accessToken: 'wrong' },
      },
    });
    expect(status).toBe(422);
    expect(body.message).toMatch(/refused the credentials for "Broken"/);
  });

  it('says why an org cannot be registered when it cannot be reached', async () => {
    const { status, body } = await h.api('POST', '/api/orgs', {
      body: {
        name: 'Nowhere',
        environment: 'uat',
        instanceUrl: 'http://127.0.0.1:9',
        auth: { type: 'accessToken', accessToken: 'x' },
      },
    });
    expect(status).toBe(502);
    expect(body.message).toMatch(/Cannot reach "Nowhere"/);
  });

  it('lets an admin create a read-only token, which gets 403 naming the missing permission, then revoke it', async () => {
    const created = await h.api('POST', '/api/tokens', { body: { name: 'ci reader', permissions: ['read'] } });
    expect(created.status).toBe(201);
    expect(created.body.token).toMatch(/^bt_/);
    const reader = created.body.token as string;
    expect((await h.api('GET', '/api/orgs', { token: reader })).status).toBe(200);
    const forbidden = await h.api('POST', '/api/orgs', { token: reader, body: {} });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.message).toMatch(/lacks the "admin" permission/);
    const listed = await h.api('GET', '/api/tokens');
    expect(JSON.stringify(listed.body).includes(reader)).toBeFalsy(); // tokens are never listed
    expect((await h.api('DELETE', `/api/tokens/${created.body.id}`)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 10));
    expect((await h.api('GET', '/api/orgs', { token: reader })).status).toBe(401);
  });

  it('limits a token to its environments', async () => {
    const created = await h.api('POST', '/api/tokens', {
      body: { name: 'uat admin', permissions: ['admin'], environments: ['uat'] },
    });
    const token = created.body.token as string;
    const { status, body } = await h.api('POST', '/api/orgs', {
      token,
      body: {
        name: 'Prod',
        environment: 'production',
        instanceUrl: h.backtrack.emulator!.url,
        auth: { type: 'accessToken', accessToken: 'x' },
      },
    });
    expect(status).toBe(403);
    expect(body.message).toMatch(/not for the "production" environment/);
  });

  it('serves Prometheus metrics and the OpenAPI document', async () => {
    const metrics = (await h.api('GET', '/metrics', { token: null })).body as string;
    expect(metrics).toMatch(/backtrack_http_requests_total/);
    expect(metrics).toMatch(/backtrack_jobs/);
    const doc = (await h.api('GET', '/api/docs/openapi.json', { token: null })).body as {
      paths: Record<string, unknown>;
    };
    expect(doc.paths['/api/orgs']).toBeTruthy(); // OpenAPI lists /api/orgs
  });
});

describe('start-up refuses bad configuration with one line', () => {
  // Each case starts the service as a process; loading it takes seconds on a busy machine. The five start together
  // (each test awaits its own), asynchronously, with no clock of their own: a process that never exits fails on Jest's
  // test timeout, and is killed after the tests.
  const main = new URL('../../src/main.js', import.meta.url).pathname;
  type Outcome = { status: number | null; stderr: string };
  const running = new Set<ChildProcess>();
  const run = (env: Record<string, string>) =>
    new Promise<Outcome>((resolve, reject) => {
      const child = spawn(process.execPath, [main], { env: { PATH: process.env.PATH!, ...env }, stdio: 'pipe' });
      running.add(child);
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      child.stdout.resume();
      child.on('error', reject).on('close', (status) => {
        running.delete(child);
        resolve({ status, stderr });
      });
    });

  const notAFolder = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'backtrack-file-')), 'not-a-folder');
  const lockedDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'backtrack-locked-'));
  let outcomes: Record<'badUrl' | 'badKey' | 'unreachable' | 'notAFolder' | 'locked', Promise<Outcome>>;
  beforeAll(() => {
    fs.writeFileSync(notAFolder, 'x');
    fs.writeFileSync(path.join(lockedDataDir, 'pglite.lock'), String(process.pid));
    outcomes = {
      badUrl: run({ DATABASE_URL: 'mysql://nope', SECRET_KEY: 'ab'.repeat(32) }),
      badKey: run({ SECRET_KEY: 'short-secret' }),
      unreachable: run({ DATABASE_URL: 'postgres://nobody@127.0.0.1:9/none', SECRET_KEY: 'ab'.repeat(32) }),
      notAFolder: run({ DATA_DIR: notAFolder, EMULATOR: 'off' }),
      locked: run({ DATA_DIR: lockedDataDir, EMULATOR: 'off' }),
    };
    // A test that times out leaves its promise unawaited; its rejection must not go unhandled.
    for (const outcome of Object.values(outcomes)) outcome.catch(() => undefined);
  });
  afterAll(() => {
    for (const child of running) child.kill('SIGKILL');
    fs.rmSync(path.dirname(notAFolder), { recursive: true, force: true });
    fs.rmSync(lockedDataDir, { recursive: true, force: true });
  });

  it('an invalid DATABASE_URL', async () => {
    const result = await outcomes.badUrl;
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split('\n').length).toBe(1);
    expect(result.stderr).toMatch(
      /^Invalid DATABASE_URL="mysql:\/\/nope": expected a postgres:\/\/ or postgresql:\/\/ URL\./,
    );
  });

  it('an invalid SECRET_KEY, without echoing it', async () => {
    const result = await outcomes.badKey;
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^Invalid SECRET_KEY=\(hidden\): expected 32 bytes/);
    expect(result.stderr).not.toMatch(/short-secret/);
  });

  it('a database that cannot be reached', async () => {
    const result = await outcomes.unreachable;
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split('\n').length).toBe(1);
    expect(result.stderr).toMatch(/^Cannot connect to the database at postgres:\/\/nobody@127\.0\.0\.1:9\/none/);
  });

  it('a DATA_DIR that cannot hold the embedded database', async () => {
    const result = await outcomes.notAFolder;
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split('\n').length).toBe(1);
    expect(result.stderr).toMatch(/^DATA_DIR cannot hold the embedded database: .*Set DATA_DIR to a writable folder\./);
  });

  it('a DATA_DIR whose embedded database another live process holds', async () => {
    const result = await outcomes.locked;
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split('\n').length).toBe(1);
    const holder = new RegExp(`^DATA_DIR .* is in use by another Backtrack process \\(pid ${process.pid}\\)`);
    expect(result.stderr).toMatch(holder);
    // the holder keeps its lock
    expect(fs.readFileSync(path.join(lockedDataDir, 'pglite.lock'), 'utf8')).toBe(String(process.pid));
  });
});

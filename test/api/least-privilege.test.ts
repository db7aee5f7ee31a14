import { describe, it, beforeAll, afterAll, expect } from '@jest/globals';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startHarness, type Harness } from '../helpers/backtrack.harness.js';
import { demoOrgId } from '../helpers/deploy-flow.js';
import { createToken, expectClosedOnRevocation, openStream, sampleBranch } from '../helpers/scoped-access.js';
import { closeStarted } from '../helpers/lifecycle.js';

const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

describe('tokens never grant more than their holder has', () => {
  let h: Harness;
  let uatAdmin: { id: string; token: string };
  beforeAll(async () => {
    h = await startHarness();
    uatAdmin = await createToken(h, ['admin'], ['uat']);
  });
  afterAll(() => closeStarted(h));

  it('refuses a uat admin an unlimited token, or one for production, saying why', async () => {
    const unlimited = await h.api('POST', '/api/tokens', {
      token: uatAdmin.token,
      body: { name: 'all', permissions: ['admin'] },
    });
    expect(unlimited.status).toBe(403);
    expect(unlimited.body.message).toMatch(/limited to uat, so it can only grant tokens limited to them too/);
    const production = await h.api('POST', '/api/tokens', {
      token: uatAdmin.token,
      body: { name: 'prod', permissions: ['deploy'], environments: ['uat', 'production'] },
    });
    expect(production.status).toBe(403);
    expect(production.body.message).toMatch(/cannot grant access to "production"/);
  });

  it('lets a uat admin create a uat token, which cannot deploy to production', async () => {
    const created = await h.api('POST', '/api/tokens', {
      token: uatAdmin.token,
      body: { name: 'uat deployer', permissions: ['admin'], environments: ['UAT'] },
    });
    expect(created.status).toBe(201);
    expect(created.body.environments).toEqual(['UAT']);
    const branchId = await sampleBranch(h, 'scoped');
    const prod = await h.api('POST', '/api/orgs', {
      body: {
        name: 'Prod',
        environment: 'production',
        instanceUrl: h.backtrack.emulator!.url,
        auth: { type: 'accessToken', accessToken: h.backtrack.emulator!.defaultOrg.accessToken },
      },
    });
    const deploy = await h.api('POST', `/api/branches/${branchId}/deployments`, {
      token: created.body.token,
      body: { orgId: prod.body.id },
    });
    expect(deploy.status).toBe(403);
    expect(deploy.body.message).toMatch(/not for the "production" environment/);
  });

  it('lists to a uat admin only the tokens within uat, and refuses to revoke the others', async () => {
    const production = await createToken(h, ['read'], ['production']);
    const listed = await h.api('GET', '/api/tokens', { token: uatAdmin.token });
    expect(listed.status).toBe(200);
    const ids = listed.body.items.map((t: any) => t.id);
    expect(ids).toContain(uatAdmin.id);
    expect(ids).not.toContain(production.id);
    expect(listed.body.items.every((t: any) => t.environments?.every((e: string) => e.toLowerCase() === 'uat'))).toBe(
      true,
    );
    const revoke = await h.api('DELETE', `/api/tokens/${production.id}`, { token: uatAdmin.token });
    expect(revoke.status).toBe(403);
    expect(revoke.body.message).toMatch(/outside this token's scope/);
    expect((await h.api('GET', '/api/branches', { token: production.token })).status).toBe(200);
  });

  it('refuses an empty environments list with 400 instead of granting every environment', async () => {
    const res = await h.api('POST', '/api/tokens', {
      body: { name: 'nothing', permissions: ['read'], environments: [] },
    });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/environments: name at least one environment, or leave environments out/);
  });

  it('lets a deploy+rollback pipeline token follow its own deploy: backtrack deploy --wait exits 0', async () => {
    await sampleBranch(h, 'pipeline');
    const pipeline = await createToken(h, ['deploy', 'rollback'], ['sandbox']);
    const run = await new Promise<{ code: number; stderr: string }>((resolve) => {
      const env = { ...process.env, BACKTRACK_URL: h.url, BACKTRACK_TOKEN: pipeline.token };
      execFile(
        process.execPath,
        [CLI, 'deploy', '--branch', 'pipeline', '--org', 'Local Sandbox', '--wait'],
        { env },
        (error, _out, stderr) => resolve({ code: error ? Number(error.code) : 0, stderr }),
      );
    });
    expect({ code: run.code, stderr: run.code === 0 ? '' : run.stderr }).toEqual({ code: 0, stderr: '' });
  });
});

describe('revocation takes effect at once, open log streams included', () => {
  let h: Harness;
  beforeAll(async () => {
    // API only: no worker takes the job, so it stays Queued and its log stream stays open.
    h = await startHarness({ ROLE: 'api' });
  });
  afterAll(() => closeStarted(h));

  it('closes the open log stream of a revoked token and refuses its next request', async () => {
    const branchId = await sampleBranch(h, 'streamed');
    const orgId = await demoOrgId(h);
    const job = await h.api('POST', `/api/branches/${branchId}/deployments`, { body: { orgId } });
    const viewer = await createToken(h, ['read']);
    expect((await h.api('GET', `/api/jobs/${job.body.id}`, { token: viewer.token })).status).toBe(200);
    const stream = await openStream(h.url, `/api/jobs/${job.body.id}/logs/stream`, viewer.token);
    try {
      await expectClosedOnRevocation(stream, () => h.api('DELETE', `/api/tokens/${viewer.id}`), 600);
      expect((await h.api('GET', `/api/jobs/${job.body.id}`, { token: viewer.token })).status).toBe(401);
    } finally {
      await stream.cancel();
    }
  });
});

describe('a revoked bootstrap admin token stays revoked across restarts', () => {
  const dirs: string[] = [];
  const dataDir = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'backtrack-restart-'));
    dirs.push(dir);
    return dir;
  };
  afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
  // Tokens need no org: without the emulator each of the restarts skips starting and seeding the demo org.
  const OFF = 'off';

  it('does not bring back a revoked BACKTRACK_ADMIN_TOKEN; a new value becomes the admin token', async () => {
    const DATA_DIR = dataDir();
    let h = await startHarness({ DATA_DIR, EMULATOR: OFF });
    try {
      const bootstrap = (await h.api('GET', '/api/tokens')).body.items.find((t: any) => t.bootstrap);
      expect((await h.api('DELETE', `/api/tokens/${bootstrap.id}`)).status).toBe(200);
      expect((await h.api('GET', '/api/orgs')).status).toBe(401);
    } finally {
      await h.close();
    }
    h = await startHarness({ DATA_DIR, EMULATOR: OFF });
    try {
      expect((await h.api('GET', '/api/orgs')).status).toBe(401);
    } finally {
      await h.close();
    }
    const rotated = 'bt_rotated_admin_token_0123456789abcdef';
    h = await startHarness({ DATA_DIR, EMULATOR: OFF, BACKTRACK_ADMIN_TOKEN: rotated });
    try {
      expect((await h.api('GET', '/api/orgs', { token: rotated })).status).toBe(200);
      expect((await h.api('GET', '/api/orgs')).status).toBe(401);
    } finally {
      await h.close();
    }
  });

  it('generates and prints a token only while no admin token has ever existed', async () => {
    const DATA_DIR = dataDir();
    const start = async () => {
      const printed: string[] = [];
      const write = process.stdout.write.bind(process.stdout);
      process.stdout.write = ((chunk: string | Uint8Array, ...rest: any[]) => {
        printed.push(String(chunk));
        if (String(chunk).includes('Backtrack admin token')) return true;
        return (write as any)(chunk, ...rest);
      }) as typeof process.stdout.write;
      try {
        const h = await startHarness({ DATA_DIR, EMULATOR: OFF, BACKTRACK_ADMIN_TOKEN: '' });
        return { h, token: /Backtrack admin token[^\n]*\n\n\s+(bt_\w+)/.exec(printed.join(''))?.[1] };
      } finally {
        process.stdout.write = write;
      }
    };
    const first = await start();
    try {
      expect(first.token).toMatch(/^bt_/);
      const self = (await first.h.api('GET', '/api/tokens', { token: first.token! })).body.items.find(
        (t: any) => t.bootstrap,
      );
      expect((await first.h.api('DELETE', `/api/tokens/${self.id}`, { token: first.token! })).status).toBe(200);
    } finally {
      await first.h.close();
    }
    const second = await start();
    try {
      expect(second.token).toBeUndefined();
      expect((await second.h.api('GET', '/api/orgs', { token: first.token! })).status).toBe(401);
    } finally {
      await second.h.close();
    }
  });
});

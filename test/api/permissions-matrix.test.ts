import { describe, it, beforeAll, afterAll, expect } from '@jest/globals';
import { startHarness, type Harness } from '../helpers/backtrack.harness.js';
import { deployAndWait } from '../helpers/deploy-flow.js';
import { createToken, openStream, registerEmulatorOrg, sampleBranch } from '../helpers/scoped-access.js';
import { closeStarted } from '../helpers/lifecycle.js';

/**
 * Who may do what: every kind of token (read, deploy, rollback, deploy+rollback, admin), unlimited or limited to
 * the `uat` environment, against every route family. An outcome is the HTTP status, or for lists whether the
 * production item is listed ("sees") or left out ("hidden"). Allowed writes are sent with a request that fails
 * just after the permission check (an unknown revision: 404; an unknown component: 400), so that nothing runs.
 */
const TOKENS = [
  'read',
  'read@uat',
  'deploy',
  'deploy@uat',
  'rollback',
  'rollback@uat',
  'deploy+rollback',
  'deploy+rollback@uat',
  'admin',
  'admin@uat',
] as const;

// One column per token, in the order of TOKENS.
const EXPECTED: Record<string, string> = {
  'orgs: GET /api/orgs lists the production org': 'sees hidden sees hidden sees hidden sees hidden sees hidden',
  'orgs: GET /api/orgs/:production': '200 403 200 403 200 403 200 403 200 403',
  'orgs: GET /api/orgs/:uat': '200 200 200 200 200 200 200 200 200 200',
  'branches: GET /api/branches': '200 200 200 200 200 200 200 200 200 200',
  'branches: GET /api/branches/:id (by name)': '200 200 200 200 200 200 200 200 200 200',
  'branches: activities list the production deploy': 'sees hidden sees hidden sees hidden sees hidden sees hidden',
  'jobs: GET /api/jobs/:production-deploy': '200 403 200 403 200 403 200 403 200 403',
  'jobs: GET /api/jobs/:uat-deploy': '200 200 200 200 200 200 200 200 200 200',
  'jobs: GET /api/jobs/:production-deploy/components': '200 403 200 403 200 403 200 403 200 403',
  'jobs: GET /api/jobs/:production-deploy/snapshot': '200 403 200 403 200 403 200 403 200 403',
  // indexed: nothing is kept as retrieved (404), said only to who may read the job
  'jobs: GET /api/jobs/:production-deploy/snapshot/retrieved/1': '404 403 404 403 404 403 404 403 404 403',
  'jobs: GET /api/jobs/:production-deploy/rollback': '200 403 200 403 200 403 200 403 200 403',
  'logs: GET /api/jobs/:production-deploy/logs': '200 403 200 403 200 403 200 403 200 403',
  'logs: GET /api/jobs/:uat-deploy/logs': '200 200 200 200 200 200 200 200 200 200',
  'SSE: /api/jobs/:production-deploy/logs/stream': '200 403 200 403 200 403 200 403 200 403',
  'SSE: /api/jobs/:uat-deploy/logs/stream': '200 200 200 200 200 200 200 200 200 200',
  'deployments: POST to the uat org': '403 403 404 404 403 403 404 404 404 404',
  'deployments: POST to the production org': '403 403 404 403 403 403 404 403 404 403',
  'rollbacks: POST /api/jobs/:uat-deploy/rollback': '403 403 403 403 403 403 400 400 400 400',
  'rollbacks: POST /api/jobs/:production-deploy/rollback': '403 403 403 403 403 403 400 403 400 403',
  'tokens: GET /api/tokens lists the bootstrap admin': '403 403 403 403 403 403 403 403 sees hidden',
  'tokens: POST a read token for uat': '403 403 403 403 403 403 403 403 201 201',
  'tokens: POST an admin token for all environments': '403 403 403 403 403 403 403 403 201 403',
  'tokens: DELETE a production read token': '403 403 403 403 403 403 403 403 200 403',
};

describe('permissions matrix: read / deploy / rollback / admin × limited to uat or not, per route family', () => {
  let h: Harness;
  const tokens = new Map<string, string>();
  let prodOrg: string;
  let uatOrg: string;
  let branchId: string;
  let prodDeploy: string;
  let uatDeploy: string;

  beforeAll(async () => {
    h = await startHarness();
    prodOrg = await registerEmulatorOrg(h, 'Matrix Production', 'production');
    uatOrg = await registerEmulatorOrg(h, 'Matrix UAT', 'uat');
    branchId = await sampleBranch(h, 'matrix');
    uatDeploy = (await deployAndWait(h, branchId, uatOrg)).id;
    prodDeploy = (await deployAndWait(h, branchId, prodOrg)).id;
    for (const key of TOKENS) {
      const [permissions, environment] = key.split('@') as [string, string | undefined];
      tokens.set(key, (await createToken(h, permissions.split('+'), environment ? [environment] : undefined)).token);
    }
  });
  afterAll(() => closeStarted(h));

  const status = async (res: Promise<{ status: number }>) => String((await res).status);
  const listed = async (res: Promise<{ status: number; body: any }>, has: (items: any[]) => boolean) => {
    const { status: code, body } = await res;
    if (code !== 200) return String(code);
    return has(body.items) ? 'sees' : 'hidden';
  };
  const stream = async (route: string, token: string) => {
    const opened = await openStream(h.url, route, token);
    await opened.closed;
    return String(opened.status);
  };

  const probes: Record<string, (token: string) => Promise<string>> = {
    'orgs: GET /api/orgs lists the production org': (t) =>
      listed(h.api('GET', '/api/orgs', { token: t }), (i) => i.some((o) => o.id === prodOrg)),
    'orgs: GET /api/orgs/:production': (t) => status(h.api('GET', `/api/orgs/${prodOrg}`, { token: t })),
    'orgs: GET /api/orgs/:uat': (t) => status(h.api('GET', `/api/orgs/${uatOrg}`, { token: t })),
    'branches: GET /api/branches': (t) => status(h.api('GET', '/api/branches', { token: t })),
    'branches: GET /api/branches/:id (by name)': (t) => status(h.api('GET', '/api/branches/matrix', { token: t })),
    'branches: activities list the production deploy': (t) =>
      listed(h.api('GET', `/api/branches/${branchId}/activities`, { token: t }), (i) =>
        i.some((j) => j.id === prodDeploy),
      ),
    'jobs: GET /api/jobs/:production-deploy': (t) => status(h.api('GET', `/api/jobs/${prodDeploy}`, { token: t })),
    'jobs: GET /api/jobs/:uat-deploy': (t) => status(h.api('GET', `/api/jobs/${uatDeploy}`, { token: t })),
    'jobs: GET /api/jobs/:production-deploy/components': (t) =>
      status(h.api('GET', `/api/jobs/${prodDeploy}/components`, { token: t })),
    'jobs: GET /api/jobs/:production-deploy/snapshot': (t) =>
      status(h.api('GET', `/api/jobs/${prodDeploy}/snapshot`, { token: t })),
    'jobs: GET /api/jobs/:production-deploy/snapshot/retrieved/1': (t) =>
      status(h.api('GET', `/api/jobs/${prodDeploy}/snapshot/retrieved/1`, { token: t })),
    'jobs: GET /api/jobs/:production-deploy/rollback': (t) =>
      status(h.api('GET', `/api/jobs/${prodDeploy}/rollback`, { token: t })),
    'logs: GET /api/jobs/:production-deploy/logs': (t) =>
      status(h.api('GET', `/api/jobs/${prodDeploy}/logs`, { token: t })),
    'logs: GET /api/jobs/:uat-deploy/logs': (t) => status(h.api('GET', `/api/jobs/${uatDeploy}/logs`, { token: t })),
    'SSE: /api/jobs/:production-deploy/logs/stream': (t) => stream(`/api/jobs/${prodDeploy}/logs/stream`, t),
    'SSE: /api/jobs/:uat-deploy/logs/stream': (t) => stream(`/api/jobs/${uatDeploy}/logs/stream`, t),
    'deployments: POST to the uat org': (t) =>
      status(
        h.api('POST', `/api/branches/${branchId}/deployments`, { token: t, body: { orgId: uatOrg, revision: 999 } }),
      ),
    'deployments: POST to the production org': (t) =>
      status(
        h.api('POST', `/api/branches/${branchId}/deployments`, { token: t, body: { orgId: prodOrg, revision: 999 } }),
      ),
    'rollbacks: POST /api/jobs/:uat-deploy/rollback': (t) =>
      status(
        h.api('POST', `/api/jobs/${uatDeploy}/rollback`, {
          token: t,
          body: { components: [{ type: 'ApexClass', fullName: 'NotDeployed' }] },
        }),
      ),
    'rollbacks: POST /api/jobs/:production-deploy/rollback': (t) =>
      status(
        h.api('POST', `/api/jobs/${prodDeploy}/rollback`, {
          token: t,
          body: { components: [{ type: 'ApexClass', fullName: 'NotDeployed' }] },
        }),
      ),
    'tokens: GET /api/tokens lists the bootstrap admin': (t) =>
      listed(h.api('GET', '/api/tokens', { token: t }), (i) => i.some((k) => k.bootstrap)),
    'tokens: POST a read token for uat': (t) =>
      status(
        h.api('POST', '/api/tokens', {
          token: t,
          body: { name: 'made', permissions: ['read'], environments: ['uat'] },
        }),
      ),
    'tokens: POST an admin token for all environments': (t) =>
      status(h.api('POST', '/api/tokens', { token: t, body: { name: 'made', permissions: ['admin'] } })),
    'tokens: DELETE a production read token': async (t) => {
      const victim = await createToken(h, ['read'], ['production']);
      return status(h.api('DELETE', `/api/tokens/${victim.id}`, { token: t }));
    },
  };

  it('answers each token on each route family exactly as the table says', async () => {
    const actual: Record<string, string> = {};
    for (const [probe, run] of Object.entries(probes)) {
      const outcomes = await Promise.all(TOKENS.map((key) => run(tokens.get(key)!)));
      actual[probe] = outcomes.join(' ');
    }
    const expected = Object.fromEntries(
      Object.entries(EXPECTED).map(([probe, row]) => [probe, row.split(/\s+/).join(' ')]),
    );
    expect(Object.keys(probes).sort()).toEqual(Object.keys(EXPECTED).sort());
    expect(actual).toEqual(expected);
  });
});

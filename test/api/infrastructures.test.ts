import { describe, it, beforeAll, afterAll, expect } from '@jest/globals';
import { PlatformExecutions1796155000000 } from '../../migrations/1796155000000-PlatformExecutions.js';
import { PackagesAndReleases1796156000000 } from '../../migrations/1796156000000-PackagesAndReleases.js';
import { SloRollbackPolicies1796157000000 } from '../../migrations/1796157000000-SloRollbackPolicies.js';
import { ServicesAndInfrastructures1796154000000 } from '../../migrations/1796154000000-ServicesAndInfrastructures.js';
import { startHarness, type Harness } from '../helpers/backtrack.harness.js';
import { useEmbeddedDatabase } from '../helpers/embedded-database.js';
import { closeStarted } from '../helpers/lifecycle.js';
import { createToken, registerEmulatorOrg } from '../helpers/scoped-access.js';

const CLUSTER_TOKEN = 'k8s-bearer-7c1e9d0a55f3';
const KUBECONFIG_TOKEN = 'kubeconfig-user-token-b42d8e';
const ROTATED_TOKEN = 'rotated-bearer-0e6f2c9a11';

const KUBECONFIG = `apiVersion: v1
kind: Config
current-context: staging
clusters:
- name: staging-cluster
  cluster:
    server: https://staging.k8s.example.test:6443
users:
- name: deployer
  user:
    token: ${KUBECONFIG_TOKEN}
contexts:
- name: staging
  context: {cluster: staging-cluster, user: deployer}
- name: staging-readonly
  context: {cluster: staging-cluster, user: deployer}
`;

function kubernetes(name: string, environment: string, connection: unknown) {
  return { body: { name, environment, kind: 'kubernetes', connection } };
}

describe('infrastructures: Kubernetes clusters and the salesforce infrastructure of every org', () => {
  let h: Harness;
  /** Everything the service writes to stdout and stderr while these tests run (LOG_LEVEL=debug). */
  const logged: string[] = [];
  const writes = { out: process.stdout.write.bind(process.stdout), err: process.stderr.write.bind(process.stderr) };
  /** Every response body these tests received, to search for secrets. */
  const answered: unknown[] = [];
  const api: Harness['api'] = async (method, route, options) => {
    const res = await h.api(method, route, options);
    answered.push(res.body);
    return res;
  };

  beforeAll(async () => {
    const capture =
      (original: typeof process.stdout.write) =>
      (chunk: unknown, ...rest: unknown[]): boolean => {
        logged.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
        return (original as (chunk: unknown, ...rest: unknown[]) => boolean)(chunk, ...rest);
      };
    process.stdout.write = capture(writes.out);
    process.stderr.write = capture(writes.err);
    h = await startHarness({ LOG_LEVEL: 'debug' });
  });
  afterAll(async () => {
    process.stdout.write = writes.out;
    process.stderr.write = writes.err;
    await closeStarted(h);
  });

  it('registers a cluster by kubeconfig, showing only the context it uses', async () => {
    const created = await api('POST', '/api/infrastructures', kubernetes('Staging', 'uat', { kubeconfig: KUBECONFIG }));
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: 'Staging',
      environment: 'uat',
      kind: 'kubernetes',
      orgId: null,
      connection: { type: 'kubeconfig', context: 'staging' },
    });
    const fetched = await api('GET', `/api/infrastructures/${created.body.id}`);
    expect(fetched.status).toBe(200);
    expect(fetched.body).toEqual(created.body);
  });

  it('registers a cluster by server and token, listed with its server only', async () => {
    const created = await api(
      'POST',
      '/api/infrastructures',
      kubernetes('Production cluster', 'production', {
        server: 'https://prod.k8s.example.test',
        token: CLUSTER_TOKEN,
        caCertificate: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----',
      }),
    );
    expect(created.status).toBe(201);
    expect(created.body.connection).toEqual({ type: 'token', server: 'https://prod.k8s.example.test' });
    const listed = await api('GET', '/api/infrastructures');
    expect(listed.body.items.map((i: any) => i.name)).toEqual(
      expect.arrayContaining(['Staging', 'Production cluster', 'Local Sandbox']),
    );
  });

  it('refuses a bad kubeconfig, a missing context and a non-http server with 400 and a sentence', async () => {
    const unreadable = await api('POST', '/api/infrastructures', kubernetes('Bad', 'dev', { kubeconfig: '{"a": [' }));
    expect(unreadable.status).toBe(400);
    expect(unreadable.body.message).toMatch(/kubeconfig cannot be read as YAML or JSON/);
    const context = await api(
      'POST',
      '/api/infrastructures',
      kubernetes('Bad', 'dev', { kubeconfig: KUBECONFIG, context: 'nowhere' }),
    );
    expect(context.status).toBe(400);
    expect(context.body.message).toMatch(/no context "nowhere" \(it has staging, staging-readonly\)/);
    const server = await api('POST', '/api/infrastructures', kubernetes('Bad', 'dev', { server: 'k8s', token: 'x' }));
    expect(server.status).toBe(400);
    expect(server.body.message).toMatch(/server: must be an http:\/\/ or https:\/\/ URL/);
    const kind = await api('POST', '/api/infrastructures', {
      body: { name: 'Bad', environment: 'dev', kind: 'nomad', connection: {} },
    });
    expect(kind.status).toBe(400);
    expect(kind.body.message).toMatch(/kind: must be one of "salesforce", "kubernetes"/);
    expect((await api('GET', '/api/infrastructures')).body.items.map((i: any) => i.name)).not.toContain('Bad');
  });

  it('sends a salesforce infrastructure to POST /api/orgs', async () => {
    const res = await api('POST', '/api/infrastructures', {
      body: { name: 'SF', environment: 'dev', kind: 'salesforce', connection: {} },
    });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/POST \/api\/orgs/);
  });

  it('refuses a name already taken, whatever its case, with 409', async () => {
    const res = await api('POST', '/api/infrastructures', kubernetes('STAGING', 'dev', { kubeconfig: KUBECONFIG }));
    expect(res.status).toBe(409);
    expect(res.body.message).toMatch(/An infrastructure named "Staging" already exists/);
    const org = await api(
      'POST',
      '/api/infrastructures',
      kubernetes('local sandbox', 'dev', { kubeconfig: KUBECONFIG }),
    );
    expect(org.status).toBe(409);
  });

  it('answers 404 for an unknown infrastructure and 400 for a malformed id', async () => {
    const unknown = await api('GET', '/api/infrastructures/6f1c1d36-2f2a-4d1e-9d7b-2a0c7c2b9e11');
    expect(unknown.status).toBe(404);
    expect(unknown.body.message).toMatch(/Infrastructure 6f1c1d36-2f2a-4d1e-9d7b-2a0c7c2b9e11 does not exist/);
    expect((await api('GET', '/api/infrastructures/not-an-id')).status).toBe(400);
  });

  it('renames a cluster and rotates its connection; the new secret is not shown either', async () => {
    const { body: created } = await api(
      'POST',
      '/api/infrastructures',
      kubernetes('Rotating', 'dev', { server: 'https://old.k8s.test', token: 'old-token-value' }),
    );
    const patched = await api('PATCH', `/api/infrastructures/${created.id}`, {
      body: {
        name: 'Rotated',
        connection: { kubeconfig: KUBECONFIG, context: 'staging-readonly' },
      },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      name: 'Rotated',
      environment: 'dev',
      connection: { type: 'kubeconfig', context: 'staging-readonly' },
    });
    const token = await api('PATCH', `/api/infrastructures/${created.id}`, {
      body: { connection: { server: 'https://new.k8s.test', token: ROTATED_TOKEN } },
    });
    expect(token.body.connection).toEqual({ type: 'token', server: 'https://new.k8s.test' });
    const bad = await api('PATCH', `/api/infrastructures/${created.id}`, { body: { connection: { kubeconfig: 'x' } } });
    expect(bad.status).toBe(400);
    expect((await api('PATCH', `/api/infrastructures/${created.id}`, { body: {} })).status).toBe(400);
    const taken = await api('PATCH', `/api/infrastructures/${created.id}`, { body: { name: 'staging' } });
    expect(taken.status).toBe(409);
  });

  it('deletes a cluster: gone from the list and 404 afterwards, and its name is free again', async () => {
    const { body: created } = await api(
      'POST',
      '/api/infrastructures',
      kubernetes('Short-lived', 'dev', { kubeconfig: KUBECONFIG }),
    );
    const deleted = await api('DELETE', `/api/infrastructures/${created.id}`);
    expect(deleted.status).toBe(200);
    expect(deleted.body.id).toBe(created.id);
    expect((await api('GET', `/api/infrastructures/${created.id}`)).status).toBe(404);
    expect((await api('DELETE', `/api/infrastructures/${created.id}`)).status).toBe(404);
    expect((await api('GET', '/api/infrastructures')).body.items.map((i: any) => i.id)).not.toContain(created.id);
    const again = await api(
      'POST',
      '/api/infrastructures',
      kubernetes('Short-lived', 'dev', { kubeconfig: KUBECONFIG }),
    );
    expect(again.status).toBe(201);
  });

  it('lists an org as a salesforce infrastructure once created, and drops it when the org is deleted', async () => {
    const orgId = await registerEmulatorOrg(h, 'Billing UAT', 'uat');
    const listed = await api('GET', '/api/infrastructures');
    const infrastructure = listed.body.items.find((i: any) => i.orgId === orgId);
    expect(infrastructure).toMatchObject({
      name: 'Billing UAT',
      environment: 'uat',
      kind: 'salesforce',
      connection: null,
    });
    const patch = await api('PATCH', `/api/infrastructures/${infrastructure.id}`, { body: { name: 'Renamed' } });
    expect(patch.status).toBe(400);
    expect(patch.body.message).toMatch(/through its org \(PUT \/api\/orgs\//);
    const remove = await api('DELETE', `/api/infrastructures/${infrastructure.id}`);
    expect(remove.status).toBe(400);
    expect(remove.body.message).toMatch(/DELETE \/api\/orgs\//);

    expect((await api('DELETE', `/api/orgs/${orgId}`)).status).toBe(200);
    expect((await api('GET', `/api/infrastructures/${infrastructure.id}`)).status).toBe(404);
    const after = await api('GET', '/api/infrastructures');
    expect(after.body.items.map((i: any) => i.orgId)).not.toContain(orgId);
  });

  it('refuses an org whose name a cluster holds, creating neither', async () => {
    const res = await api('POST', '/api/orgs', {
      body: {
        name: 'staging',
        environment: 'uat',
        instanceUrl: h.backtrack.emulator!.url,
        auth: { type: 'accessToken', accessToken: h.backtrack.emulator!.defaultOrg.accessToken },
      },
    });
    expect(res.status).toBe(409);
    expect(res.body.message).toMatch(/An infrastructure named "staging" already exists/);
    const orgs = await api('GET', '/api/orgs');
    expect(orgs.body.items.map((o: any) => o.name.toLowerCase())).not.toContain('staging');
  });

  it('shows a token limited to dev only the dev infrastructures, and refuses it the others with 403 as orgs do', async () => {
    const dev = await createToken(h, ['read'], ['dev']);
    const listed = await api('GET', '/api/infrastructures', { token: dev.token });
    expect(listed.status).toBe(200);
    expect(listed.body.items.length).toBeGreaterThan(0);
    expect(listed.body.items.every((i: any) => i.environment === 'dev')).toBe(true);
    const all = (await api('GET', '/api/infrastructures')).body.items;
    const production = all.find((i: any) => i.name === 'Production cluster');
    const read = await api('GET', `/api/infrastructures/${production.id}`, { token: dev.token });
    expect(read.status).toBe(403);
    expect(read.body.message).toMatch(/production/);
    expect(JSON.stringify(read.body)).not.toContain('prod.k8s.example.test');
  });

  it('lets only admins create, change and delete, within their environments', async () => {
    const reader = await createToken(h, ['read', 'deploy', 'rollback']);
    const create = await api('POST', '/api/infrastructures', {
      ...kubernetes('Reader cluster', 'dev', { kubeconfig: KUBECONFIG }),
      token: reader.token,
    });
    expect(create.status).toBe(403);
    const uatAdmin = await createToken(h, ['admin'], ['uat']);
    const outside = await api('POST', '/api/infrastructures', {
      ...kubernetes('Prod by uat admin', 'production', { kubeconfig: KUBECONFIG }),
      token: uatAdmin.token,
    });
    expect(outside.status).toBe(403);
    const staging = (await api('GET', '/api/infrastructures')).body.items.find((i: any) => i.name === 'Staging');
    const move = await api('PATCH', `/api/infrastructures/${staging.id}`, {
      body: { environment: 'production' },
      token: uatAdmin.token,
    });
    expect(move.status).toBe(403);
    expect((await api('DELETE', `/api/infrastructures/${staging.id}`, { token: reader.token })).status).toBe(403);
    expect((await api('GET', `/api/infrastructures/${staging.id}`)).body.environment).toBe('uat');
  });

  it('never returns nor logs a connection secret', async () => {
    expect(answered.length).toBeGreaterThan(20);
    const responses = JSON.stringify(answered);
    const logs = logged.join('');
    // The capture works: the service logged its routes at debug level.
    expect(logs).toContain('/api/infrastructures');
    for (const secret of [CLUSTER_TOKEN, KUBECONFIG_TOKEN, ROTATED_TOKEN, 'BEGIN CERTIFICATE', 'old-token-value']) {
      expect(responses).not.toContain(secret);
      expect(logs).not.toContain(secret);
    }
    expect(responses).not.toContain('connectionCiphertext');
    expect(responses).not.toMatch(/v1\.[\w-]+\.[\w-]+\.[\w-]{20,}/);
  });

  it('keeps the connection sealed in the database', async () => {
    const rows: { connection_ciphertext: string }[] = await h.backtrack.dataSource.query(
      `SELECT connection_ciphertext FROM infrastructures WHERE kind = 'kubernetes'`,
    );
    expect(rows.length).toBeGreaterThan(2);
    for (const row of rows) {
      expect(row.connection_ciphertext).toMatch(/^v1\./);
      expect(row.connection_ciphertext).not.toContain(CLUSTER_TOKEN);
      expect(row.connection_ciphertext).not.toContain(KUBECONFIG_TOKEN);
    }
  });
});

describe('migration ServicesAndInfrastructures: the tables, and one salesforce infrastructure per existing org', () => {
  const database = useEmbeddedDatabase();

  it('reverts, backfills the orgs that exist (deleted ones stay deleted) and refuses duplicate live names', async () => {
    const runner = database().createQueryRunner();
    const migration = new ServicesAndInfrastructures1796154000000();
    try {
      // The later migrations' tables point at infrastructures: they are reverted first (and not applied again here).
      await new SloRollbackPolicies1796157000000().down(runner);
      await new PackagesAndReleases1796156000000().down(runner);
      await new PlatformExecutions1796155000000().down(runner);
      await migration.down(runner);
      const tables = async () =>
        (
          (await runner.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`)) as {
            table_name: string;
          }[]
        ).map((t) => t.table_name);
      expect(await tables()).not.toContain('infrastructures');
      expect(await tables()).not.toContain('services');
      const org = (id: string, name: string, environment: string, deleted: boolean) =>
        runner.query(
          `INSERT INTO orgs (id, name, environment, instance_url, api_version, auth_type, secret_ciphertext, deleted_at)
           VALUES ($1, $2, $3, 'https://x.test', '60.0', 'accessToken', 'v1.sealed', $4)`,
          [id, name, environment, deleted ? new Date() : null],
        );
      await org('0b4a1c52-61c8-4a35-9a57-6f5d0f2b0001', 'Prod', 'production', false);
      await org('0b4a1c52-61c8-4a35-9a57-6f5d0f2b0002', 'Old UAT', 'uat', true);

      await migration.up(runner);
      expect(await tables()).toEqual(expect.arrayContaining(['infrastructures', 'services']));
      const rows: any[] = await runner.query(
        `SELECT name, environment, kind, org_id, connection_ciphertext, deleted_at IS NOT NULL AS deleted
           FROM infrastructures ORDER BY name`,
      );
      expect(rows).toEqual([
        {
          name: 'Old UAT',
          environment: 'uat',
          kind: 'salesforce',
          org_id: '0b4a1c52-61c8-4a35-9a57-6f5d0f2b0002',
          connection_ciphertext: null,
          deleted: true,
        },
        {
          name: 'Prod',
          environment: 'production',
          kind: 'salesforce',
          org_id: '0b4a1c52-61c8-4a35-9a57-6f5d0f2b0001',
          connection_ciphertext: null,
          deleted: false,
        },
      ]);
      await expect(
        runner.query(
          `INSERT INTO infrastructures (id, name, environment, kind, connection_ciphertext)
           VALUES (gen_random_uuid(), 'PROD', 'dev', 'kubernetes', 'v1.x')`,
        ),
      ).rejects.toThrow(/infrastructures_name_live/);
      await expect(
        runner.query(
          `INSERT INTO infrastructures (id, name, environment, kind) VALUES (gen_random_uuid(), 'K', 'dev', 'kubernetes')`,
        ),
      ).rejects.toThrow(/infrastructures_connection/);
      await runner.query(`INSERT INTO services (id, name) VALUES (gen_random_uuid(), 'Billing')`);
      await expect(
        runner.query(`INSERT INTO services (id, name) VALUES (gen_random_uuid(), 'billing')`),
      ).rejects.toThrow(/services_name_live/);
    } finally {
      await runner.release();
    }
  });
});

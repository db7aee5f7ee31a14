// A worker SIGKILLed in the middle of the rollback of a `cf` stage, against the standalone CF emulator (its own
// process, a slow rolling deployment): another worker resumes the Rollback job, it completes, and the emulator's call
// log shows the rollback's `POST /v3/deployments` sent exactly once.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { waitFor } from '../helpers/lifecycle.js';
import { startIntegrationStack, type IntegrationStack } from '../helpers/integration-stack.js';
import { zipPackage } from '../helpers/package-archives.js';
import { freePort, type ServiceProcess } from '../helpers/processes.js';

const EMULATOR = new URL('../../src/cf-emulator/main.js', import.meta.url).pathname;
const PASSWORD = 'cf-kill-pw-0c4d';
const ADMIN_KEY = 'cf-kill-admin-8e21';

interface Logged {
  method: string;
  path: string;
  operation?: string;
}

/** The standalone emulator (`node dist/src/cf-emulator/main.js`): 2 instances, each batch healthy after 3 s. */
async function startStandaloneEmulator(): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [
      EMULATOR,
      '--port',
      String(port),
      '--app',
      'acme/prod/kill-web',
      '--staging-seconds',
      '0.2',
      '--instance-seconds',
      '3',
    ],
    {
      env: { PATH: process.env.PATH!, CF_EMULATOR_PASSWORD: PASSWORD, CF_EMULATOR_ADMIN_KEY: ADMIN_KEY },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const found = /emulator at (http:\/\/\S+)/.exec(out);
      if (found) resolve(found[1]!);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`the CF emulator exited with ${code}:\n${out}`)));
  });
  return { url, child };
}

describe('a worker SIGKILLed in the middle of the rollback of a cf stage', () => {
  let stack: IntegrationStack;
  let emulator: { url: string; child: ChildProcess };
  let db: pg.Client;
  const workers: ServiceProcess[] = [];
  const call = (method: 'GET' | 'POST', route: string, body?: unknown, contentType?: string) =>
    stack.call(method, route, body, contentType);
  const finished = (id: string) => stack.finished(`/api/executions/${id}`);
  const startWorker = async () => {
    const worker = await stack.startWorker();
    workers.push(worker);
    return worker;
  };
  const admin = async (method: 'GET' | 'DELETE', route: string) => {
    const res = await fetch(`${emulator.url}/_emulator${route}`, {
      method,
      headers: { 'x-emulator-admin': ADMIN_KEY },
    });
    const text = await res.text();
    return text ? (JSON.parse(text) as unknown) : undefined;
  };
  const deploymentPosts = async () =>
    ((await admin('GET', '/requests')) as { requests: Logged[] }).requests.filter(
      (r) => r.operation === 'createDeployment',
    );

  beforeAll(async () => {
    emulator = await startStandaloneEmulator();
    stack = await startIntegrationStack();
    db = stack.db;
  });

  afterAll(async () => {
    await stack.close();
    emulator.child.kill('SIGTERM');
  });

  it('resumes the Rollback job in another worker, which sends the rollback deployment once', async () => {
    for (const version of ['1.0.0', '2.0.0']) {
      const zip = await zipPackage([{ name: 'server.js', content: `// ${version}` }]);
      expect([200, 201]).toContain((await call('POST', `/api/packages/kill-web/versions/${version}`, zip)).status);
    }
    const infrastructure = await call('POST', '/api/infrastructures', {
      name: 'Slow CF',
      environment: 'dev',
      kind: 'cf',
      connection: { apiUrl: emulator.url, username: 'admin', password: PASSWORD },
    });
    expect(infrastructure.status).toBe(201);
    expect((await call('POST', '/api/services', { name: 'kill-web' })).status).toBe(201);
    const pipeline = await call('POST', '/api/pipelines', {
      name: 'cf-kill',
      definition: {
        variables: { version: '1.0.0' },
        stages: [
          {
            name: 'web',
            service: 'kill-web',
            infrastructure: 'Slow CF',
            spec: {
              org: 'acme',
              space: 'prod',
              app: 'kill-web',
              package: 'kill-web',
              version: '<+pipeline.variables.version>',
            },
          },
        ],
      },
    });
    expect(pipeline.status).toBe(201);
    await startWorker();
    for (const version of ['1.0.0', '2.0.0']) {
      const started = await call('POST', `/api/pipelines/${pipeline.body.id}/executions`, { variables: { version } });
      expect(started.status).toBe(202);
      expect((await finished(started.body.id)).status).toBe('Completed');
    }
    const executions = (await call('GET', `/api/executions?pipeline=${pipeline.body.id}`)).body.executions;
    const latest = executions[0].id as string;

    await admin('DELETE', '/requests');
    const start = await call('POST', `/api/executions/${latest}/rollback`, {});
    expect(start.status).toBe(202);
    const rollbackId = start.body.id as string;
    // the rollback deployment is recorded and sent; the slow rollout (2 × 3 s) keeps the stage waiting
    await waitFor(
      'the rollback deployment to be sent and the stage to wait for it',
      async () => {
        const rows = await db.query(
          `SELECT state FROM execution_stages WHERE job_id = $1 AND name = 'web' AND status = 'In Progress'`,
          [rollbackId],
        );
        return typeof rows.rows[0]?.state?.['rollback.deploymentGuid'] === 'string';
      },
      { intervalMs: 20 },
    );
    await workers.at(-1)!.kill('SIGKILL');
    expect(await deploymentPosts()).toHaveLength(1);

    const replacement = await startWorker();
    const rollback = await finished(rollbackId);
    expect(rollback.status).toBe('Completed');
    expect(rollback.stages.map((s: { name: string; status: string }) => [s.name, s.status])).toEqual([
      ['web', 'Completed'],
    ]);
    // the rollback's change was sent once: the killed worker's, never again by the one that resumed
    expect(await deploymentPosts()).toEqual([
      { method: 'POST', path: '/v3/deployments', operation: 'createDeployment' },
    ]);
    const logs = (await call('GET', `/api/executions/${rollbackId}/logs`)).body.logs.map(
      (l: { message: string }) => l.message,
    );
    expect(
      logs.some((m: string) => m.startsWith('Resumed by worker') && m.includes(`:${replacement.child.pid}:`)),
    ).toBe(true);
    // the app runs v1's droplet again, on a new revision that says so
    const token = await fetch(`${emulator.url}/oauth/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from('cf:').toString('base64')}`,
      },
      body: new URLSearchParams({ grant_type: 'password', username: 'admin', password: PASSWORD }),
    });
    const bearer = { authorization: `bearer ${((await token.json()) as { access_token: string }).access_token}` };
    const apps = (await (await fetch(`${emulator.url}/v3/apps?names=kill-web`, { headers: bearer })).json()) as {
      resources: { guid: string }[];
    };
    const deployed = (await (
      await fetch(`${emulator.url}/v3/apps/${apps.resources[0]!.guid}/revisions/deployed`, { headers: bearer })
    ).json()) as { resources: { version: number; description: string }[] };
    expect(deployed.resources.map((r) => [r.version, r.description])).toEqual([
      [3, 'New droplet deployed. Rolled back to revision 1.'],
    ]);
  });
});

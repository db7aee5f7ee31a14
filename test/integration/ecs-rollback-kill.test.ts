// A worker SIGKILLed while an ECS rollback waits for the slow rollout: another worker resumes it, the Rollback
// completes, and the standalone ECS emulator's call log shows the rollback's UpdateService sent exactly once.
import { describe, it, beforeAll, afterAll, expect } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { DescribeServicesCommand, ECSClient, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { waitFor } from '../helpers/lifecycle.js';
import { startIntegrationStack, type IntegrationStack } from '../helpers/integration-stack.js';
import type { ServiceProcess } from '../helpers/processes.js';

const EMULATOR_MAIN = new URL('../../src/ecs-emulator/main.js', import.meta.url).pathname;
const ACCESS_KEY_ID = `AKIA${randomBytes(8).toString('hex').toUpperCase()}`;
const ADMIN_KEY = randomBytes(16).toString('hex');

interface Emulator {
  child: ChildProcess;
  url: string;
}

/** The standalone emulator (its main.js) in its own process: tasks take 4 real seconds to start. */
async function startStandaloneEmulator(): Promise<Emulator> {
  const child = spawn(
    process.execPath,
    [EMULATOR_MAIN, '--port', '0', '--cluster', 'prod', '--task-start-seconds', '4'],
    {
      env: { PATH: process.env.PATH!, ECS_EMULATOR_ACCESS_KEY_ID: ACCESS_KEY_ID, ECS_EMULATOR_ADMIN_KEY: ADMIN_KEY },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const match = /Amazon ECS emulator at (http:\/\/\S+)/.exec(out);
      if (match) resolve(match[1]!);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`the ECS emulator exited with ${code}:\n${out}`)));
  });
  return { child, url };
}

describe('a worker SIGKILLed in the middle of an ECS rollback', () => {
  let stack: IntegrationStack;
  let emulator: Emulator;
  let ecs: ECSClient;
  const workers: ServiceProcess[] = [];
  const call = (method: 'GET' | 'POST', route: string, body?: unknown) => stack.call(method, route, body);
  const finished = (id: string) => stack.finished(`/api/executions/${id}`, 120_000);
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
    return res.status === 204 ? null : await res.json();
  };
  /** The calls the emulator received since the last reset, as operation names. */
  const operations = async () =>
    ((await admin('GET', '/requests')) as { requests: { operation: string }[] }).requests.map((r) => r.operation);

  beforeAll(async () => {
    emulator = await startStandaloneEmulator();
    ecs = new ECSClient({
      region: 'us-east-1',
      endpoint: emulator.url,
      credentials: { accessKeyId: ACCESS_KEY_ID, secretAccessKey: 'anything' },
    });
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'kill',
        containerDefinitions: [{ name: 'app', image: 'registry.example/kill:0', essential: true }],
      }),
    );
    stack = await startIntegrationStack();
  });

  afterAll(async () => {
    ecs.destroy();
    await stack.close();
    await new Promise<void>((resolve) => {
      if (emulator.child.exitCode !== null) return resolve();
      emulator.child.once('exit', () => resolve());
      emulator.child.kill('SIGTERM');
    });
  });

  it('resumes the Rollback job in another worker and sends the rollback’s UpdateService once', async () => {
    const infrastructure = await call('POST', '/api/infrastructures', {
      name: 'Slow ECS',
      environment: 'dev',
      kind: 'ecs',
      connection: {
        region: 'us-east-1',
        accessKeyId: ACCESS_KEY_ID,
        secretAccessKey: 'kill-secret',
        endpoint: emulator.url,
      },
    });
    expect(infrastructure.status).toBe(201);
    expect((await call('POST', '/api/services', { name: 'kill' })).status).toBe(201);
    const pipeline = await call('POST', '/api/pipelines', {
      name: 'kill-ecs',
      definition: {
        stages: [
          {
            name: 'ecs',
            service: 'kill',
            infrastructure: 'Slow ECS',
            spec: {
              cluster: 'prod',
              service: 'kill',
              taskDefinitionFamily: 'kill',
              containerName: 'app',
              image: '<+artifact.image>',
              desiredCount: 2,
            },
          },
        ],
      },
    });
    expect(pipeline.status).toBe(201);
    await startWorker();
    const executions: string[] = [];
    for (const tag of ['1', '2']) {
      const started = await call('POST', `/api/pipelines/${pipeline.body.id}/executions`, {
        artifacts: { kill: `registry.example/kill:${tag}` },
      });
      expect(started.status).toBe(202);
      expect((await finished(started.body.id)).status).toBe('Completed');
      executions.push(started.body.id as string);
    }

    await admin('DELETE', '/requests');
    const start = await call('POST', `/api/executions/${executions[1]}/rollback`, {});
    expect(start.status).toBe(202);
    const rollbackId = start.body.id as string;
    // the stage has sent its UpdateService and waits for the slow rollout
    await waitFor(
      'the rollback to be sent and waiting',
      async () => {
        const rows = await stack.db.query(
          `SELECT state FROM execution_stages WHERE job_id = $1 AND status = 'In Progress'`,
          [rollbackId],
        );
        return rows.rows[0]?.state?.engine?.applied === true;
      },
      { intervalMs: 20 },
    );
    await workers.at(-1)!.kill('SIGKILL');
    expect((await operations()).filter((o) => o === 'UpdateService')).toHaveLength(1);
    const live = await ecs.send(new DescribeServicesCommand({ cluster: 'prod', services: ['kill'] }));
    expect(live.services![0]!.deployments!.length).toBeGreaterThan(1); // still rolling when the worker died

    const replacement = await startWorker();
    const rollback = await finished(rollbackId);
    expect(rollback.status).toBe('Completed');
    expect(rollback.stages.map((s: { name: string; status: string }) => [s.name, s.status])).toEqual([
      ['ecs', 'Completed'],
    ]);
    const sent = await operations();
    expect(sent.filter((o) => o === 'UpdateService')).toHaveLength(1);
    expect(sent.filter((o) => ['RegisterTaskDefinition', 'CreateService', 'DeleteService'].includes(o))).toEqual([]);
    const logs = (await call('GET', `/api/executions/${rollbackId}/logs`)).body.logs.map(
      (l: { message: string }) => l.message,
    );
    expect(
      logs.some((m: string) => m.startsWith('Resumed by worker') && m.includes(`:${replacement.child.pid}:`)),
    ).toBe(true);
    expect(logs).toContain('Resuming the rollback of stage "ecs" where it stopped.');
    const after = await ecs.send(new DescribeServicesCommand({ cluster: 'prod', services: ['kill'] }));
    expect(after.services![0]).toMatchObject({
      taskDefinition: expect.stringMatching(/task-definition\/kill:2$/),
      desiredCount: 2,
      runningCount: 2,
    });
    expect(after.services![0]!.deployments).toHaveLength(1);
  });
});

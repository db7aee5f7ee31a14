// The standalone AWS Query emulator (slow instance launches) and Backtrack as separate processes: a worker SIGKILLed
// between two phases of a canary Rollback; another worker resumes it; every instance is terminated at most once and
// the terminations add up to the instances that were active at rollback time.
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import type { LoggedRequest } from '../../src/aws-query-emulator/aws-query-emulator.server.js';
import {
  asgConnection,
  asgSdk,
  makeGroup,
  terminatedIds,
  terminationRuns,
  versionsRunning,
  type AsgSdk,
  type AwsEndpoint,
} from '../helpers/asg-groups.js';
import { startIntegrationStack, type IntegrationStack } from '../helpers/integration-stack.js';
import { waitFor } from '../helpers/lifecycle.js';
import { freePort, type ServiceProcess } from '../helpers/processes.js';

const EMULATOR = new URL('../../src/aws-query-emulator/main.js', import.meta.url).pathname;

describe('a worker SIGKILLed between two phases of an asg rollback', () => {
  let stack: IntegrationStack;
  let emulator: ChildProcess;
  let endpoint: AwsEndpoint;
  let sdk: AsgSdk;
  let db: pg.Client;
  const adminKey = crypto.randomBytes(12).toString('hex');
  const workers: ServiceProcess[] = [];
  const call = (method: 'GET' | 'POST', route: string, body?: unknown) => stack.call(method, route, body);
  const admin = async (method: 'GET' | 'POST' | 'DELETE', route: string, body?: unknown) => {
    const res = await fetch(`${endpoint.url}/_emulator${route}`, {
      method,
      headers: { 'x-emulator-admin': adminKey, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return res.status === 204 ? null : res.json();
  };
  const requests = async () => ((await admin('GET', '/requests')) as { requests: LoggedRequest[] }).requests;

  beforeAll(async () => {
    const port = await freePort();
    const credentials = {
      accessKeyId: `AKIAKILL${crypto.randomBytes(6).toString('hex').toUpperCase()}`,
      secretAccessKey: crypto.randomBytes(24).toString('base64'),
    };
    // slow launches: an instance is InService 2 (real) seconds after it launched, gone 1 second after termination
    emulator = spawn(
      process.execPath,
      [EMULATOR, '--port', String(port), '--instance-ready-seconds', '2', '--instance-terminate-seconds', '1'],
      {
        env: {
          PATH: process.env.PATH!,
          AWS_QUERY_EMULATOR_ACCESS_KEY_ID: credentials.accessKeyId,
          AWS_QUERY_EMULATOR_SECRET_ACCESS_KEY: credentials.secretAccessKey,
          AWS_QUERY_EMULATOR_ADMIN_KEY: adminKey,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    await new Promise<void>((resolve, reject) => {
      let out = '';
      emulator.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('emulator at')) resolve();
      });
      emulator.on('exit', (code) => reject(new Error(`the emulator exited with ${code}: ${out}`)));
    });
    endpoint = { url: `http://127.0.0.1:${port}`, region: 'us-east-1', credentials };
    sdk = asgSdk(endpoint);
    stack = await startIntegrationStack();
    db = stack.db;
  });

  afterAll(async () => {
    sdk.destroy();
    await stack.close();
    if (emulator.exitCode === null) {
      const exited = new Promise((resolve) => emulator.once('exit', resolve));
      emulator.kill('SIGTERM');
      await exited;
    }
  });

  it('resumes the Rollback in another worker: each instance terminated at most once, as many as were active', async () => {
    const fixture = await makeGroup(sdk, 'kill', 6);
    await admin('POST', '/settle', { maxSeconds: 60 });
    const infrastructure = await call('POST', '/api/infrastructures', {
      name: 'Slow AWS',
      environment: 'dev',
      kind: 'asg',
      connection: asgConnection(endpoint),
    });
    expect(infrastructure.status).toBe(201);
    expect((await call('POST', '/api/services', { name: 'fleet' })).status).toBe(201);
    const pipeline = await call('POST', '/api/pipelines', {
      name: 'asg-kill',
      definition: {
        stages: [
          {
            name: 'fleet',
            service: 'fleet',
            infrastructure: 'Slow AWS',
            spec: {
              autoScalingGroupName: fixture.group,
              launchTemplate: fixture.template,
              amiId: '<+artifact.image>',
              strategy: 'canary',
              phases: [20, 50, 100],
            },
          },
        ],
      },
    });
    expect(pipeline.status).toBe(201);
    workers.push(await stack.startWorker());
    const started = await call('POST', `/api/pipelines/${pipeline.body.id}/executions`, {
      artifacts: { fleet: 'ami-0000000a' },
    });
    expect(started.status).toBe(202);
    const execution = await stack.finished(`/api/executions/${started.body.id}`);
    expect(execution.status).toBe('Completed');
    expect(execution.stages[0].outputs.phases).toEqual([2, 1, 3]);
    expect(await versionsRunning(sdk, fixture.group)).toEqual({ '2': 6 });

    await admin('DELETE', '/requests');
    const start = await call('POST', `/api/executions/${execution.id}/rollback`, {});
    expect(start.status).toBe(202);
    const rollbackId = start.body.id as string;
    // the first rollback phase (the last deployed: 3 instances) is recorded and sent; the second is not yet
    await waitFor(
      'the first rollback phase to be sent, the second not yet',
      async () => {
        const rows = await db.query(`SELECT state FROM execution_stages WHERE job_id = $1`, [rollbackId]);
        const state = rows.rows[0]?.state ?? {};
        return state['rollback phase 1'] !== undefined && state['rollback phase 2'] === undefined;
      },
      { intervalMs: 20 },
    );
    await workers.at(-1)!.kill('SIGKILL');
    const beforeKill = await requests();
    expect(terminatedIds(beforeKill).length).toBeLessThanOrEqual(3);

    const replacement = await stack.startWorker();
    workers.push(replacement);
    const rollback = await stack.finished(`/api/executions/${rollbackId}`);
    expect(rollback.status).toBe('Completed');
    expect(rollback.stages[0]).toMatchObject({ status: 'Completed' });
    expect(rollback.stages[0].outputs).toMatchObject({ phases: [3, 1, 2], revision: '1', image: 'ami-00000001' });

    const log = await requests();
    const ids = terminatedIds(log);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(6);
    // Phases 3, 1, 2 in that order, each settled before the next: every phase boundary (after 3, 4 and 6
    // terminations) is a boundary between runs of terminations. A kill in the middle of a phase splits that phase's run
    // in two (sent before the kill, the rest after resuming), never moves an instance into another phase.
    let terminated = 0;
    const boundaries = terminationRuns(log).map((run) => (terminated += run));
    expect(boundaries).toEqual(expect.arrayContaining([3, 4, 6]));
    expect(boundaries.at(-1)).toBe(6);
    expect(log.filter((r) => r.action === 'UpdateAutoScalingGroup')).toEqual([
      { service: 'autoscaling', action: 'UpdateAutoScalingGroup', launchTemplateVersion: '1' },
    ]);
    const logs = (await call('GET', `/api/executions/${rollbackId}/logs`)).body.logs.map(
      (l: { message: string }) => l.message,
    );
    expect(
      logs.some((m: string) => m.startsWith('Resumed by worker') && m.includes(`:${replacement.child.pid}:`)),
    ).toBe(true);
    await waitFor('the group to run version 1 everywhere', async () => {
      const versions = await versionsRunning(sdk, fixture.group);
      return versions['1'] === 6 && Object.keys(versions).length === 1;
    });
  });
});

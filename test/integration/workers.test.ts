import { describe, it, beforeAll, afterAll, expect } from '@jest/globals';
import pg from 'pg';
import request from 'supertest';
import { startEmulator, type EmulatorHandle } from '../../src/emulator/emulator.server.js';
import { readZip, writeZip } from '../../src/common/zip.js';
import { waitFor } from '../helpers/lifecycle.js';
import { changedKeys, orgState } from '../helpers/org-state.js';
import { SAMPLE_PROJECT, zipFolder } from '../helpers/project-zip.js';
import { startIntegrationStack, type IntegrationStack } from '../helpers/integration-stack.js';

const SRC = 'force-app/main/default';

describe('PostgreSQL + Redis/Bull with the API and workers as separate processes', () => {
  let stack: IntegrationStack;
  let db: pg.Client;
  let emulator: EmulatorHandle;
  let apiUrl: string;
  let orgId: string;
  let branchId: string;
  const call: IntegrationStack['call'] = (...args) => stack.call(...args);
  const finished = (jobId: string) => stack.finished(`/api/jobs/${jobId}`);
  const jobState = async (jobId: string) =>
    (await db.query('SELECT state FROM jobs WHERE id = $1', [jobId])).rows[0]?.state ?? {};
  const startWorker = () => stack.startWorker();

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, latencyMs: 50 });
    stack = await startIntegrationStack();
    ({ apiUrl, db } = stack);
    const org = await call('POST', '/api/orgs', {
      name: 'Integration Org',
      environment: 'uat',
      instanceUrl: emulator.url,
      auth: {
        type: 'password',
        username: emulator.defaultOrg.username,
        password: emulator.defaultOrg.password,
        loginUrl: emulator.url,
      },
    });
    expect(org.status).toBe(201);
    orgId = org.body.id;
    branchId = (await call('POST', '/api/branches', { name: 'main' })).body.id;
    expect((await call('POST', `/api/branches/${branchId}/revisions`, await zipFolder(SAMPLE_PROJECT))).status).toBe(
      201,
    );
  });

  afterAll(async () => {
    await stack.close();
    await emulator.close();
  });

  it('reports PostgreSQL and Bull in /health', async () => {
    const health = (await request(apiUrl).get('/health')).body;
    expect(health.database.driver).toBe('postgres');
    expect(health.queue.driver).toBe('bull');
    expect(health.queue.ok).toBe(true);
  });

  it('runs a job enqueued by the API process in a separate worker process', async () => {
    const start = await call('POST', `/api/branches/${branchId}/deployments`, { orgId });
    expect(start.status).toBe(202);
    await new Promise((r) => setTimeout(r, 500));
    expect((await call('GET', `/api/jobs/${start.body.id}`)).body.status).toBe('Queued'); // the API process runs no jobs
    const worker = await startWorker();
    const job = await finished(start.body.id);
    expect(job.status).toBe('Completed');
    const logs = (await call('GET', `/api/jobs/${job.id}/logs`)).body.items;
    expect(logs[0].message).toMatch(new RegExp(`^Started by worker [^:]+:${worker.child.pid}:`));
  });

  it('finishes a deploy whose worker was SIGKILLed after Salesforce accepted it, with exactly one deploy in the org', async () => {
    const entries = await readZip(await zipFolder(SAMPLE_PROJECT));
    entries.set(
      `${SRC}/classes/InvoiceService.cls`,
      Buffer.from('public with sharing class InvoiceService {\n    // killed-worker revision\n}\n'),
    );
    await call(
      'POST',
      `/api/branches/${branchId}/revisions`,
      await writeZip([...entries].map(([path, content]) => ({ path, content }))),
    );
    emulator.admin.setLatency(4000);
    const deploysBefore = emulator.admin.deploys(emulator.defaultOrg.id).count;
    const start = await call('POST', `/api/branches/${branchId}/deployments`, { orgId });
    await waitFor('Salesforce to accept the deploy', async () => (await jobState(start.body.id)).asyncId);
    await stack.workers.at(-1)!.kill('SIGKILL');
    emulator.admin.setLatency(50);
    const replacement = await startWorker();
    const job = await finished(start.body.id);
    expect(job.status).toBe('Completed');
    expect(emulator.admin.deploys(emulator.defaultOrg.id).count - deploysBefore).toBe(1); // the emulator saw exactly one deploy
    const logs = (await call('GET', `/api/jobs/${job.id}/logs`)).body.items.map((l: any) => l.message);
    expect(
      logs.some((m: string) => m.startsWith(`Resumed by worker`) && m.includes(`:${replacement.child.pid}:`)),
    ).toBeTruthy();
    expect(logs.some((m: string) => m.startsWith('Polling Salesforce deploy'))).toBeTruthy(); // the new worker polled the same deploy
  });

  it('finishes a rollback whose worker was SIGKILLed mid-rollback, applied once', async () => {
    const activities = (await call('GET', `/api/branches/${branchId}/activities`)).body.items;
    const deployId = activities.find((j: any) => j.kind === 'Deploy' && j.status === 'Completed').id;
    const before = orgState(emulator);
    emulator.admin.setLatency(4000);
    const deploysBefore = emulator.admin.deploys(emulator.defaultOrg.id).count;
    const start = await call('POST', `/api/jobs/${deployId}/rollback`, {
      components: [{ type: 'ApexClass', fullName: 'InvoiceService' }],
    });
    expect(start.status).toBe(202);
    await waitFor('Salesforce to accept the rollback', async () => (await jobState(start.body.id)).asyncId);
    await stack.workers.at(-1)!.kill('SIGKILL');
    emulator.admin.setLatency(50);
    await startWorker();
    const job = await finished(start.body.id);
    expect(job.status).toBe('Completed');
    expect(emulator.admin.deploys(emulator.defaultOrg.id).count - deploysBefore).toBe(1); // the rollback was applied once
    expect(changedKeys(before, orgState(emulator))).toEqual(['ApexClass:InvoiceService']);
  });

  it('loses no job when Redis forgets the queue: the reconciler re-enqueues it from PostgreSQL', async () => {
    await stack.workers.at(-1)!.kill('SIGKILL');
    const start = await call('POST', `/api/branches/${branchId}/deployments`, { orgId, checkOnly: true });
    // the stack's own queue keys on the shared Redis (never the whole server, nor a whole database of it)
    await stack.forgetQueue();
    await startWorker();
    const job = await finished(start.body.id);
    expect(job.status).toBe('Completed');
  });

  it('runs jobs against one org one at a time, whatever the number of workers', async () => {
    await startWorker();
    emulator.admin.setLatency(800);
    const ids = await Promise.all(
      [1, 2, 3].map(
        async () =>
          (await call('POST', `/api/branches/${branchId}/deployments`, { orgId, checkOnly: true })).body.id as string,
      ),
    );
    const jobs = await Promise.all(ids.map(finished));
    emulator.admin.setLatency(50);
    expect(jobs.every((j) => j.status === 'Completed')).toBeTruthy();
    const spans = jobs
      .map((j) => [Date.parse(j.startedAt), Date.parse(j.finishedAt)] as const)
      .sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < spans.length; i++) expect(spans[i]![0] >= spans[i - 1]![1]).toBeTruthy();
  });
});

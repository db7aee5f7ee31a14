import { describe, it, beforeAll, afterAll, expect } from '@jest/globals';
import { startFaultStack, type FaultStack } from '../helpers/fault-stack.js';
import { buildDeployZip } from '../../src/salesforce/deploy-package.js';
import { JsforceMetadataGateway } from '../../src/salesforce/jsforce.gateway.js';
import { closeStarted } from '../helpers/lifecycle.js';

/**
 * Issue 10, "A deploy's record is never false": each fault is injected against a real API process and worker
 * process on PostgreSQL and a Redis of the suite's own; every test uses an org of its own, so faults stay scoped.
 */
describe('faults never leave a false record (PostgreSQL, Redis, API and worker processes, emulator faults)', () => {
  let s: FaultStack;

  beforeAll(async () => {
    s = await startFaultStack({ DEPLOY_TIMEOUT_MINUTES: '0.5' });
  });

  afterAll(async () => {
    await closeStarted(s);
  });

  const deploy = async (orgId: string, headers: Record<string, string> = {}) => {
    const started = await s.call('POST', `/api/branches/${s.branchId}/deployments`, { orgId }, headers);
    expect(started.status).toBe(202);
    return started.body.id as string;
  };
  const deploysIn = (emulatorOrgId: string) => s.emulator.admin.deploys(emulatorOrgId).deploys;

  it('completes a deploy when one checkDeployStatus connection drops (the poll is retried)', async () => {
    const org = await s.newOrg('password');
    s.emulator.admin.dropConnections({ orgId: org.emulatorOrg.id, operation: 'checkDeployStatus', times: 1 });
    const job = await s.finished(await deploy(org.id));
    expect(job.error).toBeNull();
    expect(job.status).toBe('Completed');
    expect(deploysIn(org.emulatorOrg.id).map((d) => d.status)).toEqual(['Succeeded']);
    expect(s.emulator.admin.faults().connectionDrops).toEqual([]);
  });

  it('completes a deploy when a checkRetrieveStatus poll of the backup drops', async () => {
    const org = await s.newOrg('password');
    s.emulator.admin.dropConnections({ orgId: org.emulatorOrg.id, operation: 'checkRetrieveStatus', times: 1 });
    const job = await s.finished(await deploy(org.id));
    expect(job.error).toBeNull();
    expect(job.status).toBe('Completed');
    expect(s.emulator.admin.faults().connectionDrops).toEqual([]);
  });

  it('waits when an access token expires mid-deploy, says so, and resumes once the credentials are updated', async () => {
    const org = await s.newOrg('accessToken');
    s.emulator.admin.pauseDeploys(org.emulatorOrg.id);
    const jobId = await deploy(org.id);
    await s.waitFor('the deploy to be submitted', async () => (await s.jobState(jobId)).asyncId);
    s.emulator.admin.expireSessions(org.emulatorOrg.id);
    await s.waitFor('the job to say the token expired', async () =>
      (await s.logs(jobId)).some((m) => /access token has expired/.test(m)),
    );
    const waiting = (await s.call('GET', `/api/jobs/${jobId}`)).body;
    expect(waiting.status).toBe('In Progress');

    const accessToken = s.emulator.admin.issueAccessToken(org.emulatorOrg.id);
    const updated = await s.call('PUT', `/api/orgs/${org.id}/credentials`, {
      auth: { type: 'accessToken', accessToken },
    });
    expect(updated.status).toBe(200);
    expect(JSON.stringify(updated.body)).not.toContain(accessToken);
    s.emulator.admin.releaseDeploys(org.emulatorOrg.id);
    const job = await s.finished(jobId);
    expect(job.error).toBeNull();
    expect(job.status).toBe('Completed');
    expect(deploysIn(org.emulatorOrg.id)).toHaveLength(1);
  });

  it("follows the deploy whose submit answer was lost, found in the org's recent deploys", async () => {
    const org = await s.newOrg('password');
    // Salesforce starts the deploy, the answer never arrives.
    s.emulator.admin.dropConnections({
      orgId: org.emulatorOrg.id,
      operation: 'deploy',
      afterProcessing: true,
      times: 1,
    });
    const jobId = await deploy(org.id);
    const job = await s.finished(jobId);
    const [only] = deploysIn(org.emulatorOrg.id);
    expect(deploysIn(org.emulatorOrg.id)).toHaveLength(1);
    expect(job.error).toBeNull();
    expect(job.status).toBe('Completed');
    const state = await s.jobState(jobId);
    expect(state).toMatchObject({ asyncId: only!.id, asyncIdSource: 'recentDeploys', salesforceStatus: 'Succeeded' });
    expect(state.outcomeSource).toBeUndefined();
    const logs = (await s.logs(jobId)).join('\n');
    expect(logs).toContain(`Salesforce's recent deploys show deploy ${only!.id} started at`);
    const verdict = (await s.call('GET', `/api/jobs/${jobId}/rollback`)).body;
    expect(verdict.rollbackable).toBe(true);
    expect(verdict.items.length).toBeGreaterThan(0);
  });

  it('never guesses between two deploys started when the answer was lost: reads the org, keeps it rollbackable', async () => {
    const org = await s.newOrg('password');
    // Someone else's deploy to the same org, started a moment before ours (a different component).
    const other = await new JsforceMetadataGateway().connect({
      instanceUrl: s.emulator.url,
      apiVersion: '62.0',
      auth: { type: 'accessToken', accessToken: org.emulatorOrg.accessToken },
    });
    const otherZip = await buildDeployZip({
      apiVersion: '62.0',
      components: [
        {
          type: 'ApexClass',
          fullName: 'SomeoneElses',
          files: [
            {
              path: 'force-app/main/default/classes/SomeoneElses.cls',
              content: Buffer.from('public class SomeoneElses {}'),
            },
            {
              path: 'force-app/main/default/classes/SomeoneElses.cls-meta.xml',
              content: Buffer.from(
                '<?xml version="1.0" encoding="UTF-8"?>\n<ApexClass xmlns="http://soap.sforce.com/2006/04/metadata">' +
                  '<apiVersion>62.0</apiVersion><status>Active</status></ApexClass>\n',
              ),
            },
          ],
        },
      ],
    });
    const otherId = await other.startDeploy(otherZip.zip, { testLevel: 'NoTestRun' });
    s.emulator.admin.dropConnections({ orgId: org.emulatorOrg.id, operation: 'deploy', afterProcessing: true });
    const jobId = await deploy(org.id);
    const job = await s.finished(jobId);
    expect(deploysIn(org.emulatorOrg.id)).toHaveLength(2);
    expect(job.status).toBe('Completed');
    const state = await s.jobState(jobId);
    expect(state.outcomeSource).toBe('org');
    expect(state.asyncId).toBeUndefined();
    const logs = (await s.logs(jobId)).join('\n');
    expect(logs).toContain(otherId);
    expect(logs).toMatch(/cannot tell which one is this deploy's/);
    expect((await s.call('GET', `/api/jobs/${jobId}/rollback`)).body.rollbackable).toBe(true);
  });

  it('resumes a deploy whose worker was killed before it saved the id: finds and follows it, never submits twice', async () => {
    const org = await s.newOrg('password');
    s.emulator.admin.pauseDeploys(org.emulatorOrg.id);
    const jobId = await deploy(org.id);
    await s.waitFor('the deploy to be submitted', async () => (await s.jobState(jobId)).asyncId);
    await s.worker.kill('SIGKILL');
    // As if the worker had died after Salesforce accepted the deploy but before the id was written down.
    await s.db.query(`UPDATE jobs SET state = state - 'asyncId' WHERE id = $1`, [jobId]);
    s.emulator.admin.releaseDeploys(org.emulatorOrg.id);
    s.worker = await s.startWorker();
    const job = await s.finished(jobId);
    const [only] = deploysIn(org.emulatorOrg.id);
    expect(deploysIn(org.emulatorOrg.id)).toHaveLength(1);
    expect(job.status).toBe('Completed');
    const state = await s.jobState(jobId);
    expect(state).toMatchObject({ asyncId: only!.id, asyncIdSource: 'recentDeploys', salesforceStatus: 'Succeeded' });
    const logs = (await s.logs(jobId)).join('\n');
    expect(logs).toMatch(/not submitted again/);
    expect(logs).toContain(`Salesforce's recent deploys show deploy ${only!.id} started at`);
    // The per-component rows come from Salesforce's answer (created/changed), not from reading the org.
    const components = (await s.call('GET', `/api/jobs/${jobId}/components`)).body.items as {
      status: string;
      action: string;
    }[];
    expect(components.length).toBeGreaterThan(0);
    expect(components.every((c) => c.status === 'Succeeded')).toBe(true);
    expect(components.some((c) => c.action === 'create')).toBe(true);
    expect((await s.call('GET', `/api/jobs/${jobId}/rollback`)).body.rollbackable).toBe(true);
  });

  it('cancels a deploy Salesforce never finishes once DEPLOY_TIMEOUT_MINUTES passes, and frees the org', async () => {
    const org = await s.newOrg('password');
    s.emulator.admin.pauseDeploys(org.emulatorOrg.id);
    const job = await s.finished(await deploy(org.id), 120_000);
    expect(job.status).toBe('Exception');
    expect(job.error).toMatch(/Canceled: Salesforce had not finished it after 0\.5 minute\(s\).*applied none of it/);
    expect(deploysIn(org.emulatorOrg.id).map((d) => d.status)).toEqual(['Canceled']);
    expect((await s.call('GET', `/api/jobs/${job.id}/rollback`)).body.reason).toMatch(
      /applied none of it \(Salesforce: Canceled\)/,
    );

    s.emulator.admin.releaseDeploys(org.emulatorOrg.id);
    const next = await s.finished(await deploy(org.id));
    expect(next.status).toBe('Completed');
  });

  it('cancels a running deploy in Salesforce and a Queued job at once (POST /api/jobs/:id/cancel)', async () => {
    const org = await s.newOrg('password');
    s.emulator.admin.pauseDeploys(org.emulatorOrg.id);
    const running = await deploy(org.id);
    await s.waitFor('the deploy to be submitted', async () => (await s.jobState(running)).asyncId);
    const queued = await deploy(org.id);
    await s.waitFor('the second job to wait for the org', async () =>
      (await s.logs(queued)).some((m) => m.startsWith('Waiting: job')),
    );

    const cancelQueued = await s.call('POST', `/api/jobs/${queued}/cancel`);
    expect(cancelQueued.status).toBe(202);
    expect(cancelQueued.body.status).toBe('Exception');
    expect(cancelQueued.body.error).toMatch(/^Canceled by .* before it started; nothing reached Salesforce\.$/);

    const cancelRunning = await s.call('POST', `/api/jobs/${running}/cancel`);
    expect(cancelRunning.status).toBe(202);
    expect(cancelRunning.body.cancelRequested.by).toBeTruthy();
    const job = await s.finished(running);
    expect(job.status).toBe('Exception');
    expect(job.error).toMatch(/^Canceled: .* asked to cancel it\. Salesforce applied none of it\.$/);
    expect(deploysIn(org.emulatorOrg.id).map((d) => d.status)).toEqual(['Canceled']);

    const again = await s.call('POST', `/api/jobs/${running}/cancel`);
    expect(again.status).toBe(409);
    expect(again.body.message).toMatch(/already finished/);
    s.emulator.admin.releaseDeploys(org.emulatorOrg.id);
  });

  it('releases the claims of a rollback that failed before reaching Salesforce, so it can be rolled back again', async () => {
    const org = await s.newOrg('accessToken');
    const deployed = await s.finished(await deploy(org.id));
    expect(deployed.status).toBe('Completed');
    s.emulator.admin.expireSessions(org.emulatorOrg.id);
    const first = await s.call('POST', `/api/jobs/${deployed.id}/rollback`, { all: true, acceptDataLoss: true });
    expect(first.status).toBe(202);
    const failed = await s.finished(first.body.id);
    expect(failed.status).toBe('Exception');
    expect(failed.error).toMatch(/access token has expired.*Nothing was deployed/);

    const view = (await s.call('GET', `/api/jobs/${deployed.id}/rollback`)).body;
    expect(view.items.length).toBeGreaterThan(0);
    expect(view.items.filter((c: { available: boolean }) => !c.available)).toEqual([]);
    const accessToken = s.emulator.admin.issueAccessToken(org.emulatorOrg.id);
    expect(
      (await s.call('PUT', `/api/orgs/${org.id}/credentials`, { auth: { type: 'accessToken', accessToken } })).status,
    ).toBe(200);
    const second = await s.call('POST', `/api/jobs/${deployed.id}/rollback`, { all: true, acceptDataLoss: true });
    expect(second.status).toBe(202);
    expect((await s.finished(second.body.id)).status).toBe('Completed');
  });

  it('survives pg_terminate_backend during log writes: the worker keeps running and the job finishes', async () => {
    const org = await s.newOrg('password');
    s.emulator.admin.addLatency({ orgId: org.emulatorOrg.id, ms: 150 });
    const jobId = await deploy(org.id);
    await s.waitFor(
      'the job to start',
      async () => (await s.call('GET', `/api/jobs/${jobId}`)).body.status === 'In Progress',
    );
    const pid = (await s.db.query('SELECT pg_backend_pid() AS pid')).rows[0].pid as number;
    let terminated = 0;
    for (let i = 0; i < 15; i++) {
      const rows = await s.db.query(
        `SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity WHERE datname = $1 AND pid <> $2`,
        [s.dbName, pid],
      );
      terminated += rows.rows.filter((r) => r.done).length;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(terminated).toBeGreaterThan(0);
    const job = await s.finished(jobId, 120_000);
    expect(s.worker.child.exitCode).toBeNull();
    expect(s.worker.output()).not.toMatch(/UnhandledPromiseRejection|unhandled rejection/i);
    expect(job.status).toBe('Completed');
    const next = await s.finished(await deploy(org.id));
    expect(next.status).toBe('Completed');
    expect(s.worker.child.exitCode).toBeNull();
  }, 240_000); // longer than its own waits, which say what was seen when they give up

  it('accepts a deploy within 2 s while Redis is down, once per idempotency key, and runs it when Redis returns', async () => {
    const org = await s.newOrg('password');
    s.stopRedis();
    try {
      const health = await timed(() => fetch(`${s.apiUrl}/health`));
      expect(health.ms).toBeLessThan(2_000);
      expect(health.value.status).toBe(503);
      const report = (await health.value.json()) as { queue: { ok: boolean } };
      expect(report.queue.ok).toBe(false);

      const headers = { 'idempotency-key': `redis-down-${org.id}` };
      const first = await timed(() =>
        s.call('POST', `/api/branches/${s.branchId}/deployments`, { orgId: org.id }, headers),
      );
      expect(first.ms).toBeLessThan(2_000);
      expect(first.value.status).toBe(202);
      const second = await s.call('POST', `/api/branches/${s.branchId}/deployments`, { orgId: org.id }, headers);
      expect(second.status).toBe(202);
      expect(second.body.id).toBe(first.value.body.id);
      const rows = await s.db.query(`SELECT count(*)::int AS n FROM jobs WHERE org_id = $1`, [org.id]);
      expect(rows.rows[0].n).toBe(1);
    } finally {
      await s.startRedis();
    }
    const jobs = (await s.db.query(`SELECT id FROM jobs WHERE org_id = $1`, [org.id])).rows;
    const job = await s.finished(jobs[0].id, 120_000);
    expect(job.status).toBe('Completed');
  }, 240_000); // longer than its own waits, which say what was seen when they give up
});

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const start = Date.now();
  const value = await fn();
  return { value, ms: Date.now() - start };
}

import { describe, it, beforeAll, afterAll, expect } from '@jest/globals';
import { startHarness, waitForJob, type Harness } from '../helpers/backtrack.harness.js';
import { SAMPLE_PROJECT, zipFolder } from '../helpers/project-zip.js';
import { closeStarted } from '../helpers/lifecycle.js';

/** Issue 10, point 3: POST /api/jobs/:id/cancel — deploy permission in the job's environment, Queued or In Progress. */
describe('POST /api/jobs/:id/cancel', () => {
  let h: Harness;
  let orgId: string;
  let branchId: string;
  const token = async (permissions: string[], environments?: string[]) =>
    (
      await h.api('POST', '/api/tokens', {
        body: { name: `cancel ${permissions.join('+')}`, permissions, ...(environments ? { environments } : {}) },
      })
    ).body.token as string;

  beforeAll(async () => {
    h = await startHarness();
    orgId = (await h.api('GET', '/api/orgs')).body.items.find((o: { name: string }) => o.name === 'Local Sandbox').id;
    branchId = (await h.api('POST', '/api/branches', { body: { name: 'cancel' } })).body.id;
    expect(
      (await h.api('POST', `/api/branches/${branchId}/revisions`, { body: await zipFolder(SAMPLE_PROJECT) })).status,
    ).toBe(201);
  });
  afterAll(() => closeStarted(h));

  it('cancels a running deploy in Salesforce and records that Salesforce applied none of it', async () => {
    const emulator = h.backtrack.emulator!;
    emulator.admin.pauseDeploys(emulator.defaultOrg.id);
    try {
      const before = emulator.admin.deploys(emulator.defaultOrg.id).count;
      const start = await h.api('POST', `/api/branches/${branchId}/deployments`, { body: { orgId } });
      expect(start.status).toBe(202);
      const deadline = Date.now() + 30_000;
      while (emulator.admin.deploys(emulator.defaultOrg.id).count === before) {
        if (Date.now() > deadline) throw new Error('the deploy never reached the emulator');
        await new Promise((r) => setTimeout(r, 50));
      }
      const canceled = await h.api('POST', `/api/jobs/${start.body.id}/cancel`);
      expect(canceled.status).toBe(202);
      expect(canceled.body.cancelRequested).toEqual({ by: expect.any(String), at: expect.any(String) });
      const job = await waitForJob(h, start.body.id);
      expect(job.status).toBe('Exception');
      expect(job.error).toMatch(/^Canceled: .* asked to cancel it\. Salesforce applied none of it\.$/);
      expect(emulator.admin.deploys(emulator.defaultOrg.id).deploys.at(-1)!.status).toBe('Canceled');
      const verdict = (await h.api('GET', `/api/jobs/${job.id}/rollback`)).body;
      expect(verdict.rollbackable).toBe(false);
    } finally {
      emulator.admin.releaseDeploys(emulator.defaultOrg.id);
    }
  });

  it('answers 409 with a sentence for a finished job', async () => {
    const start = await h.api('POST', `/api/branches/${branchId}/deployments`, { body: { orgId } });
    const job = await waitForJob(h, start.body.id);
    const res = await h.api('POST', `/api/jobs/${job.id}/cancel`);
    expect(res.status).toBe(409);
    expect(res.body.message).toMatch(/already finished \((Completed|Exception)\); there is nothing to cancel/);
  });

  it("needs deploy permission in the job's environment (403 naming it), and a job id (400)", async () => {
    const start = await h.api('POST', `/api/branches/${branchId}/deployments`, { body: { orgId } });
    const reader = await token(['read']);
    expect((await h.api('POST', `/api/jobs/${start.body.id}/cancel`, { token: reader })).status).toBe(403);
    const elsewhere = await token(['deploy', 'read'], ['production']);
    const refused = await h.api('POST', `/api/jobs/${start.body.id}/cancel`, { token: elsewhere });
    expect(refused.status).toBe(403);
    expect(refused.body.message).toMatch(/sandbox/);
    const bad = await h.api('POST', '/api/jobs/not-a-job/cancel');
    expect(bad.status).toBe(400);
    await waitForJob(h, start.body.id);
  });
});

import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it, beforeAll, afterAll, expect } from '@jest/globals';
import { BranchesService } from '../../src/branches/branches.service.js';
import type { Revision } from '../../src/branches/revision.entity.js';
import { estimateDeployFiles } from '../../src/salesforce/deploy-estimate.js';
import { startHarness, type Harness } from '../helpers/backtrack.harness.js';
import { generateProject } from '../fixtures/generate-project.js';
import { closeStarted } from '../helpers/lifecycle.js';
import { zipFolder } from '../helpers/project-zip.js';
import { registerEmulatorOrg, sampleBranch } from '../helpers/scoped-access.js';

// A deploy request of a whole revision is checked on the size kept at upload (no components read): it must be exactly
// the estimate of the stored file lists, or a deploy over Salesforce's limits would be let through.
describe('the sizes a deploy request is checked on', () => {
  let h: Harness;
  let branches: BranchesService;
  let revision: Revision;
  let revisionId: string;
  beforeAll(async () => {
    h = await startHarness();
    branches = h.backtrack.app.get(BranchesService);
    revision = await branches.revision(await sampleBranch(h, 'sized'));
    revisionId = revision.id;
  });
  afterAll(() => closeStarted(h));

  it('of a whole revision are kept at upload as the estimate of its stored files', async () => {
    const stored = await branches.revisionComponents(revisionId);
    // children (an object's fields) travel in their parent's file: the estimate counts them so
    expect(stored.some((c) => c.parentType !== null)).toBe(true);
    const estimate = estimateDeployFiles(stored);
    expect(estimate.fileCount).toBeGreaterThan(1);
    expect(estimate.unzippedBytes).toBeGreaterThan(0);
    expect({ fileCount: revision.deployFileCount, unzippedBytes: revision.unzippedBytes }).toEqual(estimate);
  });

  it('refuse a whole revision over the file limit on the size kept at upload, and queue nothing', async () => {
    // 5,001 classes: 10,002 files and package.xml in the deploy, over the Metadata API's 10,000
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'over-limit-'));
    try {
      await generateProject(dir, { classes: 5001, objects: 0, fieldsPerObject: 0, lwc: 0, classBytes: 100 });
      const branch = await h.api('POST', '/api/branches', { body: { name: 'over-limit' } });
      const upload = await h.api('POST', `/api/branches/${branch.body.id}/revisions`, { body: await zipFolder(dir) });
      expect(upload.status).toBe(201);
      const kept = await branches.revision(branch.body.id);
      expect(kept.deployFileCount).toBe(10_003);
      const orgId = await registerEmulatorOrg(h, 'Over limit UAT', 'uat');
      const answer = await h.api('POST', `/api/branches/${branch.body.id}/deployments`, { body: { orgId } });
      expect(answer.status).toBe(422);
      expect(answer.body.message).toContain('10003 files');
      const jobs = await h.backtrack.dataSource.query(`SELECT count(*)::int AS n FROM jobs WHERE branch_id = $1`, [
        branch.body.id,
      ]);
      expect(jobs[0].n).toBe(0);
      // a revision uploaded before its size was kept: the request estimates from its components, and refuses the same
      await h.backtrack.dataSource.query(
        `UPDATE revisions SET deploy_file_count = NULL, unzipped_bytes = NULL WHERE id = $1`,
        [kept.id],
      );
      const again = await h.api('POST', `/api/branches/${branch.body.id}/deployments`, { body: { orgId } });
      expect(again.status).toBe(422);
      expect(again.body.message).toBe(answer.body.message);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});

import { describe, it, beforeAll, afterAll, expect } from '@jest/globals';
import { BranchesService } from '../../src/branches/branches.service.js';
import { estimateDeployFiles } from '../../src/deployments/deploy-selection.js';
import { startHarness, type Harness } from '../helpers/backtrack.harness.js';
import { closeStarted } from '../helpers/lifecycle.js';
import { sampleBranch } from '../helpers/scoped-access.js';

// A deploy request is checked on the revision's sizes as the database counts them (no file lists read): they must
// be exactly what the stored file lists say, or a deploy over Salesforce's limits would be let through.
describe('the sizes a deploy request is checked on', () => {
  let h: Harness;
  let branches: BranchesService;
  let revisionId: string;
  beforeAll(async () => {
    h = await startHarness();
    branches = h.backtrack.app.get(BranchesService);
    revisionId = (await branches.revision(await sampleBranch(h, 'sized'))).id;
  });
  afterAll(() => closeStarted(h));

  it("are each component's file count and bytes, as its stored files say", async () => {
    const stored = await branches.revisionComponents(revisionId);
    const sizes = await branches.revisionSizes(revisionId);
    expect(sizes.length).toBeGreaterThan(5);
    expect(sizes).toEqual(
      stored.map((c) => ({
        type: c.type,
        fullName: c.fullName,
        parentType: c.parentType,
        parentFullName: c.parentFullName,
        fileCount: c.files.length,
        bytes: c.files.reduce((n, f) => n + f.size, 0),
      })),
    );
    // children (an object's fields) travel in their parent's file: the estimate counts them so
    expect(sizes.some((c) => c.parentType !== null)).toBe(true);
    expect(estimateDeployFiles(sizes).unzippedBytes).toBeGreaterThan(0);
  });
});

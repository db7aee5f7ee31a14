import { describe, it, beforeAll, afterAll, expect } from '@jest/globals';
import { startHarness, type Harness } from '../helpers/backtrack.harness.js';
import { corpusPieces, corpusSeed, corpusVersion, pickRandom, seededRandom } from '../helpers/corpus.js';
import {
  candidateOf,
  componentsOf,
  demoOrgId,
  deployAndWait,
  differingFiles,
  jobStory,
  newBranch,
  orgFiles,
  projectZip,
  rollbackAndWait,
  upload,
} from '../helpers/deploy-flow.js';
import { closeStarted } from '../helpers/lifecycle.js';

const SEED = corpusSeed();

describe(`Corpus of realistic projects (${corpusPieces().length} pieces: ${corpusPieces().join(', ')})`, () => {
  let h: Harness;
  let orgId: string;
  let branchId: string;
  let v1State: Map<string, Buffer>;
  const emulator = () => h.backtrack.emulator!;

  beforeAll(async () => {
    h = await startHarness();
    orgId = await demoOrgId(h);
    branchId = await newBranch(h, 'bike-shop');
  });
  afterAll(() => closeStarted(h));

  it('deploys v1, deploys v2 with a backup, and a full rollback leaves the org equal to v1 byte for byte per file', async () => {
    await upload(h, branchId, await projectZip(await corpusVersion('v1')));
    const v1 = await deployAndWait(h, branchId, orgId);
    expect(await jobStory(h, v1.id)).toMatch(/^Completed/);
    v1State = orgFiles(emulator());

    await upload(h, branchId, await projectZip(await corpusVersion('v2')));
    const v2 = await deployAndWait(h, branchId, orgId);
    expect(await jobStory(h, v2.id)).toMatch(/^Completed/);
    const afterV2 = orgFiles(emulator());
    expect(differingFiles(v1State, afterV2).length).toBeGreaterThan(0);

    // a flow comes back byte for byte only once the version the deploy added is deleted (a retrieve returns the
    // latest version): re-activating the earlier one alone leaves the deploy's version, inactive, as the latest
    const rollback = await rollbackAndWait(h, v2.id, { all: true, acceptDataLoss: true, deleteFlowVersions: true });
    expect(await jobStory(h, rollback.id)).toMatch(/^Completed/);
    expect(differingFiles(v1State, orgFiles(emulator()))).toEqual([]);
  });

  it(`deploys v2 again and rolls back a random 10 % of the candidates: exactly those revert (seed ${SEED}, CORPUS_SEED)`, async () => {
    const v2 = await deployAndWait(h, branchId, orgId);
    expect(await jobStory(h, v2.id)).toMatch(/^Completed/);
    const afterV2 = orgFiles(emulator());
    const candidates: { type: string; fullName: string; available: boolean }[] = (
      await h.api('GET', `/api/jobs/${v2.id}/rollback`)
    ).body.items;
    const available = candidates.filter((c) => c.available);
    expect(available.length).toBeGreaterThan(9);
    const picked = pickRandom(available, Math.max(1, Math.round(available.length / 10)), seededRandom(SEED));
    const pickedKeys = picked.map((c) => `${c.type}:${c.fullName}`).sort();

    const rollback = await rollbackAndWait(h, v2.id, {
      components: picked.map(({ type, fullName }) => ({ type, fullName })),
      acceptDataLoss: true,
      deleteFlowVersions: true,
    });
    expect(await jobStory(h, rollback.id)).toMatch(/^Completed/);
    const afterRollback = orgFiles(emulator());
    expect({ seed: SEED, moved: componentsOf(differingFiles(afterV2, afterRollback)) }).toEqual({
      seed: SEED,
      moved: pickedKeys,
    });
    const ofPicked = (state: Map<string, Buffer>) =>
      new Map([...state].filter(([k]) => pickedKeys.includes(candidateOf(k))));
    expect({ seed: SEED, differFromV1: differingFiles(ofPicked(v1State), ofPicked(afterRollback)) }).toEqual({
      seed: SEED,
      differFromV1: [],
    });
  });
});

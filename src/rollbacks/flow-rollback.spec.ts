import { describe, it, expect } from '@jest/globals';
import type { FlowDefinitionState } from '../salesforce/metadata-api.gateway.js';
import {
  flowDrift,
  flowFactsOf,
  flowOutcomeMessage,
  flowSteps,
  flowVerified,
  rolledBackByVersions,
  stepDone,
  versionsCreated,
  type FlowFacts,
} from './flow-rollback.js';
import type { Candidate } from './rollback-plan.js';

const updated: FlowFacts = {
  activeVersionNumber: 2,
  latestVersionNumber: 2,
  after: { activeVersionNumber: 3, latestVersionNumber: 3 },
};
const created: FlowFacts = {
  activeVersionNumber: null,
  latestVersionNumber: null,
  after: { activeVersionNumber: 1, latestVersionNumber: 1 },
};

const candidate = (rollbackAction: Candidate['rollbackAction'], type = 'Flow'): Candidate => ({
  type,
  fullName: 'Route_Case',
  parent: null,
  deployAction: rollbackAction === 'delete' ? 'created' : rollbackAction === 'restore' ? 'updated' : 'deleted',
  rollbackAction,
  available: true,
  reason: null,
});

const live = (active: number | null, numbers: number[]): FlowDefinitionState => ({
  developerName: 'Route_Case',
  definitionId: '300000000000001AAA',
  activeVersionNumber: active,
  latestVersionNumber: numbers.at(-1) ?? null,
  versions: numbers.map((n) => ({
    id: `30100000000000${n}AAA`,
    versionNumber: n,
    status: n === active ? 'Active' : 'Obsolete',
  })),
});

describe('flowFactsOf', () => {
  it('reads details.flow with and without the numbers after the deploy', () => {
    expect(flowFactsOf({ flow: updated, profile: {} })).toEqual(updated);
    expect(flowFactsOf({ flow: { activeVersionNumber: null, latestVersionNumber: null } })).toEqual({
      activeVersionNumber: null,
      latestVersionNumber: null,
    });
  });

  it('gives nothing for rows without flow facts or with another shape', () => {
    expect(flowFactsOf(null)).toBeUndefined();
    expect(flowFactsOf({ profile: {} })).toBeUndefined();
    expect(flowFactsOf({ flow: { activeVersionNumber: '2', latestVersionNumber: 2 } })).toBeUndefined();
  });
});

describe('rolledBackByVersions', () => {
  it('takes flows the deploy created or updated whose backup recorded the versions after it', () => {
    expect(rolledBackByVersions(candidate('restore'), updated)).toBe(true);
    expect(rolledBackByVersions(candidate('delete'), created)).toBe(true);
  });

  it('leaves other types, recreations and flows backed up without version numbers to the Metadata API deploy', () => {
    expect(rolledBackByVersions(candidate('restore', 'ApexClass'), updated)).toBe(false);
    expect(rolledBackByVersions(candidate('recreate'), updated)).toBe(false);
    expect(rolledBackByVersions(candidate('restore'), undefined)).toBe(false);
    expect(rolledBackByVersions(candidate('restore'), { activeVersionNumber: 2, latestVersionNumber: 2 })).toBe(false);
  });
});

describe('flowSteps', () => {
  it('re-activates the version active before; with deletion, then deletes the created versions newest first', () => {
    const twoNew: FlowFacts = { ...updated, after: { activeVersionNumber: 4, latestVersionNumber: 4 } };
    expect(versionsCreated(twoNew)).toEqual([3, 4]);
    expect(flowSteps(twoNew, false)).toEqual([{ kind: 'activate', versionNumber: 2 }]);
    expect(flowSteps(twoNew, true)).toEqual([
      { kind: 'activate', versionNumber: 2 },
      { kind: 'delete', versionNumber: 4 },
      { kind: 'delete', versionNumber: 3 },
    ]);
  });

  it('deactivates a flow the deploy created, or one that had no active version before', () => {
    expect(flowSteps(created, true)).toEqual([
      { kind: 'activate', versionNumber: 0 },
      { kind: 'delete', versionNumber: 1 },
    ]);
    expect(flowSteps({ ...updated, activeVersionNumber: null }, false)).toEqual([
      { kind: 'activate', versionNumber: 0 },
    ]);
  });
});

describe('stepDone', () => {
  it('reads an activation and a deletion back from the org', () => {
    expect(stepDone({ kind: 'activate', versionNumber: 2 }, live(2, [1, 2, 3]))).toBe(true);
    expect(stepDone({ kind: 'activate', versionNumber: 2 }, live(3, [1, 2, 3]))).toBe(false);
    expect(stepDone({ kind: 'activate', versionNumber: 0 }, live(null, [1]))).toBe(true);
    expect(stepDone({ kind: 'delete', versionNumber: 3 }, live(2, [1, 2]))).toBe(true);
    expect(stepDone({ kind: 'delete', versionNumber: 3 }, live(2, [1, 2, 3]))).toBe(false);
    expect(stepDone({ kind: 'delete', versionNumber: 1 }, undefined)).toBe(true);
  });
});

describe('flowDrift', () => {
  it('is none while the flow has the versions the deploy left', () => {
    expect(flowDrift(updated, live(3, [1, 2, 3]))).toBeUndefined();
  });

  it('names another active version, a later version and a vanished flow', () => {
    expect(flowDrift(updated, live(2, [1, 2, 3]))).toBe(
      'Drift: version 2 of the flow is active, the deploy left version 3 active.',
    );
    expect(flowDrift(updated, live(4, [1, 2, 3, 4]))).toMatch(/version 4 of the flow is active/);
    expect(flowDrift(updated, { ...live(3, [1, 2, 3, 4]), activeVersionNumber: 3 })).toBe(
      "Drift: the flow's latest version is 4, the deploy left version 3.",
    );
    expect(flowDrift(updated, undefined)).toBe('Drift: the flow is no longer in the org.');
  });
});

describe('flowOutcomeMessage', () => {
  const ref = { type: 'Flow', fullName: 'Route_Case' };

  it('says which version is active again and what became of the created ones', () => {
    expect(flowOutcomeMessage({ ref, facts: updated, deleted: [], refused: [] })).toBe(
      'Re-activated version 2 (version 3, created by the deploy, is now inactive).',
    );
    expect(flowOutcomeMessage({ ref, facts: updated, deleted: [3], refused: [] })).toBe(
      'Re-activated version 2 (deleted version 3, created by the deploy).',
    );
    expect(flowOutcomeMessage({ ref, facts: created, deleted: [1], refused: [] })).toBe(
      'Deactivated the flow the deploy created (deleted version 1, created by the deploy); the flow is no longer in the org.',
    );
  });

  it('keeps a refused deletion apart, with Salesforce reason', () => {
    const twoNew: FlowFacts = { ...updated, after: { activeVersionNumber: 4, latestVersionNumber: 4 } };
    expect(
      flowOutcomeMessage({
        ref,
        facts: twoNew,
        deleted: [4],
        refused: [{ versionNumber: 3, reason: 'It has paused interviews.' }],
      }),
    ).toBe(
      'Re-activated version 2 (version 3, created by the deploy, is now inactive; deleted version 4, created by the deploy). ' +
        'Version 3 was not deleted: It has paused interviews.',
    );
    expect(
      flowOutcomeMessage({ ref, facts: { ...updated, activeVersionNumber: null }, deleted: [], refused: [] }),
    ).toBe('Deactivated: no version was active before the deploy (version 3, created by the deploy, is now inactive).');
  });
});

describe('flowVerified', () => {
  it('checks the active version, and the latest once every created version is gone', () => {
    expect(flowVerified(updated, live(2, [1, 2, 3]), false).ok).toBe(true);
    expect(flowVerified(updated, live(3, [1, 2, 3]), false)).toEqual({
      ok: false,
      message: 'Verification failed: version 3 is active, expected version 2',
    });
    expect(flowVerified(updated, live(2, [1, 2]), true).ok).toBe(true);
    expect(flowVerified(updated, live(2, [1, 2, 3]), true).ok).toBe(false);
  });

  it('expects no flow once a created flow lost all its versions', () => {
    expect(flowVerified(created, undefined, true).ok).toBe(true);
    expect(flowVerified(created, live(null, [1]), true).ok).toBe(false);
    expect(flowVerified(created, live(null, [1]), false).ok).toBe(true);
  });
});

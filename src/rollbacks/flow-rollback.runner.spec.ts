import { describe, it, expect } from '@jest/globals';
import type { JobContext } from '../jobs/job-handler.js';
import { componentKey } from '../salesforce/component-key.js';
import {
  SalesforceApiError,
  SalesforceUnavailableError,
  type FlowDefinitionState,
  type MetadataSession,
} from '../salesforce/metadata-api.gateway.js';
import { rollBackFlows, type FlowTarget } from './flow-rollback.runner.js';

/** An org with one flow whose versions the fake Tooling calls change; `lose` makes the next call's answer get lost. */
function fakeOrg(active: number | null, versions: number[]) {
  const flow = { active, versions: [...versions] };
  const calls: string[] = [];
  let lose: 'activate' | 'delete' | undefined;
  const state = (): FlowDefinitionState[] =>
    flow.versions.length
      ? [
          {
            developerName: 'Route_Case',
            definitionId: '300000000000001AAA',
            activeVersionNumber: flow.active,
            latestVersionNumber: flow.versions.at(-1) ?? null,
            versions: flow.versions.map((n) => ({ id: `v${n}`, versionNumber: n, status: 'Obsolete' })),
          },
        ]
      : [];
  const session = {
    flowDefinitions: () => Promise.resolve(state()),
    setActiveFlowVersion: (_: string, n: number) => {
      calls.push(`activate ${n}`);
      flow.active = n || null;
      if (lose === 'activate') {
        lose = undefined;
        return Promise.reject(new SalesforceUnavailableError('socket hang up'));
      }
      return Promise.resolve();
    },
    deleteFlowVersion: (id: string) => {
      calls.push(`delete ${id}`);
      if (id === `v${flow.active}`) return Promise.reject(new SalesforceApiError('DELETE_FAILED', 'active version'));
      flow.versions = flow.versions.filter((n) => `v${n}` !== id);
      if (lose === 'delete') {
        lose = undefined;
        return Promise.reject(new SalesforceUnavailableError('socket hang up'));
      }
      return Promise.resolve();
    },
  } as unknown as MetadataSession;
  return { flow, calls, session, loseNext: (what: 'activate' | 'delete') => (lose = what) };
}

function fakeContext(state: Record<string, unknown> = {}) {
  const logs: string[] = [];
  const saved: Record<string, unknown>[] = [];
  const ctx = {
    job: { state },
    log: (_level: string, message: string) => logs.push(message),
    saveState: (patch: Record<string, unknown>) => {
      saved.push(patch);
      Object.assign(state, patch);
      return Promise.resolve();
    },
  } as unknown as JobContext;
  return { ctx, logs, saved, state };
}

const target: FlowTarget = {
  candidate: {
    type: 'Flow',
    fullName: 'Route_Case',
    parent: null,
    deployAction: 'updated',
    rollbackAction: 'restore',
    available: true,
    reason: null,
  },
  facts: { activeVersionNumber: 1, latestVersionNumber: 1, after: { activeVersionNumber: 2, latestVersionNumber: 2 } },
};

describe('rollBackFlows', () => {
  it('saves the step in flight before sending it, and the flow as done after', async () => {
    const org = fakeOrg(2, [1, 2]);
    const { ctx, saved } = fakeContext();
    const [row] = await rollBackFlows(ctx, org.session, [target], { deleteVersions: true, checkOnly: false });
    expect(org.calls).toEqual(['activate 1', 'delete v2']);
    expect(saved.map((s) => Object.keys(s).join())).toEqual(['flowStep', 'flowStep', 'flowsDone,flowStep']);
    expect(row).toMatchObject({ status: 'Succeeded' });
    expect(org.flow).toEqual({ active: 1, versions: [1] });
  });

  it('learns the outcome of an activation whose answer was lost by reading the flow back, and does not resend it', async () => {
    const org = fakeOrg(2, [1, 2]);
    org.loseNext('activate');
    const { ctx, logs } = fakeContext();
    await rollBackFlows(ctx, org.session, [target], { deleteVersions: false, checkOnly: false });
    expect(org.calls).toEqual(['activate 1']);
    expect(logs).toContain('Rolled back: Re-activated version 1 (version 2, created by the deploy, is now inactive).');
  });

  it('a lost deletion answer: the org shows the version gone, so it is recorded deleted and not sent again', async () => {
    const org = fakeOrg(2, [1, 2]);
    org.loseNext('delete');
    const { ctx, logs } = fakeContext();
    await rollBackFlows(ctx, org.session, [target], { deleteVersions: true, checkOnly: false });
    expect(org.calls).toEqual(['activate 1', 'delete v2']);
    expect(logs).toContain('Rolled back: Re-activated version 1 (deleted version 2, created by the deploy).');
  });

  it('a resumed job sends only what the org does not show yet, and skips flows already done', async () => {
    const org = fakeOrg(1, [1, 2]);
    const { ctx, logs } = fakeContext({
      flowStep: { flow: componentKey(target.candidate), step: { kind: 'activate', versionNumber: 1 } },
    });
    await rollBackFlows(ctx, org.session, [target], { deleteVersions: true, checkOnly: false });
    expect(org.calls).toEqual(['delete v2']);
    expect(logs[0]).toMatch(/^An earlier attempt stopped while activating version 1/);

    const again = fakeContext({ flowsDone: { [componentKey(target.candidate)]: { deleted: [2], refused: [] } } });
    await rollBackFlows(again.ctx, org.session, [target], { deleteVersions: true, checkOnly: false });
    expect(org.calls).toEqual(['delete v2']);
  });

  it("reports an activation Salesforce refuses as the flow's failure, with its reason", async () => {
    const org = fakeOrg(2, [1, 2]);
    const session = {
      ...org.session,
      setActiveFlowVersion: () =>
        Promise.reject(new SalesforceApiError('FIELD_INTEGRITY_EXCEPTION', 'Invalid version number: 1')),
    } as unknown as MetadataSession;
    const [failed] = await rollBackFlows(fakeContext().ctx, session, [target], {
      deleteVersions: true,
      checkOnly: false,
    });
    expect(failed).toMatchObject({ status: 'Failed', problem: 'Invalid version number: 1' });
  });

  it('changes nothing for a validation', async () => {
    const org = fakeOrg(2, [1, 2]);
    const { ctx, logs } = fakeContext();
    await rollBackFlows(ctx, org.session, [target], { deleteVersions: true, checkOnly: true });
    expect(org.calls).toEqual([]);
    expect(logs).toEqual(['Validated: would re-activate version 1']);
  });
});

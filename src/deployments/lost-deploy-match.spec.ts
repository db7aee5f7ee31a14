import { describe, it, expect } from '@jest/globals';
import type { RecentDeploy } from '../salesforce/metadata-api.gateway.js';
import { LOST_DEPLOY_SKEW_MS, LOST_DEPLOY_WINDOW_MS, matchLostDeploy } from './lost-deploy-match.js';

const submittedAt = new Date('2026-12-01T20:00:00.000Z');
const at = (offsetMs: number) => new Date(submittedAt.getTime() + offsetMs);
const deploy = (id: string, offsetMs: number, extra: Partial<RecentDeploy> = {}): RecentDeploy => ({
  id,
  status: 'InProgress',
  createdDate: at(offsetMs),
  checkOnly: false,
  numberComponentsTotal: 0,
  ...extra,
});

describe('matchLostDeploy', () => {
  it('adopts the one deploy created just after the submission', () => {
    const ours = deploy('0Af2', 800);
    const match = matchLostDeploy([ours, deploy('0Af1', -3_600_000)], submittedAt, { checkOnly: false });
    expect(match).toEqual({ kind: 'found', deploy: ours });
  });

  it("tolerates Salesforce's clock running a little behind, but not a deploy from before the window", () => {
    expect(matchLostDeploy([deploy('0Af1', -LOST_DEPLOY_SKEW_MS + 1)], submittedAt, { checkOnly: false }).kind).toBe(
      'found',
    );
    expect(matchLostDeploy([deploy('0Af1', -LOST_DEPLOY_SKEW_MS - 1)], submittedAt, { checkOnly: false }).kind).toBe(
      'none',
    );
    expect(matchLostDeploy([deploy('0Af1', LOST_DEPLOY_WINDOW_MS + 1)], submittedAt, { checkOnly: false }).kind).toBe(
      'none',
    );
  });

  it('says none when the org shows no deploy yet', () => {
    expect(matchLostDeploy([], submittedAt, { checkOnly: false })).toEqual({ kind: 'none' });
  });

  it('never guesses between two deploys in the window', () => {
    const match = matchLostDeploy([deploy('0Af1', 500), deploy('0Af2', 900)], submittedAt, { checkOnly: false });
    expect(match).toEqual({ kind: 'several', deploys: [deploy('0Af1', 500), deploy('0Af2', 900)] });
  });

  it('tells ours apart by kind, by known ids and by component count once Salesforce has planned it', () => {
    const ours = deploy('0Af2', 900, { numberComponentsTotal: 3 });
    const validation = deploy('0Af3', 700, { checkOnly: true });
    const otherJob = deploy('0Af4', 600);
    const bigger = deploy('0Af5', 400, { numberComponentsTotal: 40 });
    const match = matchLostDeploy([validation, otherJob, bigger, ours], submittedAt, {
      checkOnly: false,
      componentCount: 3,
      knownIds: new Set(['0Af4']),
    });
    expect(match).toEqual({ kind: 'found', deploy: ours });
    // not yet planned (count 0): the count cannot rule it out
    const pending = deploy('0Af6', 900);
    expect(matchLostDeploy([pending], submittedAt, { checkOnly: false, componentCount: 3 })).toEqual({
      kind: 'found',
      deploy: pending,
    });
  });
});

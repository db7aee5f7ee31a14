import { describe, it, expect } from '@jest/globals';
import { rollbackDecision, type DecisionFacts } from './rollback-decision.js';

const finishedAt = new Date('2026-12-02T10:00:00Z');
const minutesAfter = (m: number) => new Date(finishedAt.getTime() + m * 60_000);
const facts: DecisionFacts = {
  breach: { source: 'alertmanager', status: 'firing', fingerprint: 'a1b2', startsAt: minutesAfter(5) },
  policy: { name: 'checkout-burn', enabled: true, windowMinutes: 60 },
  deployment: { executionId: 'exec-2', status: 'Completed', finishedAt, rollbackJobId: null },
  firstDelivery: true,
};
const decide = (f: Partial<DecisionFacts>) => rollbackDecision({ ...facts, ...f });
const breachAt = (startsAt: Date) => ({ ...facts.breach, startsAt });

describe('rollbackDecision', () => {
  it('rolls back the Completed current deployment when the breach started inside the window after it', () => {
    expect(decide({})).toEqual({
      outcome: 'rollback',
      executionId: 'exec-2',
      reason:
        'The breach started at 2026-12-02T10:05:00.000Z, 5.0 min after execution exec-2 finished, inside the 60-minute rollback window of policy "checkout-burn": rolling it back.',
    });
  });

  it('rolls back at both edges of the window: the moment it finished and the last minute', () => {
    expect(decide({ breach: breachAt(finishedAt) }).outcome).toBe('rollback');
    expect(decide({ breach: breachAt(minutesAfter(60)) }).outcome).toBe('rollback');
  });

  it('an evaluation of the SLO decides the same way as an alert', () => {
    expect(decide({ breach: { ...facts.breach, source: 'evaluation', fingerprint: 'slo:1' } }).outcome).toBe(
      'rollback',
    );
  });

  it('rolls nothing back after the window and says when it ended', () => {
    const decision = decide({ breach: breachAt(minutesAfter(61)) });
    expect(decision).toEqual({
      outcome: 'outside-window',
      executionId: 'exec-2',
      reason:
        'The breach started at 2026-12-02T11:01:00.000Z, 61 min after execution exec-2 finished: outside the 60-minute rollback window of policy "checkout-burn" (it ended at 2026-12-02T11:00:00.000Z).',
    });
  });

  it('rolls nothing back for a breach that started before the deployment finished', () => {
    const decision = decide({ breach: breachAt(minutesAfter(-1)) });
    expect(decision.outcome).toBe('before-deployment');
    expect(decision.reason).toContain('before the current deployment (execution exec-2) finished');
  });

  it('rolls nothing back when the current deployment is not Completed (running, or ended in Exception)', () => {
    for (const status of ['In Progress', 'Queued', 'Exception']) {
      const decision = decide({ deployment: { ...facts.deployment!, status, finishedAt: null } });
      expect(decision.outcome).toBe('not-completed');
      expect(decision.reason).toContain(`is ${status}, not Completed`);
    }
  });

  it('rolls nothing back when the current deployment was already rolled back, naming the Rollback', () => {
    const decision = decide({ deployment: { ...facts.deployment!, rollbackJobId: 'rb-1' } });
    expect(decision).toMatchObject({ outcome: 'already-rolled-back', executionId: 'exec-2' });
    expect(decision.reason).toContain('already rolled back (Rollback rb-1)');
  });

  it('rolls nothing back when the service was never deployed on the infrastructure', () => {
    expect(decide({ deployment: null })).toEqual({
      outcome: 'no-deployment',
      executionId: null,
      reason: 'No deployment of the service on this infrastructure: nothing to roll back.',
    });
  });

  it('rolls nothing back under a disabled policy, even inside the window', () => {
    const decision = decide({ policy: { ...facts.policy, enabled: false } });
    expect(decision).toMatchObject({ outcome: 'policy-disabled', executionId: 'exec-2' });
    expect(decision.reason).toBe('Policy "checkout-burn" is disabled: it rolls nothing back.');
  });

  it('a resolved alert never rolls back, whatever else holds', () => {
    const decision = decide({ breach: { ...facts.breach, status: 'resolved' } });
    expect(decision.outcome).toBe('resolved');
    expect(decide({ breach: { ...facts.breach, status: 'resolved' }, firstDelivery: false }).outcome).toBe('resolved');
  });

  it('a repeat of the same fingerprint and start never acts twice', () => {
    const decision = decide({ firstDelivery: false });
    expect(decision.outcome).toBe('repeat');
    expect(decision.reason).toContain('fingerprint a1b2');
  });

  it('of concurrent identical deliveries only the one that inserted the claim row rolls back', () => {
    // the claim is a unique row per (policy, fingerprint, startsAt): the first insert wins, the others find it
    const claims = new Set<string>();
    const claim = (f: DecisionFacts) => {
      const key = `policy-1|${f.breach.fingerprint}|${f.breach.startsAt.toISOString()}`;
      const first = !claims.has(key);
      claims.add(key);
      return first;
    };
    const outcomes = Array.from({ length: 5 }, () => decide({ firstDelivery: claim(facts) }).outcome);
    expect(outcomes.filter((o) => o === 'rollback')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'repeat')).toHaveLength(4);
    // a new breach of the same alert (a later start) is a new decision
    expect(
      decide({
        breach: breachAt(minutesAfter(30)),
        firstDelivery: claim({ ...facts, breach: breachAt(minutesAfter(30)) }),
      }).outcome,
    ).toBe('rollback');
  });

  it('checks in order: resolved, repeat, disabled, no deployment, rolled back, not Completed, before, window', () => {
    const all: Partial<DecisionFacts> = {
      breach: { ...facts.breach, startsAt: minutesAfter(120) },
      policy: { ...facts.policy, enabled: false },
      deployment: { ...facts.deployment!, status: 'Exception', rollbackJobId: 'rb-1' },
      firstDelivery: false,
    };
    expect(decide(all).outcome).toBe('repeat');
    expect(decide({ ...all, firstDelivery: true }).outcome).toBe('policy-disabled');
    expect(decide({ ...all, firstDelivery: true, policy: facts.policy }).outcome).toBe('already-rolled-back');
    expect(
      decide({
        ...all,
        firstDelivery: true,
        policy: facts.policy,
        deployment: { ...all.deployment!, rollbackJobId: null },
      }).outcome,
    ).toBe('not-completed');
  });
});

import { describe, expect, it } from '@jest/globals';
import {
  advance,
  cancel,
  canaryStepCounts,
  deployedAtOnce,
  DeploymentStatusError,
  legacyState,
  resume,
  startProgress,
  supersede,
  type Progress,
} from './deployment-rules.js';

const healthy = { instanceSeconds: 10, healthy: true };
const unhealthy = { instanceSeconds: 10, healthy: false };
const rolling = (targetInstances: number, maxInFlight = 1) =>
  startProgress({ strategy: 'rolling', targetInstances, maxInFlight }, 0, healthy);

describe('rolling deployments', () => {
  it('replace max_in_flight instances per health-check period, then finalize as DEPLOYED', () => {
    const start = rolling(3);
    expect(advance(start, 9_999, healthy)).toMatchObject({ value: 'ACTIVE', reason: 'DEPLOYING', newInstances: 0 });
    expect(advance(start, 10_000, healthy)).toMatchObject({ reason: 'DEPLOYING', newInstances: 1 });
    expect(advance(start, 29_000, healthy)).toMatchObject({ reason: 'DEPLOYING', newInstances: 2 });
    expect(advance(start, 30_000, healthy)).toMatchObject({
      value: 'FINALIZED',
      reason: 'DEPLOYED',
      newInstances: 3,
      lastStatusChangeAt: 30_000,
    });
  });

  it('go faster with a larger max_in_flight', () => {
    expect(advance(rolling(4, 2), 20_000, healthy)).toMatchObject({ value: 'FINALIZED', reason: 'DEPLOYED' });
    expect(advance(rolling(4, 1), 20_000, healthy)).toMatchObject({ value: 'ACTIVE', newInstances: 2 });
  });

  it('stay ACTIVE/DEPLOYING with no healthy instance when the droplet never passes its health check', () => {
    expect(advance(rolling(2), 1_000_000, unhealthy)).toMatchObject({
      value: 'ACTIVE',
      reason: 'DEPLOYING',
      newInstances: 0,
      lastHealthyAt: null,
    });
  });

  it('finalize at once for a stopped app', () => {
    expect(deployedAtOnce(rolling(2), 5)).toMatchObject({ value: 'FINALIZED', reason: 'DEPLOYED', newInstances: 2 });
  });
});

describe('canary deployments', () => {
  it('pause after each step and roll the rest after the last continue', () => {
    let p = startProgress(
      { strategy: 'canary', targetInstances: 4, maxInFlight: 1, canaryWeights: [25, 50] },
      0,
      healthy,
    );
    expect(p.canarySteps).toEqual([1, 2]);
    p = advance(p, 100_000, healthy);
    expect(p).toMatchObject({ value: 'ACTIVE', reason: 'PAUSED', newInstances: 1, currentStep: 1 });
    p = resume(p, 100_000, healthy);
    p = advance(p, 200_000, healthy);
    expect(p).toMatchObject({ reason: 'PAUSED', newInstances: 2, currentStep: 2 });
    p = advance(resume(p, 200_000, healthy), 300_000, healthy);
    expect(p).toMatchObject({ value: 'FINALIZED', reason: 'DEPLOYED', newInstances: 4, currentStep: 3 });
  });

  it('default to one step of one instance', () => {
    expect(canaryStepCounts(undefined, 5)).toEqual([1]);
    expect(canaryStepCounts([10, 100], 5)).toEqual([1, 5]);
  });

  it('refuse continue unless paused', () => {
    expect(() => resume(rolling(2), 0, healthy)).toThrow(
      new DeploymentStatusError('Cannot continue a deployment with status: ACTIVE and reason: DEPLOYING'),
    );
  });
});

describe('cancel and supersede', () => {
  it('cancel goes through CANCELING to FINALIZED/CANCELED', () => {
    const canceling = cancel(rolling(2), 1_000, healthy);
    expect(canceling).toMatchObject({ value: 'ACTIVE', reason: 'CANCELING' });
    expect(advance(canceling, 11_000, healthy)).toMatchObject({ value: 'FINALIZED', reason: 'CANCELED' });
  });

  it('refuses to cancel a finalized deployment', () => {
    const done: Progress = advance(rolling(1), 10_000, healthy);
    expect(() => cancel(done, 20_000, healthy)).toThrow('Cannot cancel a DEPLOYED deployment');
  });

  it('a superseded deployment is FINALIZED/SUPERSEDED with the legacy state DEPLOYED', () => {
    const old = supersede(rolling(2), 5);
    expect(old).toMatchObject({ value: 'FINALIZED', reason: 'SUPERSEDED' });
    expect(legacyState(old)).toBe('DEPLOYED');
    expect(legacyState(rolling(2))).toBe('DEPLOYING');
  });
});

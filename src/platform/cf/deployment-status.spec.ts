import { describe, expect, it } from '@jest/globals';
import { canaryNext, deploymentHealth } from './deployment-status.js';

const status = (value: string, reason: string, canary?: { current: number; total: number }) => ({
  status: { value, reason, ...(canary ? { canary: { steps: canary } } : {}) },
});

describe('deploymentHealth', () => {
  it('is steady once FINALIZED/DEPLOYED', () => {
    expect(deploymentHealth(status('FINALIZED', 'DEPLOYED'))).toEqual({ steady: true });
  });

  it('fails at once when the deployment was canceled or superseded', () => {
    expect(deploymentHealth(status('FINALIZED', 'CANCELED'))).toEqual({
      steady: false,
      failed: true,
      reason: 'the deployment ended CANCELED before every instance ran the new droplet',
    });
    expect(deploymentHealth(status('FINALIZED', 'SUPERSEDED'), 'the rollback')).toMatchObject({
      failed: true,
      reason: 'the rollback was superseded by a newer deployment of the app before it finished',
    });
  });

  it('goes on while ACTIVE, naming the canary step', () => {
    expect(deploymentHealth(status('ACTIVE', 'DEPLOYING'))).toEqual({
      steady: false,
      reason: 'the deployment is ACTIVE/DEPLOYING',
    });
    expect(deploymentHealth(status('ACTIVE', 'PAUSED', { current: 1, total: 2 }))).toEqual({
      steady: false,
      reason: 'the deployment is paused (canary step 1 of 2)',
    });
  });
});

describe('canaryNext', () => {
  it('continues a pause, again when a continue of that step never took effect', () => {
    expect(canaryNext(status('ACTIVE', 'PAUSED', { current: 1, total: 2 }), 0)).toEqual({
      action: 'continue',
      step: 1,
    });
    expect(canaryNext(status('ACTIVE', 'PAUSED', { current: 1, total: 2 }), 1)).toEqual({
      action: 'continue',
      step: 1,
    });
  });

  it('waits for the next pause while steps are left', () => {
    expect(canaryNext(status('ACTIVE', 'DEPLOYING', { current: 2, total: 2 }), 1)).toEqual({
      action: 'wait',
      reason: 'the canary deployment is DEPLOYING (step 2 of 2)',
    });
  });

  it('is done once the last step was continued or the deployment finalized', () => {
    expect(canaryNext(status('ACTIVE', 'DEPLOYING', { current: 2, total: 2 }), 2)).toEqual({ action: 'done' });
    expect(canaryNext(status('FINALIZED', 'DEPLOYED', { current: 2, total: 2 }), 0)).toEqual({ action: 'done' });
  });
});

import { describe, expect, it } from '@jest/globals';
import { percentageComplete, refreshBatchSize } from './refresh-rules.js';

describe('refreshBatchSize', () => {
  it('takes out only the instances above the minimum healthy count', () => {
    expect(
      refreshBatchSize({ desiredCapacity: 10, healthyInstances: 10, minHealthyPercentage: 90, remaining: 10 }),
    ).toBe(1);
    expect(
      refreshBatchSize({ desiredCapacity: 10, healthyInstances: 10, minHealthyPercentage: 50, remaining: 10 }),
    ).toBe(5);
    expect(refreshBatchSize({ desiredCapacity: 4, healthyInstances: 4, minHealthyPercentage: 60, remaining: 4 })).toBe(
      1,
    );
  });

  it('replaces one at a time at 100% and everything at once at 0%', () => {
    expect(refreshBatchSize({ desiredCapacity: 6, healthyInstances: 6, minHealthyPercentage: 100, remaining: 6 })).toBe(
      1,
    );
    expect(refreshBatchSize({ desiredCapacity: 6, healthyInstances: 6, minHealthyPercentage: 0, remaining: 6 })).toBe(
      6,
    );
  });

  it('never takes more than remain to be replaced', () => {
    expect(refreshBatchSize({ desiredCapacity: 6, healthyInstances: 6, minHealthyPercentage: 0, remaining: 2 })).toBe(
      2,
    );
  });
});

describe('percentageComplete', () => {
  it('counts what is done out of the total, whole percent, 100 when there was nothing to do', () => {
    expect(percentageComplete(3, 2)).toBe(33);
    expect(percentageComplete(4, 0)).toBe(100);
    expect(percentageComplete(0, 0)).toBe(100);
    expect(percentageComplete(4, 5)).toBe(0);
  });
});

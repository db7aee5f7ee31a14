import { describe, it, expect } from '@jest/globals';
import {
  breaches,
  burnRate,
  describeCondition,
  describeMeasurement,
  errorBudget,
  errorBudgetRemainingPercent,
  measure,
  sli,
  sloHistory,
} from './slo-maths.js';

describe('SLO maths', () => {
  it('the SLI is good over valid events, and no traffic is no SLI', () => {
    expect(sli(995, 1000)).toBeCloseTo(0.995);
    expect(sli(0, 10)).toBe(0);
    expect(sli(0, 0)).toBeNull();
    expect(sli(Number.NaN, 10)).toBeNull();
    expect(sli(5, Number.POSITIVE_INFINITY)).toBeNull();
    // counters read a moment apart can put good a hair above valid: never above 100 %
    expect(sli(1001, 1000)).toBe(1);
  });

  it('the error budget is 1 − target', () => {
    expect(errorBudget(99.5)).toBeCloseTo(0.005);
    expect(errorBudget(99.9)).toBeCloseTo(0.001);
  });

  it('the error budget remaining is 100 % untouched, 0 % spent, negative overspent', () => {
    expect(errorBudgetRemainingPercent(1, 99.5)).toBeCloseTo(100);
    expect(errorBudgetRemainingPercent(0.9975, 99.5)).toBeCloseTo(50);
    expect(errorBudgetRemainingPercent(0.995, 99.5)).toBeCloseTo(0);
    expect(errorBudgetRemainingPercent(0.97, 99.5)).toBeCloseTo(-500);
  });

  it('the burn rate is the error ratio over the budget', () => {
    expect(burnRate(0.999, 99.9)).toBeCloseTo(1);
    expect(burnRate(1 - 0.0144, 99.9)).toBeCloseTo(14.4);
    expect(burnRate(1, 99.9)).toBe(0);
    expect(burnRate(0.5, 99.5)).toBeCloseTo(100);
  });

  it('measures over the period and the window, with null where there was no traffic', () => {
    expect(measure(99.5, { good: 9975, valid: 10000 }, { good: 90, valid: 100 })).toEqual({
      sli: 0.9975,
      errorBudgetRemainingPercent: expect.closeTo(50, 6),
      burnRate: expect.closeTo(20, 6),
    });
    expect(measure(99.5, { good: 0, valid: 0 }, { good: 0, valid: 0 })).toEqual({
      sli: null,
      errorBudgetRemainingPercent: null,
      burnRate: null,
    });
  });

  it('breaches the budget condition below the threshold only', () => {
    const condition = { type: 'errorBudgetRemainingBelow', percent: 20 } as const;
    const m = (remaining: number | null) => ({ sli: 0.99, errorBudgetRemainingPercent: remaining, burnRate: 1 });
    expect(breaches(condition, m(19.9))).toBe(true);
    expect(breaches(condition, m(20))).toBe(false);
    expect(breaches(condition, m(null))).toBe(false);
  });

  it('breaches the burn-rate condition above the rate only', () => {
    const condition = { type: 'burnRateAbove', rate: 14.4, windowMinutes: 5 } as const;
    const m = (rate: number | null) => ({ sli: 0.99, errorBudgetRemainingPercent: 50, burnRate: rate });
    expect(breaches(condition, m(14.5))).toBe(true);
    expect(breaches(condition, m(14.4))).toBe(false);
    expect(breaches(condition, m(null))).toBe(false);
  });

  it('says the condition and the measurement in words', () => {
    expect(describeCondition({ type: 'errorBudgetRemainingBelow', percent: 20 })).toBe(
      'error budget remaining below 20 %',
    );
    expect(describeCondition({ type: 'burnRateAbove', rate: 14.4, windowMinutes: 5 })).toBe(
      'burn rate above 14.4 over 5 min',
    );
    expect(describeMeasurement({ sli: 0.97, errorBudgetRemainingPercent: -500, burnRate: 6 })).toBe(
      'SLI 97.000 %, error budget remaining -500.0 %, burn rate 6.00',
    );
    expect(describeMeasurement({ sli: null, errorBudgetRemainingPercent: null, burnRate: null })).toBe(
      'SLI no traffic, error budget remaining no traffic, burn rate no traffic',
    );
  });

  it('builds the history from good and valid counts per step, good missing as 0 and no traffic as null', () => {
    const t = Date.parse('2026-12-02T10:00:00Z');
    expect(
      sloHistory(
        [{ at: t, value: 99 }],
        [
          { at: t, value: 100 },
          { at: t + 60_000, value: 50 },
          { at: t + 120_000, value: 0 },
        ],
        99.5,
      ),
    ).toEqual([
      { at: '2026-12-02T10:00:00.000Z', sli: 0.99, burnRate: expect.closeTo(2, 6) },
      { at: '2026-12-02T10:01:00.000Z', sli: 0, burnRate: expect.closeTo(200, 6) },
      { at: '2026-12-02T10:02:00.000Z', sli: null, burnRate: null },
    ]);
  });
});

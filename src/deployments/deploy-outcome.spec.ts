import { describe, it, expect } from '@jest/globals';
import { inferredDeployAction, lostComponentVerdict, lostDeployVerdict } from './deploy-outcome.js';

describe('lostComponentVerdict', () => {
  it('says applied when the org now holds the revision and held something else before', () => {
    expect(lostComponentVerdict({ before: 'a', planned: 'b', live: 'b' })).toBe('applied');
    expect(lostComponentVerdict({ before: null, planned: 'b', live: 'b' })).toBe('applied');
  });

  it('says not applied when the org still holds what the backup found', () => {
    expect(lostComponentVerdict({ before: 'a', planned: 'b', live: 'a' })).toBe('notApplied');
    expect(lostComponentVerdict({ before: null, planned: 'b', live: null })).toBe('notApplied');
  });

  it('says unknown when the org holds neither (someone else changed it)', () => {
    expect(lostComponentVerdict({ before: 'a', planned: 'b', live: 'c' })).toBe('unknown');
  });
});

describe('lostDeployVerdict', () => {
  it('is applied when every component shows the deploy', () => {
    const v = lostDeployVerdict([
      { before: 'a', planned: 'b', live: 'b' },
      { before: null, planned: 'c', live: 'c' },
    ]);
    expect(v).toEqual({ overall: 'applied', verdicts: ['applied', 'applied'] });
  });

  it('counts a component that already held the revision as consistent with an applied deploy', () => {
    expect(
      lostDeployVerdict([
        { before: 'a', planned: 'b', live: 'b' },
        { before: 'x', planned: 'x', live: 'x' },
      ]).overall,
    ).toBe('applied');
  });

  it('is none when no component changed, and mixed when some did', () => {
    expect(lostDeployVerdict([{ before: 'a', planned: 'b', live: 'a' }]).overall).toBe('none');
    expect(
      lostDeployVerdict([
        { before: 'a', planned: 'b', live: 'b' },
        { before: 'c', planned: 'd', live: 'c' },
      ]).overall,
    ).toBe('mixed');
  });
});

describe('inferredDeployAction', () => {
  it('records the planned action for an applied component', () => {
    expect(inferredDeployAction('applied', 'applied', true)).toBe('update');
    expect(inferredDeployAction('applied', 'mixed', false)).toBe('create');
  });

  it('keeps unchanged components rollbackable while nothing of the deploy is visible (it may still be queued)', () => {
    expect(inferredDeployAction('notApplied', 'none', true)).toBe('update');
  });

  it('records unchanged for a component left alone by a deploy the org shows', () => {
    expect(inferredDeployAction('notApplied', 'mixed', true)).toBe('unchanged');
  });
});

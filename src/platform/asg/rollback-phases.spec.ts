import { describe, expect, it } from '@jest/globals';
import { rollbackPhases } from './rollback-phases.js';

const counts = (deployed: number[], active: number) => rollbackPhases(deployed, active).map((p) => p.replace);

describe('rollbackPhases', () => {
  it("holds issue 15's worked example: 1, 2, 2, 3 deployed, 15 active → 6, 4, 4, then the remaining 1", () => {
    expect(rollbackPhases([1, 2, 2, 3], 15)).toEqual([
      { deployPhase: 4, replace: 6 },
      { deployPhase: 3, replace: 4 },
      { deployPhase: 2, replace: 4 },
      { deployPhase: 1, replace: 1 },
    ]);
  });

  it('mirrors the deploy when nothing scaled since', () => {
    expect(counts([1, 2, 2, 3], 8)).toEqual([3, 2, 2, 1]);
  });

  it('rolls back fewer instances than were deployed after a scale-in, every instance exactly once', () => {
    const phases = counts([1, 2, 2, 3], 3);
    expect(phases).toEqual([1, 1, 1, 0]);
    expect(phases.reduce((a, b) => a + b, 0)).toBe(3);
  });

  it('never lets rounding take more than remain: the later phases get what is left', () => {
    // 2/4 × 3 = 1.5 → 2 for each of the first two rollback phases would need 4 of 3.
    expect(counts([0, 2, 2], 3)).toEqual([2, 1, 0]);
  });

  it('gives everything to the one phase of a basic deploy', () => {
    expect(counts([5], 12)).toEqual([12]);
  });

  it('has nothing to replace when no instance is active', () => {
    expect(counts([1, 2], 0)).toEqual([0, 0]);
  });

  it('refuses input it cannot divide', () => {
    expect(() => rollbackPhases([], 3)).toThrow(/at least one phase/);
    expect(() => rollbackPhases([0, 0], 3)).toThrow(/at least one instance/);
    expect(() => rollbackPhases([1, -1], 3)).toThrow(/whole number/);
    expect(() => rollbackPhases([1.5], 3)).toThrow(/whole number/);
    expect(() => rollbackPhases([1], 2.5)).toThrow(/active/);
  });
});

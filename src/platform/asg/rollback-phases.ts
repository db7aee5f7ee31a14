// Harness's rollback phase arithmetic for Auto Scaling groups (issue 15). Each deploy phase replaced a share of all the
// instances the deploy replaced; rolling back walks the phases in reverse order and each replaces
// round(active × share) of the instances active at rollback time — instances that appeared since the deploy
// (scaling) included — and the last phase of the rollback (the first deployed) takes all that remain.
// Worked example: 8 instances deployed in phases of 1, 2, 2, 3; 15 active at rollback → 6, 4, 4, then 1.

export interface RollbackPhase {
  /** 1-based index of the deploy phase this rollback phase undoes. */
  readonly deployPhase: number;
  /** Instances this rollback phase replaces. */
  readonly replace: number;
}

/**
 * The rollback phases, in the order they run (the last deploy phase first).
 * @param deployed instances each deploy phase replaced, in deploy order (whole numbers ≥ 0, at least one above 0)
 * @param active instances active at rollback time (a whole number ≥ 0)
 */
export function rollbackPhases(deployed: readonly number[], active: number): RollbackPhase[] {
  if (!deployed.length) throw new RangeError('deployed must list at least one phase');
  if (deployed.some((n) => !Number.isInteger(n) || n < 0))
    throw new RangeError('each deployed phase count must be a whole number ≥ 0');
  if (!Number.isInteger(active) || active < 0) throw new RangeError('active must be a whole number ≥ 0');
  const total = deployed.reduce((sum, n) => sum + n, 0);
  if (total === 0) throw new RangeError('the deploy must have replaced at least one instance');
  let remaining = active;
  const phases: RollbackPhase[] = [];
  for (let index = deployed.length - 1; index >= 0; index--) {
    const replace = index === 0 ? remaining : Math.min(remaining, Math.round((active * deployed[index]!) / total));
    remaining -= replace;
    phases.push({ deployPhase: index + 1, replace });
  }
  return phases;
}

/** Whether a deploy can be rolled back, as `rollbackability` says, and the sentence saying why not. */
export interface RollbackVerdict {
  rollbackable: boolean;
  reason: string | null;
  gone: boolean;
}

export const NOTHING_CHANGED = 'This deploy changed nothing (every component was unchanged), so there is nothing to roll back.';

/**
 * A deploy that changed no component offers nothing to roll back: it is not rollbackable, so no Rollback button
 * shows and the selection page never opens on an empty list. `candidateCount` counts every component the deploy
 * changed (available or already rolled back).
 */
export function offerVerdict(verdict: RollbackVerdict, candidateCount: number): RollbackVerdict {
  if (!verdict.rollbackable || candidateCount > 0) return verdict;
  return { rollbackable: false, reason: NOTHING_CHANGED, gone: false };
}

/** Whether a deploy can be rolled back, as `rollbackability` says, and the sentence saying why not. */
export interface RollbackVerdict {
  rollbackable: boolean;
  reason: string | null;
  gone: boolean;
}

export const NOTHING_CHANGED =
  'This deploy changed nothing (every component was unchanged), so there is nothing to roll back.';

/**
 * A deploy that changed no component offers nothing to roll back: it is not rollbackable, so no Rollback button
 * shows and the selection page never opens on an empty list. `candidateCount` counts every component the deploy
 * changed (available or already rolled back).
 */
export function offerVerdict(verdict: RollbackVerdict, candidateCount: number): RollbackVerdict {
  if (!verdict.rollbackable || candidateCount > 0) return verdict;
  return { rollbackable: false, reason: NOTHING_CHANGED, gone: false };
}

interface Pickable {
  type: string;
  fullName: string;
  parent: { type: string; fullName: string } | null;
  rollbackAction: string;
  available: boolean;
}

/**
 * Recreating a parent the deploy deleted brings back its children too (a deleted object comes back with its
 * fields): picking the object adds its recreatable children that were backed up with it.
 */
export function withRecreatedChildren<T extends Pickable>(selected: T[], candidates: T[]): T[] {
  const key = (r: { type: string; fullName: string }) => `${r.type}:${r.fullName}`.toLowerCase();
  const picked = new Set(selected.map(key));
  const parents = new Set(selected.filter((c) => c.rollbackAction === 'recreate').map(key));
  const children = candidates.filter(
    (c) =>
      c.parent && c.rollbackAction === 'recreate' && c.available && parents.has(key(c.parent)) && !picked.has(key(c)),
  );
  return [...selected, ...children];
}

import type { ComponentAction } from '../jobs/job-component.entity.js';

type DeployAction = Extract<ComponentAction, 'create' | 'update'>;

/**
 * When the answer to a deploy submission was lost (the connection dropped, the worker died before the id was
 * saved), Backtrack cannot ask Salesforce about the deploy by id. It reads the org instead: each component is
 * compared with what the deploy would have put there and with what the backup found before.
 */
export interface LostDeployComponent {
  /** What the org had before (null: it did not exist). */
  before: string | null;
  /** What the deploy puts there: the revision's fingerprint. */
  planned: string;
  /** What the org has now (null: it does not exist). */
  live: string | null;
}

export type LostComponentVerdict = 'applied' | 'notApplied' | 'unknown';

export function lostComponentVerdict(c: LostDeployComponent): LostComponentVerdict {
  if (c.live === c.planned) return c.before === c.planned ? 'notApplied' : 'applied';
  if (c.live === c.before) return 'notApplied';
  return 'unknown';
}

export interface LostDeployVerdict {
  /** applied: the org shows the deploy; none: no component changed (yet); mixed: some did, some did not. */
  overall: 'applied' | 'none' | 'mixed';
  verdicts: LostComponentVerdict[];
}

/** One verdict per component and for the whole deploy (a component that already held the revision counts for both). */
export function lostDeployVerdict(components: LostDeployComponent[]): LostDeployVerdict {
  const verdicts = components.map(lostComponentVerdict);
  const changed = components.filter(
    (c, i) => verdicts[i] === 'applied' || (verdicts[i] === 'notApplied' && c.before === c.planned),
  );
  const applied = verdicts.filter((v) => v === 'applied').length;
  if (applied === 0) return { overall: 'none', verdicts };
  return { overall: changed.length === components.length ? 'applied' : 'mixed', verdicts };
}

/**
 * What the snapshot records for a component of a deploy whose outcome was read from the org. A component the org
 * shows unchanged while nothing of the deploy is visible may still be changed by it (the deploy can be queued in
 * Salesforce): it keeps the planned action so that it stays rollbackable; the rollback's drift check protects it.
 */
export function inferredDeployAction(
  verdict: LostComponentVerdict,
  overall: LostDeployVerdict['overall'],
  existedBefore: boolean,
): DeployAction | 'unchanged' {
  const planned: DeployAction = existedBefore ? 'update' : 'create';
  if (verdict === 'applied' || verdict === 'unknown') return planned;
  return overall === 'none' ? planned : 'unchanged';
}

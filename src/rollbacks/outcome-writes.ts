import type { ComponentRow } from '../jobs/job-handler.js';
import type { MemberRef } from '../salesforce/component.types.js';

export interface OutcomeWrites {
  /** Every other Pending row of the job becomes Succeeded in one statement; null: none is settled so. */
  settleExcept: MemberRef[] | null;
  /** Rows written one by one. */
  oneByOne: ComponentRow[];
}

/**
 * How a rollback's outcome rows are written. The components that ended as planned (Succeeded, nothing to say) are
 * settled in one statement, every Pending row but those written one by one and those still to be done (`stillPending`:
 * flows, put back through their versions after the deploy). A resumed attempt may not have written its Pending
 * rows, and a failed deploy has no plain success: then every row is written one by one.
 */
export function outcomeWrites(
  rows: ComponentRow[],
  options: { success: boolean; resumed: boolean; stillPending: MemberRef[] },
): OutcomeWrites {
  if (!options.success || options.resumed) return { settleExcept: null, oneByOne: rows };
  const oneByOne = rows.filter((r) => r.status !== 'Succeeded' || r.problem);
  return { settleExcept: [...oneByOne, ...options.stillPending], oneByOne };
}

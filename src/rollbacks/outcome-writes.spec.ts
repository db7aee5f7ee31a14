import { describe, it, expect } from '@jest/globals';
import type { ComponentRow } from '../jobs/job-handler.js';
import { outcomeWrites } from './outcome-writes.js';

const row = (fullName: string, extra: Partial<ComponentRow> = {}): ComponentRow => ({
  type: 'ApexClass',
  fullName,
  parentType: null,
  parentFullName: null,
  action: 'restore',
  status: 'Succeeded',
  ...extra,
});
const flow = { type: 'Flow', fullName: 'Order_Flow' };

describe('outcomeWrites', () => {
  const rows = [
    row('A'),
    row('B', { status: 'Failed', problem: 'Variable does not exist: x', problemType: 'Error', lineNumber: 3 }),
    row('C', { action: 'delete', problem: 'Already gone from the org', problemType: 'Warning' }),
    row('D'),
  ];

  it('settles the plain successes in one statement, leaving out the rows written one by one and the flows still to do', () => {
    const writes = outcomeWrites(rows, { success: true, resumed: false, stillPending: [flow] });
    expect(writes.oneByOne.map((r) => r.fullName)).toEqual(['B', 'C']);
    expect(writes.settleExcept?.map((r) => r.fullName)).toEqual(['B', 'C', 'Order_Flow']);
  });

  it('writes every row one by one on a resumed attempt, whose Pending rows may be missing', () => {
    expect(outcomeWrites(rows, { success: true, resumed: true, stillPending: [flow] })).toEqual({
      settleExcept: null,
      oneByOne: rows,
    });
  });

  it('writes every row one by one when the deploy failed', () => {
    const failed = rows.map((r) => ({ ...r, status: 'Skipped' as const }));
    expect(outcomeWrites(failed, { success: false, resumed: false, stillPending: [] })).toEqual({
      settleExcept: null,
      oneByOne: failed,
    });
  });
});

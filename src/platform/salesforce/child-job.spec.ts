import { describe, expect, it } from '@jest/globals';
import { childJobVerdict, type ChildJobFacts } from './child-job.js';

const job = (facts: Partial<ChildJobFacts>): ChildJobFacts => ({
  id: 'j1',
  kind: 'Deploy',
  status: 'Queued',
  error: null,
  ...facts,
});

describe('childJobVerdict: a salesforce stage follows its child job', () => {
  it('waits while the job is Queued, naming it', () => {
    expect(childJobVerdict(job({}))).toEqual({ kind: 'wait', reason: 'Deploy job j1 is Queued.' });
  });

  it('waits while the job is In Progress, with its phase when it says more', () => {
    expect(childJobVerdict(job({ status: 'In Progress', phase: 'Backup' }))).toEqual({
      kind: 'wait',
      reason: 'Deploy job j1 is In Progress (Backup).',
    });
    expect(childJobVerdict(job({ status: 'In Progress', phase: 'In Progress' }))).toEqual({
      kind: 'wait',
      reason: 'Deploy job j1 is In Progress.',
    });
  });

  it('is done once the job is Completed', () => {
    expect(childJobVerdict(job({ status: 'Completed' }))).toEqual({ kind: 'done' });
  });

  it("fails with the job's own sentence when it ended in Exception", () => {
    expect(
      childJobVerdict(job({ kind: 'Rollback', status: 'Exception', error: 'Refused: 1 component(s) changed.' })),
    ).toEqual({ kind: 'failed', error: 'Rollback job j1 ended in Exception: Refused: 1 component(s) changed.' });
  });

  it('says where to look when the failed job gave no sentence', () => {
    expect(childJobVerdict(job({ status: 'Exception' }))).toEqual({
      kind: 'failed',
      error: 'Deploy job j1 ended in Exception: it gave no reason; see its log.',
    });
  });
});

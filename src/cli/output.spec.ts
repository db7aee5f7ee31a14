import { describe, it, expect } from '@jest/globals';
import type { Job } from './job.types.js';
import {
  describeOutcome,
  describeProblem,
  describeProgress,
  exitCodeForJob,
  formatComponents,
  formatLogLine,
  formatTable,
  ProgressDisplay,
} from './output.js';

const job = (over: Partial<Job> = {}): Job => ({
  id: '2e20a3ca-b17c-4686-b595-289462ad48be',
  kind: 'Deploy',
  status: 'In Progress',
  revision: 1,
  createdAt: '2025-01-31T10:00:00.000Z',
  startedAt: '2025-01-31T10:00:01.000Z',
  finishedAt: null,
  progress: { phase: 'Deploying (InProgress)', componentsDone: 3, componentsTotal: 11, percent: 27 },
  counts: {},
  error: null,
  ...over,
});

describe('exitCodeForJob', () => {
  it('is 1 for Exception and 0 otherwise', () => {
    expect(exitCodeForJob({ status: 'Exception' })).toBe(1);
    expect(exitCodeForJob({ status: 'Completed' })).toBe(0);
  });
});

describe('describeProgress', () => {
  it('names the job, its status, phase and component count', () => {
    expect(describeProgress(job())).toBe(
      'Deploy 2e20a3ca In Progress · Deploying (InProgress) · 3/11 components (27%)',
    );
  });

  it('leaves out a phase equal to the status and an unknown total', () => {
    expect(
      describeProgress(
        job({ status: 'Queued', progress: { phase: 'Queued', componentsDone: 0, componentsTotal: 0, percent: 0 } }),
      ),
    ).toBe('Deploy 2e20a3ca Queued');
  });
});

describe('describeOutcome', () => {
  it('gives duration, non-zero counts, the error and the job page', () => {
    const text = describeOutcome(
      job({
        status: 'Exception',
        finishedAt: '2025-01-31T10:00:04.000Z',
        counts: { total: 2, failed: 1, created: 1, updated: 0 },
        error: 'The deploy failed.',
      }),
      'http://bt.example:3000/',
    );
    expect(text).toBe(
      'Deploy 2e20a3ca-b17c-4686-b595-289462ad48be Exception in 3 s: 1 failed, 1 created.\nError: The deploy failed.\nDetails: http://bt.example:3000/#/jobs/2e20a3ca-b17c-4686-b595-289462ad48be',
    );
  });
});

describe('formatTable', () => {
  it('pads every column but the last to its widest cell', () => {
    expect(
      formatTable(
        ['A', 'BB', 'C'],
        [
          ['xxx', 'y', ''],
          ['z', 'w', 'long'],
        ],
      ),
    ).toBe('A    BB  C\nxxx  y\nz    w   long');
  });
});

describe('describeProblem and formatComponents', () => {
  it('puts line and column before the problem', () => {
    expect(describeProblem({ problem: 'Unexpected token', lineNumber: 3, columnNumber: 5 })).toBe(
      'line 3:5 Unexpected token',
    );
    expect(describeProblem({ problem: 'No access', lineNumber: null, columnNumber: null })).toBe('No access');
    expect(describeProblem({ problem: null, lineNumber: null, columnNumber: null })).toBe('');
  });

  it('lists type, name, action, status and problem, or says there is nothing', () => {
    const rows = [
      {
        type: 'ApexClass',
        fullName: 'Foo',
        action: 'update',
        status: 'Failed',
        problem: 'Boom',
        lineNumber: 2,
        columnNumber: null,
      },
    ];
    expect(formatComponents(rows)).toBe(
      'TYPE       NAME  ACTION  STATUS  PROBLEM\nApexClass  Foo   update  Failed  line 2 Boom',
    );
    expect(formatComponents([])).toBe('No component results.');
  });
});

describe('formatLogLine', () => {
  it('prints time, level, component and message', () => {
    expect(
      formatLogLine({
        seq: 1,
        at: '2025-01-31T10:00:00.000Z',
        level: 'warn',
        component: 'ApexClass:Foo',
        message: 'Skipped',
      }),
    ).toBe('2025-01-31T10:00:00.000Z  WARN   ApexClass:Foo  Skipped');
    expect(
      formatLogLine({ seq: 2, at: '2025-01-31T10:00:00.000Z', level: 'info', component: null, message: 'Started' }),
    ).toBe('2025-01-31T10:00:00.000Z  INFO   Started');
  });
});

describe('ProgressDisplay', () => {
  const sink = (isTTY: boolean) => {
    const written: string[] = [];
    return { out: { isTTY, write: (t: string) => written.push(t) }, written };
  };

  it('rewrites one line on a terminal and ends it when done', () => {
    const { out, written } = sink(true);
    const display = new ProgressDisplay(out);
    display.update(job());
    display.update(job());
    display.update(
      job({
        status: 'Completed',
        progress: { phase: 'Completed', componentsDone: 11, componentsTotal: 11, percent: 100 },
      }),
    );
    display.finish();
    expect(written).toEqual([
      '\r\x1b[2KDeploy 2e20a3ca In Progress · Deploying (InProgress) · 3/11 components (27%)',
      '\r\x1b[2KDeploy 2e20a3ca Completed · 11/11 components (100%)',
      '\n',
    ]);
  });

  it('writes a timestamped line per change when the output is a log', () => {
    const { out, written } = sink(false);
    const display = new ProgressDisplay(out, () => new Date('2025-01-31T10:00:00.000Z'));
    display.update(job());
    display.update(job());
    display.finish();
    expect(written).toEqual([
      '2025-01-31T10:00:00.000Z Deploy 2e20a3ca In Progress · Deploying (InProgress) · 3/11 components (27%)\n',
    ]);
  });
});

import { describe, it, expect } from '@jest/globals';
import {
  describeExecutionOutcome,
  describeExecutionProgress,
  formatExecutionLogLine,
  formatStages,
} from './execution-output.js';
import type { Execution, ExecutionStage } from './execution.types.js';

const stage = (over: Partial<ExecutionStage> = {}): ExecutionStage => ({
  id: 's1',
  position: 0,
  name: 'checkout',
  kind: 'kubernetes',
  service: { id: 'svc1', name: 'checkout' },
  infrastructure: { id: 'i1', name: 'Local Cluster', environment: 'dev', kind: 'kubernetes' },
  status: 'Completed',
  failureStrategy: 'fail',
  artifact: 'nginx:1.27',
  outputs: {},
  error: null,
  childJobId: null,
  startedAt: '2025-01-31T10:00:01.000Z',
  finishedAt: '2025-01-31T10:00:05.000Z',
  ...over,
});
const execution = (over: Partial<Execution> = {}): Execution => ({
  id: '2e20a3ca-b17c-4686-b595-289462ad48be',
  kind: 'Deploy',
  status: 'In Progress',
  pipeline: { id: 'p1', name: 'shop', version: 2 },
  artifacts: { checkout: 'nginx:1.27' },
  executionId: null,
  rollbackJobId: null,
  createdBy: 'ci',
  createdAt: '2025-01-31T10:00:00.000Z',
  startedAt: '2025-01-31T10:00:01.000Z',
  finishedAt: null,
  error: null,
  version: 3,
  stages: [
    stage(),
    stage({ name: 'db', status: 'In Progress', finishedAt: null }),
    stage({ name: 'web', status: 'Queued' }),
  ],
  ...over,
});

describe('describeExecutionProgress', () => {
  it('names the execution, its status, the stages done and the one running', () => {
    expect(describeExecutionProgress(execution())).toBe('Deploy 2e20a3ca In Progress · 1/3 stages · db In Progress');
  });

  it('counts skipped and failed stages as done, and leaves out what is not there', () => {
    const done = execution({
      status: 'Exception',
      stages: [stage({ status: 'Exception' }), stage({ name: 'db', status: 'Skipped' })],
    });
    expect(describeExecutionProgress(done)).toBe('Deploy 2e20a3ca Exception · 2/2 stages');
    expect(describeExecutionProgress(execution({ status: 'Queued', stages: [] }))).toBe('Deploy 2e20a3ca Queued');
  });
});

describe('describeExecutionOutcome', () => {
  it('gives pipeline, version, duration, artifacts, the error and the execution page', () => {
    const text = describeExecutionOutcome(
      execution({ status: 'Exception', finishedAt: '2025-01-31T10:00:04.000Z', error: 'Stage db failed.' }),
      'http://bt.example:3000/',
    );
    expect(text).toBe(
      'Deploy 2e20a3ca-b17c-4686-b595-289462ad48be of pipeline shop v2 Exception in 3 s (checkout=nginx:1.27).\n' +
        'Error: Stage db failed.\n' +
        'Details: http://bt.example:3000/#/executions/2e20a3ca-b17c-4686-b595-289462ad48be',
    );
  });

  it('says which execution a rollback rolls back, and which rollback a deploy had', () => {
    const rollback = describeExecutionOutcome(
      execution({ kind: 'Rollback', executionId: 'e-old', artifacts: {} }),
      'http://bt',
    );
    expect(rollback.split('\n').slice(0, 2)).toEqual([
      'Rollback 2e20a3ca-b17c-4686-b595-289462ad48be of pipeline shop v2 In Progress.',
      'Rolls back: e-old',
    ]);
    expect(describeExecutionOutcome(execution({ rollbackJobId: 'r1' }), 'http://bt')).toMatch(/^Rolled back by: r1$/m);
  });

  it('names the release a deployment deploys, and says when it redeployed it as a rollback', () => {
    const deployed = execution({ release: { id: 'rel1', version: '1.1.21', mode: 'deploy' } });
    expect(describeExecutionOutcome(deployed, 'http://bt').split('\n')[1]).toBe('Release: 1.1.21');
    const redeployed = execution({ release: { id: 'rel0', version: '1.1.20', mode: 'rollback' } });
    expect(describeExecutionOutcome(redeployed, 'http://bt').split('\n')[1]).toBe(
      'Release: 1.1.20 (redeployed as a rollback)',
    );
    expect(describeExecutionOutcome(execution({ release: null }), 'http://bt')).not.toMatch(/Release:/);
  });
});

describe('formatStages', () => {
  it('lists each stage with where it ran, its status, artifact, time and what went wrong', () => {
    const text = formatStages([
      stage(),
      stage({
        name: 'org',
        kind: 'salesforce',
        service: null,
        infrastructure: { id: 'i2', name: 'Local Sandbox', environment: 'uat', kind: 'salesforce' },
        status: 'Exception',
        failureStrategy: 'ignore',
        artifact: null,
        error: 'Deploy failed.',
        childJobId: 'j9',
        startedAt: null,
        finishedAt: null,
      }),
    ]);
    expect(text.split('\n')).toEqual([
      'STAGE     KIND        SERVICE   INFRASTRUCTURE       STATUS     ARTIFACT    TIME  DETAILS',
      'checkout  kubernetes  checkout  Local Cluster (dev)  Completed  nginx:1.27  4 s',
      'org       salesforce  —         Local Sandbox (uat)  Exception  —                 ignored; Deploy failed.; job j9',
    ]);
    expect(formatStages([])).toBe('No stages.');
  });
});

describe('formatExecutionLogLine', () => {
  it('prints time, level, stage and message', () => {
    expect(
      formatExecutionLogLine({
        seq: 1,
        at: '2025-01-31T10:00:00.000Z',
        level: 'info',
        stage: 'checkout',
        message: 'Applied',
      }),
    ).toBe('2025-01-31T10:00:00.000Z  INFO   checkout  Applied');
    expect(
      formatExecutionLogLine({
        seq: 2,
        at: '2025-01-31T10:00:00.000Z',
        level: 'warn',
        stage: null,
        message: 'Started',
      }),
    ).toBe('2025-01-31T10:00:00.000Z  WARN   Started');
  });
});

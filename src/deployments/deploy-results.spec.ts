import { describe, it, expect } from '@jest/globals';
import type { DeployMessage, DeployStatus } from '../salesforce/metadata-api.gateway.js';
import {
  countOutcomes,
  deployFailureSummary,
  deployOutcomes,
  notIndexedOutcome,
  notIndexedSummary,
  outcomeLogLine,
  endedAsPlanned,
  plannedAction,
} from './deploy-results.js';
import { pollDelayMs } from '../common/polling.js';

const status = (overrides: Partial<DeployStatus>, messages: Partial<DeployMessage>[] = []): DeployStatus => ({
  id: '0Af1',
  done: true,
  status: 'Succeeded',
  success: true,
  checkOnly: false,
  numberComponentsTotal: 0,
  numberComponentsDeployed: 0,
  numberComponentErrors: 0,
  numberTestsTotal: 0,
  numberTestsCompleted: 0,
  numberTestErrors: 0,
  ...overrides,
  messages: messages.map((m) => ({
    componentType: 'ApexClass',
    fullName: 'A',
    fileName: '',
    created: false,
    changed: false,
    deleted: false,
    success: true,
    ...m,
  })),
});

const A = { type: 'ApexClass', fullName: 'A' };
const B = { type: 'ApexClass', fullName: 'B' };
const F = { type: 'CustomField', fullName: 'Obj__c.F__c' };

describe('deployOutcomes', () => {
  it('reads created, changed and unchanged from the success flags', () => {
    const out = deployOutcomes(
      [A, B, F],
      status({}, [
        { fullName: 'A', created: true },
        { fullName: 'B', changed: true },
        { componentType: 'CustomField', fullName: 'Obj__c.F__c' },
      ]),
      (ref) => ref.fullName !== 'A',
    );
    expect(out.map((o) => [o.action, o.status])).toEqual([
      ['create', 'Succeeded'],
      ['update', 'Succeeded'],
      ['unchanged', 'Succeeded'],
    ]);
  });

  it('puts the problem, line and column on the failing component and marks the rest not applied', () => {
    const out = deployOutcomes(
      [A, B],
      status({ status: 'Failed', success: false }, [
        {
          fullName: 'A',
          success: false,
          problem: "Expecting '}' but was: '<EOF>'",
          problemType: 'Error',
          lineNumber: 7,
          columnNumber: 1,
        },
        { fullName: 'B', created: true },
      ]),
      (ref) => ref.fullName === 'A',
    );
    expect(out[0]!.status).toBe('Failed');
    expect(out[0]!.action).toBe('update');
    expect(out[0]!.lineNumber).toBe(7);
    expect(out[1]!.status).toBe('Skipped');
    expect(out[1]!.problem!).toMatch(/rolled back/);
  });

  it('keeps what a partial deploy applied', () => {
    const out = deployOutcomes(
      [A, B],
      status({ status: 'SucceededPartial', success: true }, [
        { fullName: 'A', success: false, problem: 'bad', problemType: 'Error' },
        { fullName: 'B', created: true },
      ]),
      () => false,
    );
    expect(out.map((o) => o.status)).toEqual(['Failed', 'Succeeded']);
    expect(out[1]!.action).toBe('create');
  });

  it('treats a component Salesforce did not mention in a successful deploy as unchanged', () => {
    expect(deployOutcomes([A], status({}, []), () => true)[0]!.action).toBe('unchanged');
  });

  it('ignores the package.xml message with no component type', () => {
    const out = deployOutcomes(
      [A],
      status({}, [
        { componentType: '', fullName: 'package.xml' },
        { fullName: 'A', changed: true },
      ]),
      () => true,
    );
    expect(out[0]!.action).toBe('update');
  });
});

describe('helpers', () => {
  it('plans create for a component the org did not have', () => {
    expect(plannedAction(false)).toBe('create');
    expect(plannedAction(true)).toBe('update');
  });

  it('settles in one statement only the outcomes that are what the Pending row planned', () => {
    const s = status({}, [
      { fullName: 'A', changed: true },
      { fullName: 'B', created: true },
      { fullName: 'C', success: false, problem: 'boom', problemType: 'Error', lineNumber: 3, columnNumber: 2 },
    ]);
    const [a, b, c] = deployOutcomes([A, B, { type: 'ApexClass', fullName: 'C' }], s, () => true);
    expect(endedAsPlanned(a!, 'update')).toBe(true);
    // planned create (the backup did not find it) but updated: the row changes action, so it is written
    expect(endedAsPlanned(a!, 'create')).toBe(false);
    expect(endedAsPlanned(b!, 'update')).toBe(true);
    expect(endedAsPlanned(c!, 'update')).toBe(false);
    expect(endedAsPlanned({ ...a!, problem: 'a warning', problemType: 'Warning' }, 'update')).toBe(false);
    expect(endedAsPlanned({ ...a!, lineNumber: 1 }, 'update')).toBe(false);
    expect(endedAsPlanned({ ...a!, action: 'unchanged' }, 'update')).toBe(false);
    expect(endedAsPlanned({ ...a!, status: 'Skipped' }, 'update')).toBe(false);
    expect(endedAsPlanned(a!, undefined)).toBe(false);
  });

  it('summarises a failure with the first problems and their lines', () => {
    const s = status({ status: 'Failed', success: false }, [
      { fullName: 'A', success: false, problem: 'boom', problemType: 'Error', lineNumber: 3, columnNumber: 2 },
    ]);
    const summary = deployFailureSummary(
      s,
      deployOutcomes([A], s, () => true),
    );
    expect(summary).toBe('The deploy failed: 1 component(s) failed — ApexClass:A: boom (line 3:2).');
  });

  it('records what Salesforce did when the backup was not indexed, and says what is not known', () => {
    const s = status({ status: 'SucceededPartial', success: true }, [
      { fullName: 'A', created: true },
      { fullName: 'B', success: false, problem: 'boom', problemType: 'Error' },
    ]);
    const outcomes = deployOutcomes([A, B], s, () => undefined).map(notIndexedOutcome);
    expect(outcomes.map((o) => [o.status, o.problem])).toEqual([
      [
        'Succeeded',
        'Whether the org had this component before this deploy, and what it was, is not known: the backup was not indexed.',
      ],
      ['Failed', 'boom'],
    ]);
    expect(notIndexedSummary(s, outcomes, 'a defect', { jobId: 'j1', retrieves: 2 })).toBe(
      'Salesforce deployed 1 of 2 component(s) (SucceededPartial), but Backtrack could not index its backup (a defect), ' +
        'so this deploy cannot be rolled back component by component. The backup is kept as Salesforce returned it ' +
        '(GET /api/jobs/j1/snapshot/retrieved/1 to 2): a deployable package of what the org had before.',
    );
    const failed = status({ status: 'Failed', success: false });
    expect(notIndexedSummary(failed, [], 'x', { jobId: 'j1', retrieves: 1 })).toMatch(
      /^Salesforce's deploy ended Failed, 0 of 0 component\(s\) succeeded, .*\(GET \/api\/jobs\/j1\/snapshot\/retrieved\/1\):/,
    );
  });

  it('writes a log line per outcome', () => {
    const s = status({}, [{ fullName: 'A', created: true }]);
    expect(outcomeLogLine(deployOutcomes([A], s, () => false)[0]!)).toEqual({
      level: 'info',
      message: 'Deployed: created',
    });
  });

  it('counts outcomes by action and status', () => {
    const s = status({}, [{ fullName: 'A', created: true }, { fullName: 'B' }]);
    expect(countOutcomes(deployOutcomes([A, B], s, (ref) => ref.fullName !== 'A'))).toEqual({
      total: 2,
      created: 1,
      updated: 0,
      deleted: 0,
      unchanged: 1,
      failed: 0,
      skipped: 0,
    });
  });

  it('backs off polling up to the ceiling', () => {
    expect(pollDelayMs(0, 5000)).toBe(100);
    expect(pollDelayMs(1, 5000)).toBe(125);
    expect(pollDelayMs(4, 5000)).toBe(244);
    expect(pollDelayMs(3, 5000) > pollDelayMs(2, 5000)).toBeTruthy();
    expect(pollDelayMs(30, 5000)).toBe(5000);
  });
});

import { describe, it, expect } from '@jest/globals';
import {
  SalesforceApiError,
  SalesforceAuthError,
  SalesforceUnavailableError,
} from '../salesforce/metadata-api.gateway.js';
import { classifyFault, decideFault, type FaultFacts } from './fault-decision.js';

const facts = (o: Partial<FaultFacts>): FaultFacts => ({
  kind: 'transient',
  message: 'Salesforce could not be reached.',
  reachedSalesforce: false,
  elapsedMs: 1_000,
  deadlineMs: 60_000,
  ...o,
});

describe('classifyFault', () => {
  it('finds the gateway error behind a wrapping error', () => {
    expect(
      classifyFault(
        Object.assign(new Error('Cannot reach the org'), { cause: new SalesforceUnavailableError('down') }),
      ),
    ).toBe('transient');
    expect(classifyFault(new SalesforceAuthError('expired'))).toBe('credentials');
    expect(classifyFault(new SalesforceApiError('INVALID_ID_FIELD', 'bad id'))).toBe('other');
    expect(classifyFault('a string')).toBe('other');
  });

  it('treats a PostgreSQL connection that went away as a passing fault', () => {
    const queryFailed = Object.assign(new Error('terminating connection due to administrator command'), {
      driverError: { code: '57P01' },
    });
    expect(classifyFault(queryFailed)).toBe('transient');
    expect(classifyFault(new Error('Connection terminated unexpectedly'))).toBe('transient');
  });
});

describe('decideFault', () => {
  it('waits on a passing fault while a submitted deploy may be running', () => {
    const d = decideFault(facts({ reachedSalesforce: true, elapsedMs: 10 * 60_000 }));
    expect(d.action).toBe('retry');
  });

  it('retries a passing fault before submission until the deadline, then fails saying nothing was deployed', () => {
    expect(decideFault(facts({})).action).toBe('retry');
    const d = decideFault(facts({ elapsedMs: 61_000 }));
    expect(d).toEqual({ action: 'fail', error: expect.stringMatching(/Nothing was deployed/) });
  });

  it('waits for new credentials when the deploy was submitted', () => {
    const d = decideFault(facts({ kind: 'credentials', reachedSalesforce: true }));
    expect(d.action).toBe('retry');
    expect(d.action === 'retry' && d.log).toMatch(/resumes once the org's credentials work/);
  });

  it('fails on refused credentials before submission, saying nothing was deployed', () => {
    expect(decideFault(facts({ kind: 'credentials' }))).toEqual({
      action: 'fail',
      error: expect.stringMatching(/Nothing was deployed/),
    });
  });

  it('fails on an unexpected error', () => {
    expect(decideFault(facts({ kind: 'other', message: 'boom' }))).toEqual({
      action: 'fail',
      error: 'Unexpected error: boom',
    });
  });
});

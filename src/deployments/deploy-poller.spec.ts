import { describe, expect, it } from '@jest/globals';
import type { DeployMessage, DeployStatus, MetadataSession } from '../salesforce/metadata-api.gateway.js';
import { pollDeploy } from './deploy-poller.js';

const status = (done: boolean, messages: DeployMessage[] = []): DeployStatus => ({
  id: '0Af1',
  done,
  status: done ? 'Succeeded' : 'InProgress',
  success: done,
  checkOnly: false,
  numberComponentsTotal: 2,
  numberComponentsDeployed: done ? 2 : 1,
  numberComponentErrors: 0,
  numberTestsTotal: 0,
  numberTestsCompleted: 0,
  numberTestErrors: 0,
  messages,
});

const result: DeployMessage = {
  componentType: 'ApexClass',
  fullName: 'A',
  fileName: 'classes/A.cls',
  created: false,
  changed: true,
  deleted: false,
  success: true,
};

/** A session whose deploy is done at the `doneAt`-th counts-only poll; every call is recorded in `events`. */
function sessionDoneAt(doneAt: number, events: string[]): MetadataSession {
  let polls = 0;
  return {
    checkDeploy: async (_id: string, options?: { details?: boolean }) => {
      if (options?.details !== false) {
        events.push('details');
        return status(true, [result]);
      }
      events.push('counts');
      return status(++polls >= doneAt);
    },
  } as unknown as MetadataSession;
}

describe('pollDeploy', () => {
  it('polls counts only, tells the verdict before fetching the per-component results, and returns those', async () => {
    const events: string[] = [];
    const final = await pollDeploy(sessionDoneAt(3, events), '0Af1', {
      signal: new AbortController().signal,
      ceilingMs: 1,
      onStatus: async (s) => void events.push(`status ${s.status}`),
      onDone: (s) => events.push(`done ${s.status}, ${s.messages.length} result(s)`),
    });
    expect(events).toEqual([
      'counts',
      'status InProgress',
      'counts',
      'status InProgress',
      'counts',
      'status Succeeded',
      'done Succeeded, 0 result(s)',
      'details',
    ]);
    expect(final.messages).toEqual([result]);
  });

  it('fails when the results cannot be fetched, after telling the verdict', async () => {
    const events: string[] = [];
    const session = {
      checkDeploy: async (_id: string, options?: { details?: boolean }) => {
        if (options?.details === false) return status(true);
        throw new Error('socket hang up');
      },
    } as unknown as MetadataSession;
    await expect(
      pollDeploy(session, '0Af1', {
        signal: new AbortController().signal,
        ceilingMs: 1,
        onStatus: async () => undefined,
        onDone: (s) => events.push(`done ${s.status}`),
      }),
    ).rejects.toThrow('socket hang up');
    expect(events).toEqual(['done Succeeded']);
  });
});

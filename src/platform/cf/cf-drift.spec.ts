import { describe, expect, it } from '@jest/globals';
import { driftSentences } from './cf-drift.js';

const left = { dropletGuid: 'd2', revisionGuid: 'r2', revisionVersion: 2 };
const live = (over: object = {}) => ({
  name: 'web',
  state: 'STARTED',
  dropletGuid: 'd2',
  deployedRevisions: [{ guid: 'r2', version: 2 }],
  ...over,
});

describe('driftSentences', () => {
  it('says nothing when the app runs what the stage left', () => {
    expect(driftSentences(live(), left)).toEqual([]);
  });

  it('names another droplet and another revision', () => {
    expect(driftSentences(live({ dropletGuid: 'd3', deployedRevisions: [{ guid: 'r3', version: 3 }] }), left)).toEqual([
      "App web's current droplet is d3, not the droplet d2 the stage deployed.",
      'App web runs revision 3, not revision 2 the stage left.',
    ]);
  });

  it('names a stopped app', () => {
    expect(driftSentences(live({ state: 'STOPPED', deployedRevisions: [] }), left)).toEqual([
      'App web is STOPPED; the stage left it running.',
    ]);
  });

  it('for a stopped app left stopped: drift only when it runs again', () => {
    const stopped = { ...left, stopped: true };
    expect(driftSentences(live({ state: 'STOPPED' }), stopped)).toEqual([]);
    expect(driftSentences(live(), stopped)).toEqual(['App web was started again after the stage stopped it.']);
  });
});

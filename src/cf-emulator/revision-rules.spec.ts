import { describe, expect, it } from '@jest/globals';
import { nextVersion, revisionForDroplet, revisionForRollback, ROLLBACK_SAME_AS_DEPLOYED } from './revision-rules.js';

const r1 = { guid: 'r1', version: 1, dropletGuid: 'd1' };
const r2 = { guid: 'r2', version: 2, dropletGuid: 'd2' };

describe('revisionForDroplet', () => {
  it('starts with an initial revision', () => {
    expect(revisionForDroplet(undefined, 'd1')).toEqual({
      kind: 'create',
      version: 1,
      description: 'Initial revision.',
    });
  });

  it('makes a new revision for a new droplet and reuses the latest for the same one', () => {
    expect(revisionForDroplet(r1, 'd2')).toEqual({ kind: 'create', version: 2, description: 'New droplet deployed.' });
    expect(revisionForDroplet(r1, 'd1')).toEqual({ kind: 'reuse', guid: 'r1' });
  });
});

describe('revisionForRollback', () => {
  it('creates the next version saying which revision it rolled back to', () => {
    expect(revisionForRollback(r2, r2, r1)).toEqual({
      kind: 'create',
      version: 3,
      description: 'New droplet deployed. Rolled back to revision 1.',
    });
  });

  it('refuses to roll back to what is deployed', () => {
    expect(revisionForRollback(r2, r2, { ...r2, guid: 'r9', version: 9 })).toBe(ROLLBACK_SAME_AS_DEPLOYED);
  });
});

describe('nextVersion', () => {
  it('wraps from 9999 to 1', () => {
    expect(nextVersion(41)).toBe(42);
    expect(nextVersion(9999)).toBe(1);
  });
});

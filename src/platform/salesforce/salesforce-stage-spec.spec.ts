import { describe, expect, it } from '@jest/globals';
import { thrownBy } from '../../../test/helpers/thrown.js';
import { StageFailed } from '../provider.js';
import { parseSalesforceSpec, salesforceArtifact, specRevision, targetOrgId } from './salesforce-stage-spec.js';

describe('parseSalesforceSpec', () => {
  it('takes a branch alone, or with a revision and test options', () => {
    expect(parseSalesforceSpec({ branch: ' release ' })).toEqual({ branch: 'release' });
    expect(
      parseSalesforceSpec({ branch: 'release', revision: 3, testLevel: 'RunSpecifiedTests', runTests: ['ATest'] }),
    ).toEqual({ branch: 'release', revision: 3, testLevel: 'RunSpecifiedTests', runTests: ['ATest'] });
  });

  it('keeps a revision expression for the engine to resolve, and a resolved one as digits', () => {
    expect(parseSalesforceSpec({ branch: 'b', revision: '<+stages.db.output.revision>' }).revision).toBe(
      '<+stages.db.output.revision>',
    );
    expect(parseSalesforceSpec({ branch: 'b', revision: '12' }).revision).toBe('12');
  });

  it.each([
    [{}, /branch: is required/],
    [{ branch: '' }, /branch: /],
    [{ branch: 'b', revision: 0 }, /revision: /],
    [{ branch: 'b', revision: 'latest' }, /revision: must be a revision number/],
    [{ branch: 'b', testLevel: 'Sometimes' }, /testLevel: must be one of/],
    [{ branch: 'b', testLevel: 'RunSpecifiedTests' }, /runTests: testLevel RunSpecifiedTests needs runTests/],
    [{ branch: 'b', org: 'x' }, /unknown field\(s\) org/],
  ])('refuses %j with a 400 naming the field', (spec, message) => {
    const error = thrownBy(() => parseSalesforceSpec(spec)) as { status: number; message: string };
    expect(error.status).toBe(400);
    expect(error.message).toMatch(/^Invalid salesforce stage spec: /);
    expect(error.message).toMatch(message);
  });
});

describe('specRevision', () => {
  it('is the number, the digits as a number, or undefined for the latest', () => {
    expect(specRevision({ branch: 'b', revision: 4 })).toBe(4);
    expect(specRevision({ branch: 'b', revision: '7' })).toBe(7);
    expect(specRevision({ branch: 'b' })).toBeUndefined();
  });

  it('fails the stage on an expression left unresolved', () => {
    const error = thrownBy(() => specRevision({ branch: 'b', revision: '<+stages.db.output.revision>' }));
    expect(error).toBeInstanceOf(StageFailed);
    expect((error as Error).message).toMatch(/<\+stages\.db\.output\.revision> was not resolved/);
  });
});

describe('salesforceArtifact and targetOrgId', () => {
  it('names the branch and its revision, or latest', () => {
    expect(salesforceArtifact({ branch: 'release', revision: 3 })).toBe('release@r3');
    expect(salesforceArtifact({ branch: 'release' })).toBe('release@latest');
  });

  it('reads the org from the connection, and fails a stage whose infrastructure is not an org', () => {
    expect(targetOrgId({ name: 'Local Sandbox', connection: { orgId: 'o1' } })).toBe('o1');
    const error = thrownBy(() => targetOrgId({ name: 'Local Cluster', connection: { server: 'http://x' } }));
    expect(error).toBeInstanceOf(StageFailed);
    expect((error as Error).message).toBe(
      'The infrastructure "Local Cluster" is not an org\'s: its connection names no orgId.',
    );
  });
});

import { describe, expect, it } from '@jest/globals';
import { artifactName, stepLabels, stepSelector } from './cf-records.js';

const JOB = '5f0c1a52-9e1b-4a7e-8d51-0d6f7e6b1a01';
const STAGE = '8a2b3c4d-1111-4222-8333-944455556666';

describe('stepLabels and stepSelector', () => {
  it('labels what a call creates with its job and stage', () => {
    expect(stepLabels(JOB, STAGE)).toEqual({ 'backtrack.dev/job': JOB, 'backtrack.dev/stage': STAGE });
  });

  it('selects on both labels, URL-encoded', () => {
    expect(decodeURIComponent(stepSelector(JOB, STAGE))).toBe(`backtrack.dev/job=${JOB},backtrack.dev/stage=${STAGE}`);
    expect(stepSelector(JOB, STAGE)).not.toContain(',');
  });

  it('refuses a value CF would refuse as a label', () => {
    expect(() => stepLabels('has space', STAGE)).toThrow('cannot be a CF label value');
  });
});

describe('artifactName', () => {
  it('joins the package and version', () => {
    expect(artifactName('shop', '1.2.0')).toBe('shop@1.2.0');
  });
});

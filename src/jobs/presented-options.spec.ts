import { describe, expect, it } from '@jest/globals';
import type { Job } from './job.entity.js';
import { presentedOptions } from './jobs.service.js';

const components = [
  { type: 'ApexClass', fullName: 'Alpha' },
  { type: 'CustomField', fullName: 'Account.Tier__c' },
];
const job = (kind: Job['kind'], options: Record<string, unknown>, pipelineId: string | null = null) => ({
  kind,
  pipelineId,
  options,
});

describe('presentedOptions', () => {
  it('shows a rollback of everything as asked, without the components its worker expanded it to', () => {
    expect(presentedOptions(job('Rollback', { components, all: true, checkOnly: false, force: true }))).toEqual({
      all: true,
      checkOnly: false,
      force: true,
    });
  });

  it('keeps the components a rollback was asked for by name', () => {
    const options = { components, all: false, checkOnly: false, force: false };
    expect(presentedOptions(job('Rollback', options))).toEqual(options);
  });

  it("leaves deploys' and pipelines' options as they are", () => {
    expect(presentedOptions(job('Deploy', { components, all: true }))).toEqual({ components, all: true });
    const pipeline = { all: true, components: ['web'], force: false };
    expect(presentedOptions(job('Rollback', pipeline, 'p1'))).toEqual(pipeline);
  });
});

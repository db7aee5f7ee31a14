import { describe, expect, it } from '@jest/globals';
import { AppError } from '../../common/errors.js';
import { parseAsgSpec, templateRef } from './asg-spec.js';

function refusal(parse: () => unknown): string {
  try {
    parse();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).status).toBe(400);
    return (error as AppError).message;
  }
  throw new Error('accepted');
}

const base = { autoScalingGroupName: 'web', launchTemplate: 'web-template', amiId: 'ami-0123456789abcdef0' };

describe('parseAsgSpec', () => {
  it('defaults to the basic strategy, one phase, MinHealthyPercentage 90', () => {
    expect(parseAsgSpec(base)).toEqual({
      ...base,
      strategy: 'basic',
      phases: [100],
      minHealthyPercentage: 90,
      phaseTimeoutSeconds: 900,
    });
  });

  it('takes canary phases as increasing cumulative percentages ending with 100', () => {
    expect(parseAsgSpec({ ...base, strategy: 'canary', phases: [10, 35, 60, 100] }).phases).toEqual([10, 35, 60, 100]);
    expect(refusal(() => parseAsgSpec({ ...base, strategy: 'canary' }))).toContain('phases: is required');
    expect(refusal(() => parseAsgSpec({ ...base, strategy: 'canary', phases: [50, 40, 100] }))).toContain(
      'phases: must increase',
    );
    expect(refusal(() => parseAsgSpec({ ...base, strategy: 'canary', phases: [50, 90] }))).toContain(
      'phases: must end with 100',
    );
    expect(refusal(() => parseAsgSpec({ ...base, phases: [100] }))).toContain('phases: is only for strategy "canary"');
  });

  it('accepts an expression where the AMI goes, and names each bad field', () => {
    expect(parseAsgSpec({ ...base, amiId: '<+artifact.image>' }).amiId).toBe('<+artifact.image>');
    expect(refusal(() => parseAsgSpec({ ...base, amiId: 'nginx:1.27' }))).toContain('amiId: must be an AMI id');
    expect(refusal(() => parseAsgSpec({ ...base, autoScalingGroupName: '' }))).toContain('autoScalingGroupName');
    expect(refusal(() => parseAsgSpec({ ...base, strategy: 'blue-green' }))).toContain('strategy: must be one of');
    expect(refusal(() => parseAsgSpec({ ...base, minHealthyPercentage: 120 }))).toContain('minHealthyPercentage');
    expect(refusal(() => parseAsgSpec({ ...base, extra: 1 }))).toContain('unknown field(s) extra');
  });

  it('names a launch template by id when it looks like one', () => {
    expect(templateRef('lt-0abc123')).toEqual({ LaunchTemplateId: 'lt-0abc123' });
    expect(templateRef('web-template')).toEqual({ LaunchTemplateName: 'web-template' });
  });
});

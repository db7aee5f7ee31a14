import { describe, expect, it } from '@jest/globals';
import { driftSentences, versionKey, type DriftBasis } from './drift.js';
import type { GroupInstance, GroupState } from './phase-plan.js';

const basis: DriftBasis = {
  autoScalingGroupName: 'web',
  left: { launchTemplateId: 'lt-1', version: '3' },
  amis: ['ami-00000003', 'ami-00000002'],
};

const amiOf = new Map([
  [versionKey({ launchTemplateId: 'lt-1', version: '2' }), 'ami-00000002'],
  [versionKey({ launchTemplateId: 'lt-1', version: '3' }), 'ami-00000003'],
  [versionKey({ launchTemplateId: 'lt-1', version: '4' }), 'ami-00000004'],
]);

const instance = (id: string, version: string, lifecycleState = 'InService'): GroupInstance => ({
  instanceId: id,
  lifecycleState,
  healthy: true,
  launchTemplateId: 'lt-1',
  version,
});

const group = (version: string, instances: GroupInstance[]): GroupState => ({
  name: 'web',
  launchTemplate: { launchTemplateId: 'lt-1', launchTemplateName: 'web', version },
  desiredCapacity: instances.length,
  instances,
});

describe('driftSentences', () => {
  it('says nothing when the group is on the version the stage left and runs only the two AMIs', () => {
    expect(driftSentences(basis, group('3', [instance('i-1', '3'), instance('i-2', '2')]), '3', amiOf)).toEqual([]);
  });

  it('names another launch template version on the group', () => {
    expect(driftSentences(basis, group('4', [instance('i-1', '3')]), '4', amiOf)).toEqual([
      'Auto Scaling group web uses launch template lt-1 version 4, not version 3 of lt-1 as the stage left it',
    ]);
  });

  it('compares the resolved version when the group says $Latest', () => {
    expect(driftSentences(basis, group('$Latest', [instance('i-1', '3')]), '3', amiOf)).toEqual([]);
  });

  it('counts the instances running an AMI neither the deploy nor the captured version used', () => {
    const live = group('3', [
      instance('i-1', '4'),
      instance('i-2', '4'),
      instance('i-3', '9'),
      instance('i-4', '4', 'Terminating'),
    ]);
    expect(driftSentences(basis, live, '3', amiOf)).toEqual([
      '2 instances of web run ami-00000004, which neither the deploy nor the version captured before it used',
      '1 instance of web runs an unknown AMI (launch template lt-1:9), which neither the deploy nor the version captured before it used',
    ]);
  });

  it('says so when the group is gone', () => {
    expect(driftSentences(basis, null, null, amiOf)).toEqual(['Auto Scaling group web no longer exists']);
  });
});

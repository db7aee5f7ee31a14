import { describe, expect, it } from '@jest/globals';
import {
  deployPhaseCounts,
  groupHealth,
  notOn,
  phaseSettled,
  pickForPhase,
  stillToTerminate,
  type GroupInstance,
  type GroupState,
} from './phase-plan.js';

const target = { launchTemplateId: 'lt-1', version: '3' };

function instance(id: string, version: string, lifecycleState = 'InService', healthy = true): GroupInstance {
  return { instanceId: id, lifecycleState, healthy, launchTemplateId: 'lt-1', version };
}

function group(instances: GroupInstance[], desiredCapacity = instances.length): GroupState {
  return {
    name: 'web',
    launchTemplate: { launchTemplateId: 'lt-1', launchTemplateName: 'web', version: '3' },
    desiredCapacity,
    instances,
  };
}

describe('deployPhaseCounts', () => {
  it('splits 8 instances over 10, 35, 60, 100 % into 1, 2, 2, 3 (the worked example)', () => {
    expect(deployPhaseCounts(8, [10, 35, 60, 100])).toEqual([1, 2, 2, 3]);
  });

  it('gives every instance to some phase exactly once', () => {
    for (const total of [0, 1, 2, 3, 7, 15, 100])
      for (const phases of [[100], [50, 100], [25, 50, 75, 100], [1, 2, 100], [33.3, 66.6, 100]]) {
        const counts = deployPhaseCounts(total, phases);
        expect(counts).toHaveLength(phases.length);
        expect(counts.reduce((a, b) => a + b, 0)).toBe(total);
        expect(counts.every((n) => n >= 0)).toBe(true);
      }
  });

  it('leaves early phases empty when the group is too small for them to take anything but rounds up', () => {
    expect(deployPhaseCounts(2, [10, 50, 100])).toEqual([1, 0, 1]);
    expect(deployPhaseCounts(0, [50, 100])).toEqual([0, 0]);
  });

  it('refuses phases that do not end with 100 and totals that are not whole', () => {
    expect(() => deployPhaseCounts(4, [50])).toThrow(RangeError);
    expect(() => deployPhaseCounts(-1, [100])).toThrow(RangeError);
    expect(() => deployPhaseCounts(1.5, [100])).toThrow(RangeError);
  });
});

describe('choosing and resuming a phase', () => {
  it('picks instances not on the target version, those in service before those still launching', () => {
    const g = group([
      instance('i-1', '2', 'Pending'),
      instance('i-2', '3'),
      instance('i-3', '2'),
      instance('i-4', '2'),
    ]);
    expect(pickForPhase(g, target, 2)).toEqual(['i-3', 'i-4']);
    expect(pickForPhase(g, target, 9)).toEqual(['i-3', 'i-4', 'i-1']);
    expect(pickForPhase(g, target, 0)).toEqual([]);
  });

  it('never picks an instance already terminating', () => {
    const g = group([instance('i-1', '2', 'Terminating'), instance('i-2', '2')]);
    expect(pickForPhase(g, target, 2)).toEqual(['i-2']);
    expect(notOn(g, target).map((i) => i.instanceId)).toEqual(['i-2']);
  });

  it('a resumed phase sends only the recorded instances the group does not show terminating or gone', () => {
    const g = group([instance('i-1', '2', 'Terminating'), instance('i-2', '2'), instance('i-9', '3')]);
    expect(stillToTerminate(['i-1', 'i-2', 'i-3'], g)).toEqual(['i-2']);
    expect(stillToTerminate([], g)).toEqual([]);
  });
});

describe('when a phase has settled and a group is steady', () => {
  it('waits while an instance launches or terminates, or the group is below its desired capacity', () => {
    expect(phaseSettled(group([instance('i-1', '3'), instance('i-2', '3', 'Pending')])).settled).toBe(false);
    expect(phaseSettled(group([instance('i-1', '3'), instance('i-2', '2', 'Terminating')], 1)).settled).toBe(false);
    expect(phaseSettled(group([instance('i-1', '3')], 2))).toEqual({
      settled: false,
      reason: '1 of 2 instances InService and healthy, 0 launching, 0 terminating',
    });
    expect(phaseSettled(group([instance('i-1', '3', 'InService', false)])).settled).toBe(false);
    expect(phaseSettled(group([instance('i-1', '3'), instance('i-2', '2')])).settled).toBe(true);
  });

  it('is steady only when every live instance is in service on the target version', () => {
    expect(groupHealth(group([instance('i-1', '3'), instance('i-2', '3')]), target)).toEqual({ steady: true });
    expect(groupHealth(group([instance('i-1', '3'), instance('i-2', '2')]), target)).toEqual({
      steady: false,
      reason: '1 of 2 instances InService on launch template version 3, 1 still on another version',
    });
    expect(groupHealth(group([instance('i-1', '3'), instance('i-0', '2', 'Terminating')], 1), target)).toEqual({
      steady: true,
    });
    expect(groupHealth(group([instance('i-1', '3', 'Pending')]), target).steady).toBe(false);
  });
});

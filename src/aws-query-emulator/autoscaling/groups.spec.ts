import { describe, expect, it } from '@jest/globals';
import { LaunchTemplateStore } from '../ec2/launch-templates.js';
import { AutoScalingGroups } from './groups.js';

function setup() {
  let now = Date.parse('2026-01-01T00:00:00Z');
  const clock = () => new Date(now);
  const templates = new LaunchTemplateStore(clock);
  const t = templates.create('web', { data: { imageId: 'ami-1' } });
  const groups = new AutoScalingGroups(
    templates,
    clock,
    { instanceReadySeconds: 30, instanceTerminateSeconds: 10 },
    'eu-west-1',
  );
  const advance = (seconds: number) => {
    now += seconds * 1000;
    groups.sync();
  };
  return { groups, templates, t, advance };
}

describe('AutoScalingGroups', () => {
  it('terminates the instances on an older template version first when scaling in', () => {
    const { groups, templates, t, advance } = setup();
    groups.create('asg', {
      launchTemplate: { launchTemplateId: t.launchTemplateId, version: '$Latest' },
      minSize: 0,
      maxSize: 5,
      desiredCapacity: 2,
    });
    advance(30);
    templates.createVersion({ launchTemplateName: 'web' }, { data: { imageId: 'ami-2' } });
    groups.setDesiredCapacity('asg', 3);
    advance(30);
    groups.setDesiredCapacity('asg', 1);
    const [group] = groups.describe(['asg']);
    expect(group!.availabilityZones).toEqual(['eu-west-1a']);
    expect(group!.instances.map((i) => [i.launchTemplate.version, i.lifecycleState])).toEqual([
      ['1', 'Terminating'],
      ['1', 'Terminating'],
      ['2', 'InService'],
    ]);
    advance(10);
    expect(groups.describe(['asg'])[0]!.instances).toHaveLength(1);
    expect(groups.busy()).toBe(false);
  });

  it('with SkipMatching replaces only the instances not on the target version', () => {
    const { groups, templates, t, advance } = setup();
    groups.create('asg', {
      launchTemplate: { launchTemplateId: t.launchTemplateId, version: '1' },
      minSize: 0,
      maxSize: 5,
      desiredCapacity: 1,
    });
    advance(30);
    templates.createVersion({ launchTemplateName: 'web' }, { data: { imageId: 'ami-2' } });
    groups.update('asg', {
      launchTemplate: { launchTemplateId: t.launchTemplateId, version: '2' },
      desiredCapacity: 2,
    });
    advance(30);
    const refresh = groups.startRefresh('asg', { minHealthyPercentage: 0, skipMatching: true }, undefined);
    expect(refresh.total).toBe(1);
    for (let i = 0; i < 10; i++) advance(10);
    expect(refresh.status).toBe('Successful');
    expect(groups.describe(['asg'])[0]!.instances.map((i) => i.launchTemplate.version)).toEqual(['2', '2']);
  });

  it('refuses sizes that do not fit and a template that does not exist, naming what is wrong', () => {
    const { groups, t } = setup();
    expect(() =>
      groups.create('asg', {
        launchTemplate: { launchTemplateId: t.launchTemplateId },
        minSize: 2,
        maxSize: 5,
        desiredCapacity: 1,
      }),
    ).toThrow('Desired capacity:1 must be between the specified min size:2 and max size:5');
    expect(() =>
      groups.create('asg', { launchTemplate: { launchTemplateName: 'nope' }, minSize: 0, maxSize: 1 }),
    ).toThrow(/valid fully-formed launch template.*nope/);
    expect(() => groups.startRefresh('missing', { minHealthyPercentage: 90, skipMatching: false }, undefined)).toThrow(
      /missing/,
    );
  });
});

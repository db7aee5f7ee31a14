import { describe, expect, it } from '@jest/globals';
import { LaunchTemplateStore } from './launch-templates.js';

describe('LaunchTemplateStore', () => {
  const store = () => new LaunchTemplateStore(() => new Date('2026-01-01T00:00:00Z'));

  it('numbers versions 1, 2, 3 and resolves $Latest, $Default and numbers', () => {
    const s = store();
    const t = s.create('web', { data: { imageId: 'ami-1', instanceType: 't3.micro' } });
    s.createVersion({ launchTemplateName: 'web' }, { data: { imageId: 'ami-2' }, sourceVersion: '$Default' });
    s.createVersion({ launchTemplateId: t.launchTemplateId }, { data: { imageId: 'ami-3' } });
    expect(s.resolve(t, '$Latest').versionNumber).toBe(3);
    expect(s.resolve(t, '$Default').versionNumber).toBe(1);
    expect(s.resolve(t, '2').data).toEqual({ imageId: 'ami-2', instanceType: 't3.micro' });
    expect(s.resolve(t, '3').data).toEqual({ imageId: 'ami-3' });
    expect(() => s.resolve(t, '4')).toThrow(
      expect.objectContaining({ code: 'InvalidLaunchTemplateId.VersionNotFound' }),
    );
  });

  it('answers the same version for a repeated client token', () => {
    const s = store();
    s.create('web', { data: { imageId: 'ami-1' } });
    const a = s.createVersion({ launchTemplateName: 'web' }, { data: { imageId: 'ami-2' }, clientToken: 't' });
    const b = s.createVersion({ launchTemplateName: 'web' }, { data: { imageId: 'ami-9' }, clientToken: 't' });
    expect(b).toBe(a);
    expect(s.describeVersions({ launchTemplateName: 'web' }, [])).toHaveLength(2);
  });

  it('refuses both an id and a name, unknown templates and duplicate names', () => {
    const s = store();
    const t = s.create('web', { data: {} });
    expect(() => s.find({ launchTemplateId: t.launchTemplateId, launchTemplateName: 'web' })).toThrow(
      expect.objectContaining({ code: 'InvalidParameterCombination' }),
    );
    expect(() => s.find({ launchTemplateName: 'api' })).toThrow(
      expect.objectContaining({ code: 'InvalidLaunchTemplateName.NotFoundException' }),
    );
    expect(() => s.create('web', { data: {} })).toThrow(
      expect.objectContaining({ code: 'InvalidLaunchTemplateName.AlreadyExistsException' }),
    );
  });
});

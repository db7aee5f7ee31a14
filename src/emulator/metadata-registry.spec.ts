// The emulator's types come from SDR's registry: beyond the classic set, with folders, bundles and children.
import { describe, it, expect } from '@jest/globals';
import { registry } from '@salesforce/source-deploy-retrieve';
import { placeFile } from './component-resolver.js';
import {
  componentFileName,
  findChildType,
  findType,
  METADATA_TYPES,
  metaFileName,
  primaryFileName,
} from './metadata-types.js';

const placed = (path: string) => {
  const p = placeFile(path);
  return 'problem' in p ? `problem: ${p.problem}` : `${p.def.name}:${p.fullName}`;
};

describe('metadata types from the SDR registry', () => {
  it('knows hundreds of types, including the ones real sample apps use', () => {
    expect(METADATA_TYPES.length).toBe(Object.keys(registry.types).length);
    expect(METADATA_TYPES.length).toBeGreaterThan(300);
    for (const name of [
      'ContentAsset',
      'CspTrustedSite',
      'LightningMessageChannel',
      'Prompt',
      'BrandingSet',
      'LightningExperienceTheme',
      'LightningOnboardingConfig',
      'ExperienceBundle',
      'Network',
      'CustomSite',
      'NavigationMenu',
      'NetworkBranding',
      'Audience',
      'PlatformEventChannelMember',
      'DataWeaveResource',
      'PlatformCachePartition',
      'Translations',
      'Workflow',
    ]) {
      expect(findType(name)?.name).toBe(name);
    }
  });

  it('knows children of decomposed parents with their element names', () => {
    expect(findChildType('WorkflowRule')).toMatchObject({ parent: { name: 'Workflow' }, child: { tag: 'rules' } });
    expect(findChildType('CustomField')).toMatchObject({
      parent: { name: 'CustomObject' },
      child: { tag: 'fields', idPrefix: '00N' },
    });
    expect(findChildType('CustomLabel')?.parent.qualifiedChildNames).toBe(false);
  });

  it('places metadata-format files of each shape on their component', () => {
    expect(placed('contentassets/logo.asset')).toBe('ContentAsset:logo');
    expect(placed('contentassets/logo.asset-meta.xml')).toBe('ContentAsset:logo');
    expect(placed('messageChannels/Orders.messageChannel')).toBe('LightningMessageChannel:Orders');
    expect(placed('staticresources/lib.resource')).toBe('StaticResource:lib');
    expect(placed('experiences/Portal1.site-meta.xml')).toBe('ExperienceBundle:Portal1');
    expect(placed('experiences/Portal1/views/home.json')).toBe('ExperienceBundle:Portal1');
    expect(placed('reports/Sales-meta.xml')).toBe('ReportFolder:Sales');
    expect(placed('reports/Sales/Pipeline.report')).toBe('Report:Sales/Pipeline');
    expect(placed('email/Templates/Welcome.email-meta.xml')).toBe('EmailTemplate:Templates/Welcome');
    expect(placed('documents/Shared/logo.png')).toBe('Document:Shared/logo.png');
    expect(placed('dw/Transform.dwl')).toBe('DataWeaveResource:Transform');
    expect(placed('layouts/Account-Account Layout.layout')).toBe('Layout:Account-Account Layout');
    expect(placed('unknownthings/x.y')).toMatch(/^problem: Unknown metadata folder/);
  });

  it('names the main file and the -meta.xml of each shape', () => {
    const report = findType('Report')!;
    expect(primaryFileName(report, 'Sales/Pipeline')).toBe('reports/Sales/Pipeline.report');
    expect(metaFileName(findType('ReportFolder')!, 'Sales')).toBe('reports/Sales-meta.xml');
    expect(metaFileName(findType('StaticResource')!, 'lib')).toBe('staticresources/lib.resource-meta.xml');
    expect(metaFileName(findType('Flow')!, 'F')).toBeUndefined();
    expect(componentFileName({ type: 'WorkflowRule', fullName: 'Case.Escalate' })).toBe('workflows/Case.workflow');
  });
});

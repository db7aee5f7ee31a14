import { describe, it, expect } from '@jest/globals';
import { ManifestError, parsePackageManifest, renderPackageManifest } from './package-manifest.js';

describe('package manifests', () => {
  it('reads types with one or many members and the version', () => {
    const manifest = parsePackageManifest(`<?xml version="1.0"?>
<Package xmlns="http://soap.sforce.com/2006/04/metadata">
  <types><members>A</members><members>B</members><name>ApexClass</name></types>
  <types><members>*</members><name>LightningComponentBundle</name></types>
  <version>60.0</version>
</Package>`);
    expect(manifest).toEqual({
      types: [
        { name: 'ApexClass', members: ['A', 'B'] },
        { name: 'LightningComponentBundle', members: ['*'] },
      ],
      version: '60.0',
    });
  });

  it('accepts a package with no types', () => {
    expect(parsePackageManifest('<Package><version>60.0</version></Package>').types).toEqual([]);
  });

  it('rejects malformed XML with its position', () => {
    const parse = () => parsePackageManifest('<Package>\n<types>\n</Package>');
    expect(parse).toThrow(ManifestError);
    expect(parse).toThrow(/line 3/);
  });

  it('renders sorted types and members that read back the same', () => {
    const xml = renderPackageManifest(
      new Map([
        ['CustomObject', ['B__c', 'A__c']],
        ['ApexClass', ['Z']],
      ]),
      '60.0',
    );
    expect(parsePackageManifest(xml)).toEqual({
      types: [
        { name: 'ApexClass', members: ['Z'] },
        { name: 'CustomObject', members: ['A__c', 'B__c'] },
      ],
      version: '60.0',
    });
  });
});

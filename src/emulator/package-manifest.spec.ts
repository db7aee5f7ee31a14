import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManifestError, parsePackageManifest, renderPackageManifest } from './package-manifest.js';

describe('package manifests', () => {
  it('reads types with one or many members and the version', () => {
    const manifest = parsePackageManifest(`<?xml version="1.0"?>
<Package xmlns="http://soap.sforce.com/2006/04/metadata">
  <types><members>A</members><members>B</members><name>ApexClass</name></types>
  <types><members>*</members><name>LightningComponentBundle</name></types>
  <version>60.0</version>
</Package>`);
    assert.deepEqual(manifest, {
      types: [
        { name: 'ApexClass', members: ['A', 'B'] },
        { name: 'LightningComponentBundle', members: ['*'] },
      ],
      version: '60.0',
    });
  });

  it('accepts a package with no types', () => {
    assert.deepEqual(parsePackageManifest('<Package><version>60.0</version></Package>').types, []);
  });

  it('rejects malformed XML with its position', () => {
    assert.throws(() => parsePackageManifest('<Package>\n<types>\n</Package>'), (e: unknown) => e instanceof ManifestError && /line 3/.test(e.message));
  });

  it('renders sorted types and members that read back the same', () => {
    const xml = renderPackageManifest(new Map([['CustomObject', ['B__c', 'A__c']], ['ApexClass', ['Z']]]), '60.0');
    assert.deepEqual(parsePackageManifest(xml), {
      types: [
        { name: 'ApexClass', members: ['Z'] },
        { name: 'CustomObject', members: ['A__c', 'B__c'] },
      ],
      version: '60.0',
    });
  });
});

import { describe, expect, it } from '@jest/globals';
import {
  elementLabel,
  elementSubjects,
  filterProfile,
  mergeProfiles,
  parseElementLabel,
  parseProfile,
  ProfileXmlError,
  renderProfile,
  sameElement,
  sameElements,
  withoutAccess,
  type ProfileElement,
} from './profile-xml.js';
import {
  apiEnabled,
  classAccess,
  fieldPermission,
  notCustom,
  objectPermission,
  profileFile,
  userLicense,
} from '../../test/helpers/profile-fixtures.js';

const ADMIN = profileFile(
  classAccess('InvoiceService') +
    notCustom +
    fieldPermission('Account.Tier__c', true) +
    `    <layoutAssignments>
        <layout>Account-Account Layout</layout>
    </layoutAssignments>
    <layoutAssignments>
        <layout>Account-Partner Layout</layout>
        <recordType>Account.Partner</recordType>
    </layoutAssignments>
    <loginIpRanges>
        <endAddress>10.0.0.255</endAddress>
        <startAddress>10.0.0.1</startAddress>
    </loginIpRanges>
` +
    objectPermission('Invoice__c', false) +
    `    <tabVisibilities>
        <tab>Invoice__c</tab>
        <visibility>DefaultOn</visibility>
    </tabVisibilities>
` +
    userLicense +
    apiEnabled,
);

const find = (elements: readonly ProfileElement[], label: string) => elements.find((e) => elementLabel(e) === label)!;

describe('parseProfile', () => {
  it('splits a profile into keyed entries and scalars, each with its exact text', () => {
    const doc = parseProfile(ADMIN);
    expect(doc.root).toBe('Profile');
    expect(doc.elements.map(elementLabel)).toEqual([
      'classAccesses InvoiceService',
      'custom',
      'fieldPermissions Account.Tier__c',
      'layoutAssignments Account-Account Layout',
      'layoutAssignments Account-Partner Layout (Account.Partner)',
      'loginIpRanges 10.0.0.1 10.0.0.255',
      'objectPermissions Invoice__c',
      'tabVisibilities Invoice__c',
      'userLicense',
      'userPermissions ApiEnabled',
    ]);
    expect(find(doc.elements, 'custom').text).toBe('<custom>false</custom>');
    expect(find(doc.elements, 'fieldPermissions Account.Tier__c').values.get('editable')).toBe('true');
  });

  it('renders a file Salesforce wrote back byte for byte', () => {
    expect(renderProfile(parseProfile(ADMIN))).toBe(ADMIN);
  });

  it("renders in Salesforce's order: sections alphabetically, entries by key", () => {
    const shuffled = `<PermissionSet xmlns="http://soap.sforce.com/2006/04/metadata"><label>Sales</label><fieldPermissions><field>B__c.X__c</field><readable>true</readable></fieldPermissions><classAccesses><apexClass>Z</apexClass><enabled>true</enabled></classAccesses><fieldPermissions><field>A__c.X__c</field><readable>true</readable></fieldPermissions></PermissionSet>`;
    expect(parseProfile(renderProfile(parseProfile(shuffled))).elements.map(elementLabel)).toEqual([
      'classAccesses Z',
      'fieldPermissions A__c.X__c',
      'fieldPermissions B__c.X__c',
      'label',
    ]);
  });

  it('refuses text that is not one complete element', () => {
    expect(() => parseProfile('<Profile><custom>false</custom>')).toThrow(ProfileXmlError);
    expect(() => parseProfile('just text')).toThrow(ProfileXmlError);
  });
});

describe('elementSubjects', () => {
  const subjects = (label: string) => elementSubjects(find(parseProfile(ADMIN).elements, label));

  it('ties each entry to the components it is about', () => {
    expect(subjects('fieldPermissions Account.Tier__c')).toEqual([
      { type: 'CustomField', fullName: 'Account.Tier__c' },
      { type: 'CustomObject', fullName: 'Account' },
    ]);
    expect(subjects('classAccesses InvoiceService')).toEqual([{ type: 'ApexClass', fullName: 'InvoiceService' }]);
    expect(subjects('objectPermissions Invoice__c')).toEqual([{ type: 'CustomObject', fullName: 'Invoice__c' }]);
    expect(subjects('tabVisibilities Invoice__c')).toEqual([{ type: 'CustomTab', fullName: 'Invoice__c' }]);
    expect(subjects('layoutAssignments Account-Partner Layout (Account.Partner)')).toEqual([
      { type: 'Layout', fullName: 'Account-Partner Layout' },
      { type: 'RecordType', fullName: 'Account.Partner' },
    ]);
  });

  it('leaves user permissions, login ranges and scalars about nothing (Salesforce always returns them)', () => {
    expect(subjects('userPermissions ApiEnabled')).toEqual([]);
    expect(subjects('loginIpRanges 10.0.0.1 10.0.0.255')).toEqual([]);
    expect(subjects('custom')).toEqual([]);
  });
});

describe('element comparison and merge', () => {
  it('compares entries by content, not by child order or indentation', () => {
    const a = parseProfile(ADMIN).elements;
    const b = parseProfile(
      '<Profile><fieldPermissions><readable>true</readable><field>account.tier__c</field><editable>true</editable></fieldPermissions></Profile>',
    ).elements;
    expect(sameElement(find(a, 'fieldPermissions Account.Tier__c'), b[0]!)).toBe(true);
    const c = parseProfile(
      '<Profile><fieldPermissions><readable>true</readable><field>Account.Tier__c</field><editable>false</editable></fieldPermissions></Profile>',
    ).elements;
    expect(sameElement(find(a, 'fieldPermissions Account.Tier__c'), c[0]!)).toBe(false);
  });

  it('merges element by element: the overlay replaces its keys and scalars, the rest stays', () => {
    const overlay = parseProfile(`<Profile xmlns="http://soap.sforce.com/2006/04/metadata">
    <custom>true</custom>
    <fieldPermissions>
        <editable>false</editable>
        <field>Account.Tier__c</field>
        <readable>true</readable>
    </fieldPermissions>
    <fieldPermissions>
        <editable>true</editable>
        <field>Account.Region__c</field>
        <readable>true</readable>
    </fieldPermissions>
</Profile>`);
    const merged = mergeProfiles(parseProfile(ADMIN), overlay);
    expect(merged.elements).toHaveLength(11);
    expect(find(merged.elements, 'custom').text).toBe('<custom>true</custom>');
    expect(find(merged.elements, 'fieldPermissions Account.Tier__c').values.get('editable')).toBe('false');
    expect(find(merged.elements, 'classAccesses InvoiceService')).toBeDefined();
    expect(sameElements(merged, parseProfile(ADMIN))).toBe(false);
    expect(sameElements(mergeProfiles(parseProfile(ADMIN), parseProfile(ADMIN)), parseProfile(ADMIN))).toBe(true);
  });

  it('filters to the entries a predicate keeps', () => {
    const onlyScalars = filterProfile(parseProfile(ADMIN), (e) => e.scalar);
    expect(onlyScalars.elements.map(elementLabel)).toEqual(['custom', 'userLicense']);
  });
});

describe('withoutAccess', () => {
  const doc = parseProfile(ADMIN);

  it('sets every grant of an entry back to none', () => {
    const fls = withoutAccess(find(doc.elements, 'fieldPermissions Account.Tier__c'), 'Profile')!;
    expect(Object.fromEntries(fls.values)).toEqual({ editable: 'false', field: 'Account.Tier__c', readable: 'false' });
    expect(withoutAccess(find(doc.elements, 'classAccesses InvoiceService'), 'Profile')!.values.get('enabled')).toBe(
      'false',
    );
    expect(withoutAccess(find(doc.elements, 'tabVisibilities Invoice__c'), 'Profile')!.values.get('visibility')).toBe(
      'Hidden',
    );
    const tab = parseProfile(
      '<PermissionSet><tabSettings><tab>Invoice__c</tab><visibility>Visible</visibility></tabSettings></PermissionSet>',
    ).elements[0]!;
    expect(withoutAccess(tab, 'PermissionSet')!.values.get('visibility')).toBe('None');
  });

  it('answers undefined for what nothing can revoke', () => {
    expect(withoutAccess(find(doc.elements, 'layoutAssignments Account-Account Layout'), 'Profile')).toBeUndefined();
    expect(withoutAccess(find(doc.elements, 'custom'), 'Profile')).toBeUndefined();
  });

  it('labels round-trip', () => {
    expect(parseElementLabel('fieldPermissions Account.Tier__c')).toEqual({
      section: 'fieldPermissions',
      key: 'Account.Tier__c',
    });
    expect(parseElementLabel('custom')).toEqual({ section: 'custom', key: '' });
  });
});

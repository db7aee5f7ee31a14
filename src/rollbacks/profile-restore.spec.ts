import { describe, expect, it } from '@jest/globals';
import { elementLabel, parseProfile } from '../common/profile-xml.js';
import { componentKey } from '../salesforce/component-key.js';
import { elementMismatches, irreversibleLine, planProfileRestore, verifiedLine } from './profile-restore.js';

const fls = (field: string, editable: boolean, readable = true) =>
  `    <fieldPermissions>\n        <editable>${editable}</editable>\n        <field>${field}</field>\n        <readable>${readable}</readable>\n    </fieldPermissions>\n`;
const profile = (...parts: string[]) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<Profile xmlns="http://soap.sforce.com/2006/04/metadata">\n${parts.join('')}</Profile>\n`;
const classAccess = (name: string, enabled: boolean) =>
  `    <classAccesses>\n        <apexClass>${name}</apexClass>\n        <enabled>${enabled}</enabled>\n    </classAccesses>\n`;
const layout = (name: string) =>
  `    <layoutAssignments>\n        <layout>${name}</layout>\n    </layoutAssignments>\n`;
const scalar = (tag: string, value: string) => `    <${tag}>${value}</${tag}>\n`;

const BEFORE = profile(
  scalar('custom', 'false'),
  fls('Account.Region__c', false),
  fls('Account.Tier__c', false),
  fls('Account.Untouched__c', true),
  scalar('userLicense', 'Salesforce'),
);
const DEPLOYED = profile(
  classAccess('TierService', true),
  fls('Account.Region__c', false),
  fls('Account.Score__c', true),
  fls('Account.Segment__c', true),
  fls('Account.Tier__c', true),
  layout('Account-Tier Layout'),
);
const labels = (xml: string) => parseProfile(xml).elements.map(elementLabel);

describe('planProfileRestore', () => {
  const plan = planProfileRestore({
    before: BEFORE,
    deployed: DEPLOYED,
    deletedByRollback: new Set([
      componentKey({ type: 'CustomField', fullName: 'Account.Segment__c' }),
      componentKey({ type: 'ApexClass', fullName: 'TierService' }),
    ]),
  });

  it('restores the elements the deploy changed, and keeps the scalars as before', () => {
    expect(plan.restored).toEqual(['fieldPermissions Account.Tier__c']);
    expect(plan.xml).toContain(fls('Account.Tier__c', false));
    expect(labels(plan.xml)).toEqual([
      'custom',
      'fieldPermissions Account.Score__c',
      'fieldPermissions Account.Tier__c',
      'userLicense',
    ]);
  });

  it('sets what the deploy added back to no access, unless this rollback deletes its component', () => {
    expect(plan.revoked).toEqual(['fieldPermissions Account.Score__c']);
    expect(plan.xml).toContain(fls('Account.Score__c', false, false));
    expect(plan.dropped).toEqual(['classAccesses TierService', 'fieldPermissions Account.Segment__c']);
  });

  it('leaves out what the deploy did not touch and what it left as it was, and names what cannot be undone', () => {
    expect(plan.xml).not.toContain('Untouched__c');
    expect(plan.xml).not.toContain('Region__c');
    expect(plan.irreversible).toEqual(['layoutAssignments Account-Tier Layout']);
    expect(irreversibleLine(plan)).toMatch(
      /^Not rolled back: layoutAssignments Account-Tier Layout — added by the deploy/,
    );
  });

  it('expects each touched element as before, with no access, or gone', () => {
    expect(plan.expected.map((e) => [e.label, e.element ? Object.fromEntries(e.element.values) : 'absent'])).toEqual([
      ['classAccesses TierService', 'absent'],
      ['fieldPermissions Account.Region__c', { editable: 'false', field: 'Account.Region__c', readable: 'true' }],
      ['fieldPermissions Account.Score__c', { editable: 'false', field: 'Account.Score__c', readable: 'false' }],
      ['fieldPermissions Account.Segment__c', 'absent'],
      ['fieldPermissions Account.Tier__c', { editable: 'false', field: 'Account.Tier__c', readable: 'true' }],
    ]);
    expect(verifiedLine(plan)).toBe(
      'Verified element by element: the 5 element(s) the deploy touched are as before it: 1 restored ' +
        '(fieldPermissions Account.Tier__c); 1 set back to no access (fieldPermissions Account.Score__c); 2 gone with ' +
        'their component (classAccesses TierService, fieldPermissions Account.Segment__c); 1 it left as they were',
    );
  });

  it('a partial rollback that keeps a created field revokes its FLS instead of dropping it', () => {
    const partial = planProfileRestore({ before: BEFORE, deployed: DEPLOYED, deletedByRollback: new Set() });
    expect(partial.revoked).toEqual([
      'classAccesses TierService',
      'fieldPermissions Account.Score__c',
      'fieldPermissions Account.Segment__c',
    ]);
    expect(partial.dropped).toEqual([]);
  });
});

describe('elementMismatches', () => {
  const plan = planProfileRestore({
    before: BEFORE,
    deployed: DEPLOYED,
    deletedByRollback: new Set([componentKey({ type: 'CustomField', fullName: 'Account.Segment__c' })]),
  });
  const restoredOrg = profile(
    classAccess('TierService', false),
    scalar('custom', 'false'),
    fls('Account.Region__c', false),
    fls('Account.Score__c', false, false),
    fls('Account.Tier__c', false),
  );

  it('finds nothing when the org holds every expected element', () => {
    expect(elementMismatches(plan.expected, restoredOrg)).toEqual([]);
  });

  it('names each element that differs, with the values', () => {
    const org = restoredOrg
      .replace(fls('Account.Tier__c', false), fls('Account.Tier__c', true))
      .replace(fls('Account.Score__c', false, false), '')
      .replace('</Profile>', fls('Account.Segment__c', true) + '</Profile>');
    expect(elementMismatches(plan.expected, org)).toEqual([
      'fieldPermissions Account.Score__c: not in the org, expected as before the deploy',
      'fieldPermissions Account.Segment__c: still in the org, expected it gone with its component',
      'fieldPermissions Account.Tier__c: editable is true, expected false',
    ]);
    expect(elementMismatches(plan.expected, undefined)).toEqual(['the org does not have it']);
    expect(elementMismatches(plan.expected, '<Profile>')).toEqual([
      'the org returned a file that is not a profile (Not a complete XML document)',
    ]);
  });
});

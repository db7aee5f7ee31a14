import { describe, expect, it } from '@jest/globals';
import { parseProfile } from '../common/profile-xml.js';
import { planChunks } from './org-retriever.js';
import { fingerprintComponent } from '../salesforce/fingerprint.js';
import {
  mergeProfileReads,
  profileBackupDetails,
  profileCompanions,
  profileLiveRead,
  touchedFingerprint,
} from './profile-backup.js';

const fls = (field: string, editable: boolean) =>
  `    <fieldPermissions>\n        <editable>${editable}</editable>\n        <field>${field}</field>\n        <readable>true</readable>\n    </fieldPermissions>\n`;
const profile = (...parts: string[]) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<Profile xmlns="http://soap.sforce.com/2006/04/metadata">\n${parts.join('')}</Profile>\n`;

describe('profileCompanions', () => {
  it("is the deploy's other components plus what the deployed profile refers to", () => {
    const companions = profileCompanions(
      [
        { type: 'Profile', fullName: 'Admin' },
        { type: 'CustomField', fullName: 'Account.Tier__c' },
        { type: 'ApexClass', fullName: 'TierService' },
      ],
      [profile(fls('account.tier__c', true), fls('Contact.Foo__c', true))],
    );
    expect(companions).toEqual([
      { type: 'CustomField', fullName: 'Account.Tier__c' },
      { type: 'ApexClass', fullName: 'TierService' },
      { type: 'CustomField', fullName: 'Contact.Foo__c' },
    ]);
  });
});

describe('touchedFingerprint', () => {
  const touched = profileBackupDetails(undefined, profile(fls('Account.Tier__c', true)), []).touched;

  it('is equal for the deployed file and an org holding it among other elements, whatever the layout', () => {
    const org = `<Profile><fieldPermissions><field>Account.Tier__c</field><readable>true</readable><editable>true</editable></fieldPermissions><custom>false</custom></Profile>`;
    expect(touchedFingerprint(org, touched)).toBe(touchedFingerprint(profile(fls('Account.Tier__c', true)), touched));
  });

  it('differs when a touched element differs or is absent', () => {
    const deployed = touchedFingerprint(profile(fls('Account.Tier__c', true)), touched);
    expect(touchedFingerprint(profile(fls('Account.Tier__c', false)), touched)).not.toBe(deployed);
    expect(touchedFingerprint(profile(), touched)).not.toBe(deployed);
    expect(touchedFingerprint('not xml', touched)).toBeNull();
  });

  it("is recorded for the backup (touchedBefore): what a lost deploy's org check takes for 'not applied'", () => {
    const backedUp = profile(fls('Account.Tier__c', false), fls('Account.Region__c', true));
    const details = profileBackupDetails(backedUp, profile(fls('Account.Tier__c', true)), []);
    expect(details.touchedBefore).toBe(touchedFingerprint(profile(fls('Account.Tier__c', false)), touched));
    expect(details.touchedBefore).not.toBe(touchedFingerprint(profile(fls('Account.Tier__c', true)), touched));
    expect(profileBackupDetails(undefined, profile(fls('Account.Tier__c', true)), []).touchedBefore).toBeNull();
  });
});

describe('mergeProfileReads', () => {
  it('unites the elements of one profile read in several retrieves; one read stays byte for byte', () => {
    const a = { path: 'profiles/Admin.profile', content: Buffer.from(profile(fls('A__c.X__c', true))) };
    const b = { path: 'profiles/Admin.profile', content: Buffer.from(profile(fls('B__c.Y__c', false))) };
    expect(mergeProfileReads([[a]])).toEqual([a]);
    const merged = mergeProfileReads([[a], [b]]);
    expect(merged[0]!.content.toString('utf8')).toBe(profile(fls('A__c.X__c', true), fls('B__c.Y__c', false)));
    expect(parseProfile(merged[0]!.content.toString('utf8')).elements).toHaveLength(2);
  });
});

describe('planChunks', () => {
  const target = (type: string, fullName: string, fileCount = 1) => ({ ref: { type, fullName }, fileCount, bytes: 10 });

  it('puts every profile into every retrieve, with the other targets and the companions split under the limits', () => {
    const classes = Array.from({ length: 6_000 }, (_, i) => target('ApexClass', `C${i}`, 2));
    const plan = planChunks(
      [target('Profile', 'Admin'), target('PermissionSet', 'Sales'), ...classes],
      [target('CustomField', 'Contact.Foo__c')],
    );
    expect(plan.chunks.length).toBeGreaterThan(1);
    for (const chunk of plan.chunks) {
      expect(chunk.slice(0, 2)).toEqual([
        { type: 'Profile', fullName: 'Admin' },
        { type: 'PermissionSet', fullName: 'Sales' },
      ]);
    }
    expect(plan.chunks.flat().filter((r) => r.fullName === 'Contact.Foo__c')).toHaveLength(1);
    expect(plan.reported.size).toBe(6_002);
  });

  it('leaves retrieves without profiles as they were, companions ignored', () => {
    const plan = planChunks([target('ApexClass', 'A')], [target('CustomField', 'Contact.Foo__c')]);
    expect(plan.chunks).toEqual([[{ type: 'ApexClass', fullName: 'A' }]]);
  });
});

describe('profileLiveRead', () => {
  const touchedOnly = profileBackupDetails(undefined, profile(fls('Account.Tier__c', true)), [
    { type: 'CustomField', fullName: 'Account.Tier__c' },
  ]);
  const read = profileLiveRead([
    { type: 'Profile', fullName: 'Admin', details: { profile: touchedOnly } },
    { type: 'Profile', fullName: 'Old', details: null },
    { type: 'ApexClass', fullName: 'A', details: null },
  ]);
  const file = (xml: string) => [{ path: 'profiles/Admin.profile', content: Buffer.from(xml) }];

  it('reads a backed-up profile with its companions and fingerprints it on the touched elements only', () => {
    expect(read.companions).toEqual([
      { ref: { type: 'CustomField', fullName: 'Account.Tier__c' }, fileCount: 1, bytes: 0 },
    ]);
    const org = profile(fls('Account.Tier__c', true), fls('Account.Other__c', false));
    const found = { type: 'Profile', fullName: 'admin', files: file(org) };
    expect(read.fingerprint(found)).toBe(
      touchedFingerprint(profile(fls('Account.Tier__c', true)), touchedOnly.touched),
    );
    expect(read.xml(found)).toBe(org);
  });

  it('takes a profile without recorded elements, and any other component, as whole files', () => {
    const old = { type: 'Profile', fullName: 'Old', files: file(profile(fls('Account.Tier__c', true))) };
    expect(read.fingerprint(old)).toBe(fingerprintComponent(old.files));
    expect(read.xml(old)).toBeUndefined();
  });
});

import { describe, it, expect } from '@jest/globals';
import type jsforce from 'jsforce';
import { elementLabel, parseProfile } from '../../src/common/profile-xml.js';
import {
  apexClass,
  classMeta,
  componentMessages,
  customObject,
  deployAndWait,
  deployDeletion,
  emulatorSuite,
  field,
  packageXml,
  retrieveAndWait,
} from './emulator.helper.js';
import { makeZip } from './zip.helper.js';
import {
  apiEnabled,
  classAccess,
  fieldPermission,
  notCustom,
  objectPermission,
  permissionSetScalars,
  profileFile,
  userLicense,
} from '../helpers/profile-fixtures.js';

/** The Admin profile as Salesforce writes it: FLS, class access, object permissions, user permissions, scalars. */
const ADMIN = profileFile(
  classAccess('InvoiceService') +
    notCustom +
    fieldPermission('Account.Region__c', true) +
    fieldPermission('Account.Tier__c', true) +
    objectPermission('Invoice__c', true) +
    userLicense +
    apiEnabled,
);

const accountObject = `<?xml version="1.0" encoding="UTF-8"?>
<CustomObject xmlns="http://soap.sforce.com/2006/04/metadata">
${field('Region__c')}${field('Tier__c')}</CustomObject>
`;

/** An Admin profile file holding only the FLS of one field. */
const fls = (fieldName: string, editable: boolean) => profileFile(fieldPermission(fieldName, editable));

describe('profiles and permission sets through jsforce', () => {
  const { emulator, newOrg } = emulatorSuite({ latencyMs: 0 });

  /** A fresh org holding Account's two custom fields, the class, the Invoice__c object and the whole Admin profile. */
  async function seededOrg() {
    const { org, conn } = newOrg();
    await emulator().admin.seed(org.id, {
      components: [
        { files: { 'objects/Account.object': accountObject } },
        { files: { 'objects/Invoice__c.object': customObject(field('Amount__c', 'Number')) } },
        {
          files: {
            'classes/InvoiceService.cls': apexClass('InvoiceService'),
            'classes/InvoiceService.cls-meta.xml': classMeta,
          },
        },
        { files: { 'profiles/Admin.profile': ADMIN } },
      ],
    });
    return { org, conn };
  }

  async function retrievedProfile(conn: jsforce.Connection, with_: Record<string, string[]>) {
    const types = Object.entries({ Profile: ['Admin'], ...with_ }).map(([name, members]) => ({ name, members }));
    const { result, files } = await retrieveAndWait(conn, types);
    expect(result.success).toBe(true);
    return parseProfile(files.get('profiles/Admin.profile')!.toString('utf8'));
  }
  const labels = (doc: ReturnType<typeof parseProfile>) => doc.elements.map(elementLabel);

  it('a profile retrieved alone has its scalars and user permissions, but no permission about another component', async () => {
    const { conn } = await seededOrg();
    expect(labels(await retrievedProfile(conn, {}))).toEqual(['custom', 'userLicense', 'userPermissions ApiEnabled']);
  });

  it('returns the elements about the components in the same retrieve: a field its FLS, an object all of its fields, a class its access', async () => {
    const { conn } = await seededOrg();
    expect(labels(await retrievedProfile(conn, { CustomField: ['Account.Tier__c'] }))).toEqual([
      'custom',
      'fieldPermissions Account.Tier__c',
      'userLicense',
      'userPermissions ApiEnabled',
    ]);
    expect(
      labels(await retrievedProfile(conn, { CustomObject: ['Account', 'Invoice__c'], ApexClass: ['InvoiceService'] })),
    ).toEqual([
      'classAccesses InvoiceService',
      'custom',
      'fieldPermissions Account.Region__c',
      'fieldPermissions Account.Tier__c',
      'objectPermissions Invoice__c',
      'userLicense',
      'userPermissions ApiEnabled',
    ]);
  });

  it('merges a deployed profile element by element: absent elements stay, and a deploy changing nothing is unchanged', async () => {
    const { conn } = await seededOrg();
    const zip = await makeZip({
      'package.xml': packageXml({ Profile: ['Admin'] }),
      'profiles/Admin.profile': fls('Account.Tier__c', false),
    });
    const first = await deployAndWait(conn, zip);
    expect(first.status).toBe('Succeeded');
    expect(componentMessages(first.details?.componentSuccesses)).toEqual([
      expect.objectContaining({ componentType: 'Profile', fullName: 'Admin', created: false, changed: true }),
    ]);
    const after = await retrievedProfile(conn, { CustomObject: ['Account'], ApexClass: ['InvoiceService'] });
    const values = (label: string) => Object.fromEntries(after.elements.find((e) => elementLabel(e) === label)!.values);
    expect(values('fieldPermissions Account.Tier__c')).toEqual({
      editable: 'false',
      field: 'Account.Tier__c',
      readable: 'true',
    });
    expect(values('fieldPermissions Account.Region__c')).toMatchObject({ editable: 'true' });
    expect(values('classAccesses InvoiceService')).toMatchObject({ enabled: 'true' });

    const again = await deployAndWait(conn, zip);
    expect(componentMessages(again.details?.componentSuccesses)).toEqual([
      expect.objectContaining({ componentType: 'Profile', fullName: 'Admin', changed: false }),
    ]);
  });

  it('fails FLS for a custom field the org does not have, as Salesforce does, unless the deploy creates it', async () => {
    const { conn } = await seededOrg();
    const failed = await deployAndWait(
      conn,
      await makeZip({
        'package.xml': packageXml({ Profile: ['Admin'] }),
        'profiles/Admin.profile': fls('Account.Nope__c', true),
      }),
    );
    expect(failed.status).toBe('Failed');
    expect(componentMessages(failed.details?.componentFailures)).toEqual([
      expect.objectContaining({
        componentType: 'Profile',
        fullName: 'Admin',
        problem: 'In field: field - no CustomField named Account.Nope__c found',
      }),
    ]);

    const withField = await deployAndWait(
      conn,
      await makeZip({
        'package.xml': packageXml({ Profile: ['Admin'], CustomField: ['Account.Nope__c'] }),
        'profiles/Admin.profile': fls('Account.Nope__c', true),
        'objects/Account.object': `<?xml version="1.0" encoding="UTF-8"?>\n<CustomObject xmlns="http://soap.sforce.com/2006/04/metadata">\n${field('Nope__c')}</CustomObject>\n`,
      }),
    );
    expect(withField.status).toBe('Succeeded');
  });

  it('treats a permission set the same way: relative on retrieve, merged on deploy', async () => {
    const { org, conn } = await seededOrg();
    await emulator().admin.seed(org.id, {
      components: [
        {
          files: {
            'permissionsets/Tier_Manager.permissionset': profileFile(
              classAccess('InvoiceService') +
                fieldPermission('Account.Tier__c', true) +
                permissionSetScalars('Tier Manager'),
              'PermissionSet',
            ),
          },
        },
      ],
    });
    const read = async (with_: Record<string, string[]>) => {
      const types = Object.entries({ PermissionSet: ['Tier_Manager'], ...with_ }).map(([name, members]) => ({
        name,
        members,
      }));
      const { files } = await retrieveAndWait(conn, types);
      return labels(parseProfile(files.get('permissionsets/Tier_Manager.permissionset')!.toString('utf8')));
    };
    expect(await read({ ApexClass: ['InvoiceService'] })).toEqual([
      'classAccesses InvoiceService',
      'hasActivationRequired',
      'label',
    ]);

    const deployed = await deployAndWait(
      conn,
      await makeZip({
        'package.xml': packageXml({ PermissionSet: ['Tier_Manager'] }),
        'permissionsets/Tier_Manager.permissionset': profileFile(
          classAccess('InvoiceService', false) + '    <label>Tier Manager</label>\n',
          'PermissionSet',
        ),
      }),
    );
    expect(deployed.status).toBe('Succeeded');
    expect(await read({ ApexClass: ['InvoiceService'], CustomField: ['Account.Tier__c'] })).toEqual([
      'classAccesses InvoiceService',
      'fieldPermissions Account.Tier__c',
      'hasActivationRequired',
      'label',
    ]);
  });

  it('deleting a custom field removes its FLS from every stored profile and permission set', async () => {
    const { org, conn } = await seededOrg();
    await emulator().admin.seed(org.id, {
      components: [
        {
          files: {
            'permissionsets/Account_Editor.permissionset': profileFile(
              fieldPermission('Account.Tier__c', true) + permissionSetScalars('Account Editor'),
              'PermissionSet',
            ),
          },
        },
      ],
    });
    const deleted = await deployDeletion(conn, { CustomField: ['Account.Tier__c'] });
    expect(deleted.status).toBe('Succeeded');
    const stored = (type: string, name: string) =>
      labels(
        parseProfile(Object.values(emulator().admin.getComponent(org.id, type, name)!.files)[0]!.toString('utf8')),
      );
    expect(stored('Profile', 'Admin')).not.toContain('fieldPermissions Account.Tier__c');
    expect(stored('Profile', 'Admin')).toContain('fieldPermissions Account.Region__c');
    expect(stored('PermissionSet', 'Account_Editor')).toEqual(['hasActivationRequired', 'label']);
  });
});

import { describe, it, beforeAll, afterAll, expect } from '@jest/globals';
import { elementLabel, parseProfile, sameElements, type ProfileDocument } from '../../src/common/profile-xml.js';
import { startHarness, type Harness } from '../helpers/backtrack.harness.js';
import {
  demoOrgId,
  deployAndWait,
  jobStory,
  newBranch,
  projectZip,
  rollbackAndWait,
  upload,
} from '../helpers/deploy-flow.js';
import { closeStarted } from '../helpers/lifecycle.js';
import {
  apiEnabled,
  classAccess,
  fieldPermission,
  notCustom,
  objectPermission,
  profileFile,
  userLicense,
} from '../helpers/profile-fixtures.js';

const SRC = 'force-app/main/default';

/** The Admin profile in the org before the deploy, as Salesforce writes it (metadata format). */
const ADMIN_BEFORE = profileFile(
  notCustom +
    fieldPermission('Account.Region__c', false) +
    fieldPermission('Account.Tier__c', false) +
    objectPermission('Account', true) +
    userLicense +
    apiEnabled,
);

const fieldXml = (name: string, label: string) => `<?xml version="1.0" encoding="UTF-8"?>
<CustomField xmlns="http://soap.sforce.com/2006/04/metadata">
    <fullName>${name}</fullName>
    <label>${label}</label>
    <length>40</length>
    <type>Text</type>
</CustomField>
`;

const accountObject = `<?xml version="1.0" encoding="UTF-8"?>
<CustomObject xmlns="http://soap.sforce.com/2006/04/metadata">
    <fields>
        <fullName>Region__c</fullName>
        <label>Region</label>
        <length>40</length>
        <type>Text</type>
    </fields>
    <fields>
        <fullName>Tier__c</fullName>
        <label>Tier</label>
        <length>40</length>
        <type>Text</type>
    </fields>
</CustomObject>
`;

/**
 * The project: changes Account.Tier__c and its FLS (read-only → editable), creates Account.Segment__c with FLS and
 * class TierService with access; the profile's file also holds FLS for Account.Region__c, a field the deploy does
 * not carry (editable as given).
 */
const project = (regionEditable: boolean) =>
  projectZip({
    [`${SRC}/objects/Account/fields/Tier__c.field-meta.xml`]: fieldXml('Tier__c', 'Customer Tier'),
    [`${SRC}/objects/Account/fields/Segment__c.field-meta.xml`]: fieldXml('Segment__c', 'Segment'),
    [`${SRC}/classes/TierService.cls`]:
      "public with sharing class TierService {\n    public static String tier() { return 'Gold'; }\n}\n",
    [`${SRC}/classes/TierService.cls-meta.xml`]:
      '<?xml version="1.0" encoding="UTF-8"?>\n<ApexClass xmlns="http://soap.sforce.com/2006/04/metadata">\n    <apiVersion>60.0</apiVersion>\n    <status>Active</status>\n</ApexClass>\n',
    [`${SRC}/profiles/Admin.profile-meta.xml`]: profileFile(
      classAccess('TierService') +
        notCustom +
        fieldPermission('Account.Region__c', regionEditable) +
        fieldPermission('Account.Segment__c', true) +
        fieldPermission('Account.Tier__c', true) +
        userLicense,
    ),
  });

describe('Profiles: backup with the deploy, element-wise restore and verification', () => {
  let h: Harness;
  let orgId: string;
  const emulator = () => h.backtrack.emulator!;
  const org = () => emulator().defaultOrg.id;
  const storedProfile = (): ProfileDocument =>
    parseProfile(Object.values(emulator().admin.getComponent(org(), 'Profile', 'Admin')!.files)[0]!.toString('utf8'));
  const element = (doc: ProfileDocument, label: string) =>
    Object.fromEntries(doc.elements.find((e) => elementLabel(e) === label)?.values ?? []);
  const logs = async (jobId: string): Promise<string[]> =>
    ((await h.api('GET', `/api/jobs/${jobId}/logs`)).body.items as { message: string }[]).map((l) => l.message);

  beforeAll(async () => {
    h = await startHarness();
    orgId = await demoOrgId(h);
  });
  afterAll(() => closeStarted(h));

  async function seedOrg(): Promise<void> {
    await emulator().admin.seed(org(), {
      components: [
        { files: { 'objects/Account.object': accountObject } },
        { files: { 'profiles/Admin.profile': ADMIN_BEFORE } },
      ],
    });
  }

  it('rolls back a deploy that changed a field and its FLS: the profile is as before element by element, the created field goes with its FLS', async () => {
    await seedOrg();
    const branchId = await newBranch(h, 'profile-fls');
    await upload(h, branchId, await project(true));
    const deploy = await deployAndWait(h, branchId, orgId);
    expect(await jobStory(h, deploy.id)).toMatch(/^Completed/);
    const deployed = storedProfile();
    expect(element(deployed, 'fieldPermissions Account.Tier__c')).toMatchObject({ editable: 'true' });
    expect(element(deployed, 'fieldPermissions Account.Region__c')).toMatchObject({ editable: 'true' });
    expect(element(deployed, 'classAccesses TierService')).toMatchObject({ enabled: 'true' });
    expect(element(deployed, 'objectPermissions Account')).toMatchObject({ allowEdit: 'true' }); // merged, not replaced
    // the diff reads the live profile with the backup's components and compares the elements the deploy touched
    const diff = (await h.api('GET', `/api/jobs/${deploy.id}/components/Profile/Admin/diff?live=true`)).body;
    expect(diff).toMatchObject({ changedByDeploy: true, drift: false });
    expect(diff.files[0].live.sha256).not.toBe(diff.files[0].deployed.sha256); // the org's file holds more elements

    const rollback = await rollbackAndWait(h, deploy.id, { all: true, acceptDataLoss: true });
    expect(await jobStory(h, rollback.id)).toMatch(/^Completed/);
    const after = storedProfile();
    expect(after.elements.map(elementLabel)).toEqual(parseProfile(ADMIN_BEFORE).elements.map(elementLabel));
    expect(sameElements(after, parseProfile(ADMIN_BEFORE))).toBe(true);
    expect(emulator().admin.getComponent(org(), 'CustomField', 'Account.Segment__c')).toBeUndefined();
    expect(emulator().admin.getComponent(org(), 'ApexClass', 'TierService')).toBeUndefined();
    expect(await logs(rollback.id)).toContainEqual(
      expect.stringMatching(
        /^Verified element by element: the 6 element\(s\) the deploy touched are as before it: 2 restored \(fieldPermissions Account.Region__c, fieldPermissions Account.Tier__c\); 2 gone with their component \(classAccesses TierService, fieldPermissions Account.Segment__c\); 2 it left as they were$/,
      ),
    );

    const backup = (await h.api('GET', `/api/jobs/${deploy.id}/logs`)).body.items as { message: string }[];
    expect(backup.map((l) => l.message)).toContainEqual(
      expect.stringMatching(/^Backup: 1 profile\(s\) or permission set\(s\) are read with 4 component\(s\)/),
    );
  });

  it('reports a rollback whose profile deploy succeeds without restoring an element as a verification failure', async () => {
    await seedOrg();
    const branchId = await newBranch(h, 'profile-hand-edit');
    await upload(h, branchId, await project(false));
    const deploy = await deployAndWait(h, branchId, orgId);
    expect(await jobStory(h, deploy.id)).toMatch(/^Completed/);

    // someone makes Region__c editable by hand: an element the deploy's file holds, unchanged by the deploy
    const handEdited = storedProfile()
      .elements.map((e) => e.text)
      .join('\n')
      .replace(/<editable>false<\/editable>(\s*<field>Account\.Region__c)/, '<editable>true</editable>$1');
    await emulator().admin.seed(org(), {
      components: [
        {
          files: {
            'profiles/Admin.profile': `<Profile xmlns="http://soap.sforce.com/2006/04/metadata">\n${handEdited}\n</Profile>\n`,
          },
        },
      ],
    });

    const diff = (await h.api('GET', `/api/jobs/${deploy.id}/components/Profile/Admin/diff?live=true`)).body;
    expect(diff.drift).toBe(true);
    expect(diff.files[0].driftDiff).toContain('Account.Region__c');

    const refused = await rollbackAndWait(h, deploy.id, { all: true, acceptDataLoss: true });
    expect(refused.status).toBe('Exception');
    expect(refused.error).toMatch(/^Refused: 1 component\(s\) changed in the org after the deploy \(Profile:Admin\)/);

    const forced = await rollbackAndWait(h, deploy.id, { all: true, force: true, acceptDataLoss: true });
    expect(forced.status).toBe('Exception');
    expect(forced.error).toMatch(/differ from the snapshot afterwards: Profile:Admin/);
    expect(await logs(forced.id)).toContain(
      'Verification failed: fieldPermissions Account.Region__c: editable is true, expected false',
    );
    expect(element(storedProfile(), 'fieldPermissions Account.Tier__c')).toMatchObject({ editable: 'false' });
  });
});

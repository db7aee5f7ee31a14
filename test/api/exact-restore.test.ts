import { describe, it, beforeAll, afterAll, expect } from '@jest/globals';
import { writeZipWithArchiver } from '../../src/common/zip.js';
import { startHarness, type Harness } from '../helpers/backtrack.harness.js';
import {
  demoOrgId,
  deployAndWait,
  differingFiles,
  jobStory,
  newBranch,
  orgFiles,
  projectZip,
  rollbackAndWait,
  upload,
} from '../helpers/deploy-flow.js';
import { closeStarted } from '../helpers/lifecycle.js';

const SRC = 'force-app/main/default';
const labels = (value: string) => `<?xml version="1.0" encoding="UTF-8"?>
<CustomLabels xmlns="http://soap.sforce.com/2006/04/metadata">
    <labels>
        <fullName>Welcome_Message</fullName>
        <language>en_US</language>
        <protected>false</protected>
        <shortDescription>Welcome message</shortDescription>
        <value>${value}</value>
    </labels>
</CustomLabels>
`;
const resourceMeta = (contentType: string) => `<?xml version="1.0" encoding="UTF-8"?>
<StaticResource xmlns="http://soap.sforce.com/2006/04/metadata">
    <cacheControl>Public</cacheControl>
    <contentType>${contentType}</contentType>
</StaticResource>
`;
const field = (name: string, label: string) => `<?xml version="1.0" encoding="UTF-8"?>
<CustomField xmlns="http://soap.sforce.com/2006/04/metadata">
    <fullName>${name}</fullName>
    <label>${label}</label>
    <length>18</length>
    <type>Text</type>
</CustomField>
`;
const cls = (name: string, body: string) => `public with sharing class ${name} {\n    ${body}\n}\n`;
const clsMeta = (version: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<ApexClass xmlns="http://soap.sforce.com/2006/04/metadata">\n    <apiVersion>${version}</apiVersion>\n    <status>Active</status>\n</ApexClass>\n`;

describe('Exact backups and restores', () => {
  let h: Harness;
  let orgId: string;
  const emulator = () => h.backtrack.emulator!;

  beforeAll(async () => {
    h = await startHarness();
    orgId = await demoOrgId(h);
  });
  afterAll(() => closeStarted(h));

  it('deploys a project with custom labels a second time, and rolls the label back', async () => {
    const branchId = await newBranch(h, 'labels');
    await upload(h, branchId, await projectZip({ [`${SRC}/labels/CustomLabels.labels-meta.xml`]: labels('Hello') }));
    const first = await deployAndWait(h, branchId, orgId);
    expect(await jobStory(h, first.id)).toMatch(/^Completed/);
    const afterFirst = orgFiles(emulator());

    await upload(
      h,
      branchId,
      await projectZip({ [`${SRC}/labels/CustomLabels.labels-meta.xml`]: labels('Welcome aboard') }),
    );
    const second = await deployAndWait(h, branchId, orgId);
    expect(await jobStory(h, second.id)).toMatch(/^Completed/);

    const rollback = await rollbackAndWait(h, second.id, { all: true });
    expect(await jobStory(h, rollback.id)).toMatch(/^Completed/);
    expect(differingFiles(afterFirst, orgFiles(emulator()))).toEqual([]);
  });

  it('restores an archive static resource byte for byte, and verification passes only then', async () => {
    const before = await writeZipWithArchiver([
      { path: 'css/theme.css', content: Buffer.from('body { color: navy; }\n') },
      { path: 'img/logo.svg', content: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>\n') },
    ]);
    await emulator().admin.seed(emulator().defaultOrg.id, {
      components: [
        {
          files: {
            'staticresources/Theme.resource': before,
            'staticresources/Theme.resource-meta.xml': resourceMeta('application/zip'),
          },
        },
      ],
    });
    const seeded = orgFiles(emulator());
    const branchId = await newBranch(h, 'theme');
    await upload(
      h,
      branchId,
      await projectZip({
        [`${SRC}/staticresources/Theme.resource-meta.xml`]: resourceMeta('application/zip'),
        [`${SRC}/staticresources/Theme/css/theme.css`]: 'body { color: teal; }\n',
        [`${SRC}/staticresources/Theme/img/logo.svg`]: '<svg xmlns="http://www.w3.org/2000/svg"/>\n',
      }),
    );
    const deploy = await deployAndWait(h, branchId, orgId);
    expect(await jobStory(h, deploy.id)).toMatch(/^Completed/);
    const snapshot = (await h.api('GET', `/api/jobs/${deploy.id}/snapshot`)).body;
    const theme = snapshot.items.find((i: any) => i.type === 'StaticResource' && i.fullName === 'Theme');
    expect(theme.files.map((f: any) => f.path)).toEqual([
      'staticresources/Theme.resource',
      'staticresources/Theme.resource-meta.xml',
    ]);

    const rollback = await rollbackAndWait(h, deploy.id, { all: true });
    expect(await jobStory(h, rollback.id)).toMatch(/^Completed/);
    const stored = emulator().admin.getComponent(emulator().defaultOrg.id, 'StaticResource', 'Theme')!.files;
    expect(Buffer.from(stored['staticresources/Theme.resource']!).equals(before)).toBe(true);
    expect(differingFiles(seeded, orgFiles(emulator()))).toEqual([]);
  });

  it('reports an unchanged archive static resource as unchanged, however much time passed between deploys', async () => {
    const branchId = await newBranch(h, 'theme-twice');
    await upload(
      h,
      branchId,
      await projectZip({
        [`${SRC}/staticresources/Styles.resource-meta.xml`]: resourceMeta('application/zip'),
        [`${SRC}/staticresources/Styles/app.css`]: 'h1 { font-weight: 600; }\n',
      }),
    );
    const first = await deployAndWait(h, branchId, orgId);
    expect(await jobStory(h, first.id)).toMatch(/^Completed/);
    await new Promise((resolve) => setTimeout(resolve, 2_100)); // zip timestamps have a 2-second resolution
    const second = await deployAndWait(h, branchId, orgId);
    expect(await jobStory(h, second.id)).toMatch(/^Completed/);
    const rows = (await h.api('GET', `/api/jobs/${second.id}/components`)).body.items;
    expect(rows.map((r: any) => `${r.type}:${r.fullName}:${r.action}`)).toEqual(['StaticResource:Styles:unchanged']);
    const candidates = (await h.api('GET', `/api/jobs/${second.id}/rollback`)).body.items;
    expect(candidates).toEqual([]);
  });

  it('records a deploy that only changes the case of a field name as an update, and its rollback keeps the field', async () => {
    await emulator().admin.seed(emulator().defaultOrg.id, {
      components: [
        {
          files: {
            'objects/Shipment__c.object': `<?xml version="1.0" encoding="UTF-8"?>
<CustomObject xmlns="http://soap.sforce.com/2006/04/metadata">
    <fields>
        <fullName>accountId__c</fullName>
        <label>Account id</label>
        <length>18</length>
        <type>Text</type>
    </fields>
    <label>Shipment</label>
    <pluralLabel>Shipments</pluralLabel>
    <nameField>
        <label>Shipment Name</label>
        <type>Text</type>
    </nameField>
    <deploymentStatus>Deployed</deploymentStatus>
    <sharingModel>ReadWrite</sharingModel>
</CustomObject>
`,
          },
        },
      ],
    });
    const branchId = await newBranch(h, 'case-only');
    await upload(
      h,
      branchId,
      await projectZip({
        [`${SRC}/objects/Shipment__c/fields/AccountId__c.field-meta.xml`]: field('AccountId__c', 'Account Id'),
      }),
    );
    const deploy = await deployAndWait(h, branchId, orgId);
    expect(await jobStory(h, deploy.id)).toMatch(/^Completed/);
    const rows = (await h.api('GET', `/api/jobs/${deploy.id}/components`)).body.items;
    expect(rows.map((r: any) => `${r.type}:${r.fullName}:${r.action}`)).toEqual([
      'CustomField:Shipment__c.AccountId__c:update',
    ]);
    const candidates = (await h.api('GET', `/api/jobs/${deploy.id}/rollback`)).body.items;
    expect(candidates.map((c: any) => c.rollbackAction)).toEqual(['restore']);

    const rollback = await rollbackAndWait(h, deploy.id, { all: true });
    expect(await jobStory(h, rollback.id)).toMatch(/^Completed/);
    const fields = emulator()
      .admin.listComponents(emulator().defaultOrg.id, 'CustomField')
      .filter((c) => c.fullName.toLowerCase() === 'shipment__c.accountid__c');
    expect(fields).toHaveLength(1); // the field the org had is still there (with its data), not deleted
    const stored = emulator().admin.getComponent(emulator().defaultOrg.id, 'CustomField', fields[0]!.fullName)!.files;
    expect(
      Object.values(stored)
        .map((b) => Buffer.from(b).toString())
        .join(''),
    ).toContain('<label>Account id</label>');
  });

  it('records the API version of the backup retrieves and restores with it', async () => {
    const creds = emulator().admin.createOrg();
    const org = await h.api('POST', '/api/orgs', {
      body: {
        name: 'Version 62',
        environment: 'uat',
        instanceUrl: creds.instanceUrl,
        apiVersion: '62.0',
        auth: { type: 'accessToken', accessToken: creds.accessToken },
      },
    });
    expect(org.status).toBe(201);
    await emulator().admin.seed(creds.id, {
      components: [
        { files: { 'classes/Pricing.cls': cls('Pricing', '// v0'), 'classes/Pricing.cls-meta.xml': clsMeta('62.0') } },
      ],
    });
    const branchId = await newBranch(h, 'version-62');
    await upload(
      h,
      branchId,
      await projectZip({
        [`${SRC}/classes/Pricing.cls`]: cls('Pricing', '// v1'),
        [`${SRC}/classes/Pricing.cls-meta.xml`]: clsMeta('62.0'),
      }),
    );
    const deploy = await deployAndWait(h, branchId, org.body.id);
    expect(await jobStory(h, deploy.id)).toMatch(/^Completed/);
    const snapshot = (await h.api('GET', `/api/jobs/${deploy.id}/snapshot`)).body;
    expect([snapshot.filesFormat, snapshot.apiVersion]).toEqual(['metadata', '62.0']);
    const rollback = await rollbackAndWait(h, deploy.id, { all: true });
    expect(await jobStory(h, rollback.id)).toMatch(/^Completed/);
    const restored = emulator().admin.getComponent(creds.id, 'ApexClass', 'Pricing')!.files;
    expect(Buffer.from(restored['classes/Pricing.cls']!).toString()).toBe(cls('Pricing', '// v0'));
  });
});

// Metadata-format zips in the shapes real sample apps use, through jsforce: every type SDR knows deploys,
// retrieves byte for byte, lists and deletes.
import { describe, it, beforeAll, afterAll, expect } from '@jest/globals';
import type jsforce from 'jsforce';
import { startEmulator, type EmulatorHandle } from '../../src/emulator/emulator.server.js';
import {
  componentMessages,
  connect,
  customObject,
  deployAndWait,
  field,
  packageXml,
  retrieveAndWait,
} from './emulator.helper.js';
import { makeZip } from './zip.helper.js';

const NS = 'xmlns="http://soap.sforce.com/2006/04/metadata"';
const xml = (root: string, body: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<${root} ${NS}>\n${body}\n</${root}>\n`;

/** One file per component unless noted: path → content, grouped by type and member. */
async function sampleApp(): Promise<{ files: Record<string, string | Buffer>; types: Record<string, string[]> }> {
  const archive = await makeZip({ 'js/app.js': 'console.log(1);\n', 'css/app.css': 'body { margin: 0; }\n' });
  const files: Record<string, string | Buffer> = {
    'contentassets/logo.asset': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 1, 2, 3]),
    'contentassets/logo.asset-meta.xml': xml(
      'ContentAsset',
      '    <isVisibleByExternalUsers>true</isVisibleByExternalUsers>\n    <language>en_US</language>\n    <masterLabel>logo</masterLabel>',
    ),
    'cspTrustedSites/Maps.cspTrustedSite': xml(
      'CspTrustedSite',
      '    <endpointUrl>https://maps.example.com</endpointUrl>\n    <isActive>true</isActive>',
    ),
    'messageChannels/Orders.messageChannel': xml(
      'LightningMessageChannel',
      '    <isExposed>true</isExposed>\n    <masterLabel>Orders</masterLabel>',
    ),
    'prompts/Welcome.prompt': xml('Prompt', '    <masterLabel>Welcome</masterLabel>'),
    'brandingSets/Brand.brandingSet': xml('BrandingSet', '    <masterLabel>Brand</masterLabel>'),
    'lightningExperienceThemes/Theme.lightningExperienceTheme': xml(
      'LightningExperienceTheme',
      '    <masterLabel>Theme</masterLabel>',
    ),
    'lightningOnboardingConfigs/Onboard.lightningOnboardingConfig': xml(
      'LightningOnboardingConfig',
      '    <masterLabel>Onboard</masterLabel>',
    ),
    'experiences/Portal1.site-meta.xml': xml(
      'ExperienceBundle',
      '    <label>Portal</label>\n    <urlPathPrefix>portal</urlPathPrefix>',
    ),
    'experiences/Portal1/config/portal1.json': '{ "type": "site" }\n',
    'experiences/Portal1/views/home.json': '{ "appPageId": "x", "label": "Home" }\n',
    'networks/Portal.network': xml('Network', '    <status>Live</status>\n    <urlPathPrefix>portal</urlPathPrefix>'),
    'sites/Portal.site': xml('CustomSite', '    <active>true</active>'),
    'navigationMenus/SFDC_Default_Navigation_Portal.navigationMenu': xml(
      'NavigationMenu',
      '    <label>Default Navigation</label>',
    ),
    'networkBranding/cbPortal.networkBranding': Buffer.from('branding-bytes'),
    'networkBranding/cbPortal.networkBranding-meta.xml': xml('NetworkBranding', '    <network>Portal</network>'),
    'audience/Everyone.audience': xml('Audience', '    <audienceName>Everyone</audienceName>'),
    'platformEventChannelMembers/ChangeEvents_AccountChangeEvent.platformEventChannelMember': xml(
      'PlatformEventChannelMember',
      '    <eventChannel>ChangeEvents</eventChannel>',
    ),
    'dw/Transform.dwl': '%dw 2.0\noutput application/json\n---\npayload\n',
    'dw/Transform.dwl-meta.xml': xml(
      'DataWeaveResource',
      '    <apiVersion>60.0</apiVersion>\n    <isGlobal>false</isGlobal>',
    ),
    'cachePartitions/Main.cachePartition': xml(
      'PlatformCachePartition',
      '    <isDefaultPartition>true</isDefaultPartition>\n    <masterLabel>Main</masterLabel>',
    ),
    'staticresources/appLib.resource': archive,
    'staticresources/appLib.resource-meta.xml': xml(
      'StaticResource',
      '    <cacheControl>Public</cacheControl>\n    <contentType>application/zip</contentType>',
    ),
    'staticresources/logoPng.resource': Buffer.from([0x89, 0x50, 0x4e, 0x47, 9, 9, 9]),
    'staticresources/logoPng.resource-meta.xml': xml(
      'StaticResource',
      '    <cacheControl>Public</cacheControl>\n    <contentType>image/png</contentType>',
    ),
    'translations/fr.translation': xml(
      'Translations',
      '    <customLabels>\n        <label>Bonjour</label>\n        <name>Greeting</name>\n    </customLabels>',
    ),
    'flows/Route_Case.flow': xml(
      'Flow',
      '    <apiVersion>60.0</apiVersion>\n    <label>Route Case</label>\n    <processType>AutoLaunchedFlow</processType>\n    <status>Active</status>',
    ),
    'permissionsets/Sales.permissionset': xml('PermissionSet', '    <label>Sales</label>'),
    'layouts/Account-Account Layout.layout': xml(
      'Layout',
      '    <layoutSections>\n        <style>TwoColumnsTopToBottom</style>\n    </layoutSections>',
    ),
    'flexipages/Home.flexipage': xml('FlexiPage', '    <masterLabel>Home</masterLabel>\n    <type>HomePage</type>'),
    'quickActions/Account.Call.quickAction': xml('QuickAction', '    <label>Call</label>\n    <type>LogACall</type>'),
    'reports/Sales-meta.xml': xml('ReportFolder', '    <name>Sales</name>'),
    'reports/Sales/Pipeline.report': xml('Report', '    <format>Tabular</format>\n    <name>Pipeline</name>'),
  };
  const types: Record<string, string[]> = {
    ContentAsset: ['logo'],
    CspTrustedSite: ['Maps'],
    LightningMessageChannel: ['Orders'],
    Prompt: ['Welcome'],
    BrandingSet: ['Brand'],
    LightningExperienceTheme: ['Theme'],
    LightningOnboardingConfig: ['Onboard'],
    ExperienceBundle: ['Portal1'],
    Network: ['Portal'],
    CustomSite: ['Portal'],
    NavigationMenu: ['SFDC_Default_Navigation_Portal'],
    NetworkBranding: ['cbPortal'],
    Audience: ['Everyone'],
    PlatformEventChannelMember: ['ChangeEvents_AccountChangeEvent'],
    DataWeaveResource: ['Transform'],
    PlatformCachePartition: ['Main'],
    StaticResource: ['appLib', 'logoPng'],
    Translations: ['fr'],
    Flow: ['Route_Case'],
    PermissionSet: ['Sales'],
    Layout: ['Account-Account Layout'],
    FlexiPage: ['Home'],
    QuickAction: ['Account.Call'],
    ReportFolder: ['Sales'],
    Report: ['Sales/Pipeline'],
  };
  return { files, types };
}

const workflow = xml(
  'Workflow',
  '    <fieldUpdates>\n        <fullName>Set_Status</fullName>\n        <field>Status</field>\n        <operation>Literal</operation>\n    </fieldUpdates>\n' +
    '    <rules>\n        <fullName>Escalate</fullName>\n        <active>true</active>\n    </rules>',
);
const labels = xml(
  'CustomLabels',
  '    <labels>\n        <fullName>Greeting</fullName>\n        <language>en_US</language>\n        <protected>false</protected>\n        <shortDescription>Greeting</shortDescription>\n        <value>Hello</value>\n    </labels>',
);
const recordType =
  '    <recordTypes>\n        <fullName>Retail</fullName>\n        <active>true</active>\n        <label>Retail</label>\n    </recordTypes>\n';

describe('every metadata type SDR knows, in the shapes sample apps use', () => {
  let emulator: EmulatorHandle;
  let conn: jsforce.Connection;
  let app: Awaited<ReturnType<typeof sampleApp>>;

  beforeAll(async () => {
    emulator = await startEmulator({ latencyMs: 0 });
    conn = connect(emulator.url, emulator.defaultOrg.accessToken);
    app = await sampleApp();
  });
  afterAll(() => emulator.close());

  it('deploys every component of a sample app, each reported created', async () => {
    const zip = await makeZip({ 'package.xml': packageXml(app.types), ...app.files });
    const result = await deployAndWait(conn, zip);
    expect(componentMessages(result.details?.componentFailures)).toEqual([]);
    expect(result.status).toBe('Succeeded');
    const created = componentMessages(result.details?.componentSuccesses).map(
      (m) => `${m.componentType}:${m.fullName}`,
    );
    const expected = Object.entries(app.types).flatMap(([type, members]) => members.map((m) => `${type}:${m}`));
    expect(created.sort()).toEqual(expected.sort());
  });

  it('retrieves every file exactly as deployed, archive static resources byte for byte', async () => {
    const { result, files } = await retrieveAndWait(
      conn,
      Object.entries(app.types).map(([name, members]) => ({ name, members })),
    );
    expect(result.messages ?? []).toEqual([]);
    for (const [path, content] of Object.entries(app.files)) {
      expect({ path, bytes: files.get(path)?.toString('base64') }).toEqual({
        path,
        bytes: Buffer.from(content).toString('base64'),
      });
    }
  });

  it('deploys and retrieves decomposed types: Workflow children, custom labels, record types', async () => {
    const zip = await makeZip({
      'package.xml': packageXml({ Workflow: ['Case'], CustomLabels: ['CustomLabels'], CustomObject: ['Invoice__c'] }),
      'workflows/Case.workflow': workflow,
      'labels/CustomLabels.labels': labels,
      'objects/Invoice__c.object': customObject(field('Amount__c', 'Number'), recordType),
    });
    const result = await deployAndWait(conn, zip);
    expect(result.status).toBe('Succeeded');
    const deployed = componentMessages(result.details?.componentSuccesses).map(
      (m) => `${m.componentType}:${m.fullName}`,
    );
    expect(deployed).toEqual(
      expect.arrayContaining([
        'WorkflowRule:Case.Escalate',
        'WorkflowFieldUpdate:Case.Set_Status',
        'CustomLabel:Greeting',
        'RecordType:Invoice__c.Retail',
      ]),
    );
    const { files } = await retrieveAndWait(conn, [{ name: 'WorkflowRule', members: ['Case.Escalate'] }]);
    const retrieved = files.get('workflows/Case.workflow')?.toString('utf8') ?? '';
    expect(retrieved).toContain('<fullName>Escalate</fullName>');
    expect(retrieved).not.toContain('Set_Status');
  });

  it('lists in-folder types by folder, and describes types beyond the classic set', async () => {
    const listed = await conn.metadata.list([{ type: 'Report', folder: 'Sales' }]);
    expect((Array.isArray(listed) ? listed : [listed]).map((p) => p.fullName)).toEqual(['Sales/Pipeline']);
    const messageChannels = await conn.metadata.list([{ type: 'LightningMessageChannel' }]);
    expect((Array.isArray(messageChannels) ? messageChannels : [messageChannels]).map((p) => p.fullName)).toEqual([
      'Orders',
    ]);
    const described = await conn.metadata.describe('60.0');
    const names = described.metadataObjects.map((o) => o.xmlName);
    expect(names).toEqual(
      expect.arrayContaining(['ExperienceBundle', 'ContentAsset', 'Report', 'PlatformEventChannelMember']),
    );
    expect(names).not.toContain('ReportFolder');
  });

  it('deletes components of any type through destructiveChanges.xml', async () => {
    const doomed = {
      LightningMessageChannel: ['Orders'],
      StaticResource: ['appLib'],
      ExperienceBundle: ['Portal1'],
      Report: ['Sales/Pipeline'],
    };
    const zip = await makeZip({ 'package.xml': packageXml({}), 'destructiveChanges.xml': packageXml(doomed) });
    const result = await deployAndWait(conn, zip);
    expect(componentMessages(result.details?.componentFailures)).toEqual([]);
    const left = emulator.admin.listComponents(emulator.defaultOrg.id).map((c) => `${c.type}:${c.fullName}`);
    for (const [type, members] of Object.entries(doomed))
      for (const m of members) expect(left).not.toContain(`${type}:${m}`);
    expect(left).toContain('StaticResource:logoPng');
  });

  it('fails a CustomField whose custom object is neither in the org nor in the deploy', async () => {
    const zip = await makeZip({
      'package.xml': packageXml({ CustomField: ['Ghost__c.Amount__c'] }),
      'objects/Ghost__c.object': customObject(field('Amount__c', 'Number')),
    });
    const result = await deployAndWait(conn, zip);
    expect(result.status).toBe('Failed');
    expect(componentMessages(result.details?.componentFailures)).toEqual([
      expect.objectContaining({
        componentType: 'CustomField',
        fullName: 'Ghost__c.Amount__c',
        problem: expect.stringContaining('Ghost__c'),
      }),
    ]);
  });
});

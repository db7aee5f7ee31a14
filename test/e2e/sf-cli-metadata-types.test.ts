// The official Salesforce CLI deploys a source-format project with the types sample apps use to the emulator
// and retrieves it back unchanged.
import { describe, it, beforeAll, afterAll, expect } from '@jest/globals';
import { readFile, readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { closeStarted } from '../helpers/lifecycle.js';
import { CLI_API_VERSION, expectSuccess, startLoggedInSandbox, type CliSandbox } from './sf-cli.helper.js';

const NS = 'xmlns="http://soap.sforce.com/2006/04/metadata"';
const xml = (root: string, body: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<${root} ${NS}>\n${body}\n</${root}>\n`;

const SOURCE: Record<string, string> = {
  'messageChannels/Orders.messageChannel-meta.xml': xml(
    'LightningMessageChannel',
    '    <isExposed>true</isExposed>\n    <masterLabel>Orders</masterLabel>',
  ),
  'staticresources/appLib/js/app.js': 'console.log(1);\n',
  'staticresources/appLib/css/app.css': 'body {\n    margin: 0;\n}\n',
  'staticresources/appLib.resource-meta.xml': xml(
    'StaticResource',
    '    <cacheControl>Public</cacheControl>\n    <contentType>application/zip</contentType>',
  ),
  'labels/CustomLabels.labels-meta.xml': xml(
    'CustomLabels',
    '    <labels>\n        <fullName>Greeting</fullName>\n        <language>en_US</language>\n        <protected>false</protected>\n' +
      '        <shortDescription>Greeting</shortDescription>\n        <value>Hello</value>\n    </labels>',
  ),
  'objects/Invoice__c/Invoice__c.object-meta.xml': xml(
    'CustomObject',
    '    <deploymentStatus>Deployed</deploymentStatus>\n    <label>Invoice</label>\n    <nameField>\n        <label>Invoice Name</label>\n' +
      '        <type>Text</type>\n    </nameField>\n    <pluralLabel>Invoices</pluralLabel>\n    <sharingModel>ReadWrite</sharingModel>',
  ),
  'objects/Invoice__c/fields/Amount__c.field-meta.xml': xml(
    'CustomField',
    '    <fullName>Amount__c</fullName>\n    <label>Amount</label>\n    <precision>18</precision>\n    <scale>2</scale>\n    <type>Number</type>',
  ),
  'contentassets/logo.asset': 'not really a png\n',
  'contentassets/logo.asset-meta.xml': xml(
    'ContentAsset',
    '    <language>en_US</language>\n    <masterLabel>logo</masterLabel>',
  ),
  'experiences/Portal1.site-meta.xml': xml(
    'ExperienceBundle',
    '    <label>Portal</label>\n    <urlPathPrefix>portal</urlPathPrefix>',
  ),
  'experiences/Portal1/config/portal1.json': '{ "type": "site" }\n',
  'experiences/Portal1/views/home.json': '{ "label": "Home" }\n',
  'flows/Route.flow-meta.xml': xml(
    'Flow',
    `    <apiVersion>${CLI_API_VERSION}</apiVersion>\n    <label>Route</label>\n    <processType>AutoLaunchedFlow</processType>\n    <status>Active</status>`,
  ),
  'translations/fr.translation-meta.xml': xml(
    'Translations',
    '    <customLabels>\n        <label>Bonjour</label>\n        <name>Greeting</name>\n    </customLabels>',
  ),
  'reports/Sales.reportFolder-meta.xml': xml('ReportFolder', '    <name>Sales</name>'),
  'reports/Sales/Pipeline.report-meta.xml': xml('Report', '    <format>Tabular</format>\n    <name>Pipeline</name>'),
  'cspTrustedSites/Maps.cspTrustedSite-meta.xml': xml(
    'CspTrustedSite',
    '    <endpointUrl>https://maps.example.com</endpointUrl>\n    <isActive>true</isActive>',
  ),
};

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

describe('the official CLI: the metadata types of sample apps', () => {
  let sandbox: CliSandbox;

  beforeAll(async () => {
    sandbox = await startLoggedInSandbox();
    await sandbox.writeSource(SOURCE);
  });
  afterAll(() => closeStarted(sandbox));

  it('deploys a project with message channels, static resources, labels, experiences, reports… and retrieves it unchanged', async () => {
    const deployed = await sandbox.sfOrg<{ status: string }>('project', 'deploy', 'start', '-d', 'force-app');
    expect(JSON.stringify(deployed.json.result ?? deployed.json).match(/"problem":"[^"]*"/g) ?? []).toEqual([]);
    expect(deployed.json.result?.status).toBe('Succeeded');

    const metadata = [
      'LightningMessageChannel',
      'StaticResource',
      'CustomLabels',
      'CustomObject',
      'ContentAsset',
      'ExperienceBundle',
      'Flow',
      'Translations',
      'CspTrustedSite',
      'Report:Sales',
      'Report:Sales/Pipeline',
    ];
    const metadataFlags = metadata.flatMap((m) => ['-m', m]);
    expectSuccess(await sandbox.sfOrg('project', 'retrieve', 'start', ...metadataFlags, '--output-dir', 'retrieved'));
    const out = join(sandbox.projectDir, 'retrieved');
    expect(await listFiles(out)).toEqual(Object.keys(SOURCE).sort());
    for (const [path, content] of Object.entries(SOURCE)) {
      expect({ path, content: await readFile(join(out, path), 'utf8') }).toEqual({ path, content });
    }
  });
});

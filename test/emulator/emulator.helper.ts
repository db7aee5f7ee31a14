// Shared fixtures for the emulator tests: jsforce connections, deploy/retrieve loops, sample metadata.
import { afterAll, beforeAll } from '@jest/globals';
import jsforce from 'jsforce';
import type { DeployResult, RetrieveResult } from 'jsforce/lib/api/metadata.js';
import { startEmulator, type EmulatorHandle } from '../../src/emulator/emulator.server.js';
import { closeStarted } from '../helpers/lifecycle.js';
import { makeZip, unzip } from './zip.helper.js';

export const API_VERSION = '60.0';

/**
 * The answers as they come over the wire: jsforce types `details` and `messages` as always there, but Salesforce
 * (and so the emulator) leaves them out when there is nothing to report.
 */
export type DeployAnswer = Omit<DeployResult, 'details'> & Partial<Pick<DeployResult, 'details'>>;
export type RetrieveAnswer = Omit<RetrieveResult, 'messages'> & Partial<Pick<RetrieveResult, 'messages'>>;

export function connect(instanceUrl: string, accessToken: string): jsforce.Connection {
  return new jsforce.Connection({ instanceUrl, accessToken, version: API_VERSION });
}

/**
 * Starts an emulator (any free port) before the enclosing describe's tests and closes it after them; `newOrg()` gives
 * a test its own org and a jsforce connection to it, so tests do not see each other's metadata.
 */
export function emulatorSuite(options: { latencyMs: number }) {
  let started: EmulatorHandle | undefined;
  beforeAll(async () => {
    started = await startEmulator({ port: 0, ...options });
  });
  afterAll(() => closeStarted(started));
  const emulator = (): EmulatorHandle => {
    if (!started) throw new Error('the emulator has not started (beforeAll failed)');
    return started;
  };
  const newOrg = () => {
    const org = emulator().admin.createOrg();
    return { org, conn: connect(org.instanceUrl, org.accessToken) };
  };
  return { emulator, newOrg };
}

export async function deployAndWait(
  conn: jsforce.Connection,
  zip: Buffer,
  options: Record<string, unknown> = {},
): Promise<DeployAnswer> {
  const started = await conn.metadata.deploy(zip, { singlePackage: true, rollbackOnError: true, ...options });
  for (;;) {
    const result = await conn.metadata.checkDeployStatus(started.id, true);
    if (result.done) return result;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The manifests a deploy deletes with: before its other components (the default), or after them. */
type DestructiveManifest = 'destructiveChanges.xml' | 'destructiveChangesPre.xml' | 'destructiveChangesPost.xml';

/** Deploys only a destructive manifest (with an empty package.xml) deleting `types`. */
export async function deployDeletion(
  conn: jsforce.Connection,
  types: Record<string, string[]>,
  manifest: DestructiveManifest = 'destructiveChanges.xml',
): Promise<DeployAnswer> {
  return deployAndWait(conn, await makeZip({ 'package.xml': packageXml({}), [manifest]: packageXml(types) }));
}

export async function retrieveAndWait(
  conn: jsforce.Connection,
  types: { name: string; members: string[] }[],
  singlePackage = true,
): Promise<{ result: RetrieveAnswer; files: Map<string, Buffer> }> {
  // jsforce's RetrieveRequest type wants every optional field of the WSDL; send what a client really sends.
  const request = { apiVersion: API_VERSION, singlePackage, unpackaged: { types, version: API_VERSION } };
  const started = await conn.metadata.retrieve(request as unknown as Parameters<typeof conn.metadata.retrieve>[0]);
  for (;;) {
    const result = await conn.metadata.checkRetrieveStatus(started.id);
    if (String(result.done) === 'true') {
      const files = result.zipFile ? await unzip(Buffer.from(result.zipFile, 'base64')) : new Map<string, Buffer>();
      return { result, files };
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Component messages only (package.xml has an empty componentType). */
export function componentMessages<T extends { componentType?: string | null }>(messages: T[] | T | undefined): T[] {
  const list = messages === undefined ? [] : Array.isArray(messages) ? messages : [messages];
  return list.filter((m) => m.componentType);
}

export function packageXml(types: Record<string, string[]>): string {
  const body = Object.entries(types)
    .map(
      ([name, members]) =>
        `  <types>\n${members.map((m) => `    <members>${m}</members>\n`).join('')}    <name>${name}</name>\n  </types>\n`,
    )
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Package xmlns="http://soap.sforce.com/2006/04/metadata">\n${body}  <version>${API_VERSION}</version>\n</Package>\n`;
}

export const classMeta = `<?xml version="1.0" encoding="UTF-8"?>
<ApexClass xmlns="http://soap.sforce.com/2006/04/metadata">
    <apiVersion>${API_VERSION}</apiVersion>
    <status>Active</status>
</ApexClass>
`;

export const apexClass = (name: string, body = '') =>
  `public with sharing class ${name} {\n    // ${body}\n    public static String hello() { return 'hi {'; }\n}\n`;

export const field = (name: string, type = 'Text') => `    <fields>
        <fullName>${name}</fullName>
        <label>${name}</label>
        <length>80</length>
        <type>${type}</type>
    </fields>
`;

export const customObject = (...fields: string[]) => `<?xml version="1.0" encoding="UTF-8"?>
<CustomObject xmlns="http://soap.sforce.com/2006/04/metadata">
    <deploymentStatus>Deployed</deploymentStatus>
${fields.join('')}    <label>Invoice</label>
    <nameField>
        <label>Invoice Name</label>
        <type>Text</type>
    </nameField>
    <pluralLabel>Invoices</pluralLabel>
    <sharingModel>ReadWrite</sharingModel>
</CustomObject>
`;

export const lwcFiles = {
  'lwc/invoiceCard/invoiceCard.js':
    "import { LightningElement } from 'lwc';\nexport default class InvoiceCard extends LightningElement {}\n",
  'lwc/invoiceCard/invoiceCard.html': '<template>\n    <p>Invoice</p>\n</template>\n',
  'lwc/invoiceCard/invoiceCard.js-meta.xml': `<?xml version="1.0" encoding="UTF-8"?>\n<LightningComponentBundle xmlns="http://soap.sforce.com/2006/04/metadata">\n    <apiVersion>${API_VERSION}</apiVersion>\n    <isExposed>false</isExposed>\n</LightningComponentBundle>\n`,
};

/** The zip of the first scenario: a class, an object with two fields and an LWC bundle. */
export function starterFiles(): Record<string, string> {
  return {
    'package.xml': packageXml({
      ApexClass: ['InvoiceService'],
      CustomObject: ['Invoice__c'],
      LightningComponentBundle: ['invoiceCard'],
    }),
    'classes/InvoiceService.cls': apexClass('InvoiceService'),
    'classes/InvoiceService.cls-meta.xml': classMeta,
    'objects/Invoice__c.object': customObject(field('Amount__c', 'Number'), field('Status__c')),
    ...lwcFiles,
  };
}

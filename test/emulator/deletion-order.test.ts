import { describe, it, expect } from '@jest/globals';
import type jsforce from 'jsforce';
import {
  API_VERSION,
  classMeta,
  componentMessages,
  customObject,
  deployAndWait,
  type DeployAnswer,
  emulatorSuite,
  field,
  packageXml,
  retrieveAndWait,
} from './emulator.helper.js';
import { makeZip } from './zip.helper.js';

const usesAmount = (name: string) => `public with sharing class ${name} {
    public static Decimal total(Id invoiceId) {
        Invoice__c inv = [SELECT Amount__c FROM Invoice__c WHERE Id = :invoiceId];
        return inv.Amount__c;
    }
}
`;
const plain = (name: string, body = 'return 1;') => `public with sharing class ${name} {
    public static Integer run() {
        ${body}
    }
}
`;
const formulaField = (name: string, formula: string) => `    <fields>
        <fullName>${name}</fullName>
        <formula>${formula}</formula>
        <label>${name}</label>
        <precision>18</precision>
        <scale>2</scale>
        <type>Number</type>
    </fields>
`;
const rule = (name: string, active: boolean, formula: string) => `    <validationRules>
        <fullName>${name}</fullName>
        <active>${active}</active>
        <errorConditionFormula>${formula}</errorConditionFormula>
        <errorMessage>Amount must not be negative</errorMessage>
    </validationRules>
`;
const triggerMeta = `<?xml version="1.0" encoding="UTF-8"?>
<ApexTrigger xmlns="http://soap.sforce.com/2006/04/metadata">
    <apiVersion>${API_VERSION}</apiVersion>
    <status>Active</status>
</ApexTrigger>
`;
const pageMeta = `<?xml version="1.0" encoding="UTF-8"?>
<ApexPage xmlns="http://soap.sforce.com/2006/04/metadata">
    <apiVersion>${API_VERSION}</apiVersion>
    <label>Invoice</label>
</ApexPage>
`;
const lwcMeta = `<?xml version="1.0" encoding="UTF-8"?>
<LightningComponentBundle xmlns="http://soap.sforce.com/2006/04/metadata">
    <apiVersion>${API_VERSION}</apiVersion>
    <isExposed>true</isExposed>
</LightningComponentBundle>
`;
const layout = `<?xml version="1.0" encoding="UTF-8"?>
<Layout xmlns="http://soap.sforce.com/2006/04/metadata">
    <layoutSections>
        <customLabel>false</customLabel>
        <detailHeading>false</detailHeading>
        <editHeading>true</editHeading>
        <label>Information</label>
        <layoutColumns>
            <layoutItems>
                <behavior>Edit</behavior>
                <field>Amount__c</field>
            </layoutItems>
        </layoutColumns>
        <style>OneColumn</style>
    </layoutSections>
</Layout>
`;

describe('deletions Salesforce refuses, and the order it deletes in', () => {
  const { newOrg } = emulatorSuite({ latencyMs: 0 });

  /** A fresh org holding `files` (a metadata package with its package.xml), deployed through jsforce. */
  async function orgWith(files: Record<string, string>) {
    const { conn } = newOrg();
    const seeded = await deployAndWait(conn, await makeZip(files));
    expect(componentMessages(seeded.details?.componentFailures)).toEqual([]);
    return conn;
  }

  /** Deploys only destructive manifests (and what `extra` adds to the package). */
  async function destroy(
    conn: jsforce.Connection,
    manifests: Record<string, Record<string, string[]>>,
    extra: { types?: Record<string, string[]>; files?: Record<string, string> } = {},
  ): Promise<DeployAnswer> {
    const files: Record<string, string> = { 'package.xml': packageXml(extra.types ?? {}), ...extra.files };
    for (const [name, types] of Object.entries(manifests)) files[name] = packageXml(types);
    return deployAndWait(conn, await makeZip(files));
  }

  const failures = (result: DeployAnswer) =>
    componentMessages(result.details?.componentFailures).map((m) => [
      m.componentType,
      m.fullName,
      m.problemType,
      m.problem,
    ]);

  async function present(conn: jsforce.Connection, type: string, member: string): Promise<boolean> {
    const { result } = await retrieveAndWait(conn, [{ name: type, members: [member] }]);
    const messages = result.messages === undefined ? [] : [result.messages].flat();
    return messages.length === 0;
  }

  const invoiceWithAmount = (...extra: string[]) => ({
    'objects/Invoice__c.object': customObject(field('Amount__c', 'Number'), ...extra),
  });

  it('refuses to delete a field an Apex class uses, naming the class; rollbackOnError leaves the org unchanged', async () => {
    const conn = await orgWith({
      'package.xml': packageXml({ CustomObject: ['Invoice__c'], ApexClass: ['InvoiceService', 'Other'] }),
      ...invoiceWithAmount(field('Status__c')),
      'classes/InvoiceService.cls': usesAmount('InvoiceService'),
      'classes/InvoiceService.cls-meta.xml': classMeta,
      'classes/Other.cls': plain('Other'),
      'classes/Other.cls-meta.xml': classMeta,
    });
    const result = await destroy(conn, {
      'destructiveChangesPost.xml': { CustomField: ['Invoice__c.Amount__c', 'Invoice__c.Status__c'] },
    });
    expect(result.status).toBe('Failed');
    expect(failures(result)).toEqual([
      [
        'CustomField',
        'Invoice__c.Amount__c',
        'Error',
        'This custom field is referenced elsewhere in salesforce.com. : Apex Class - InvoiceService.',
      ],
    ]);
    expect(componentMessages(result.details?.componentFailures)[0]!.fileName).toBe('objects/Invoice__c.object');
    expect(await present(conn, 'CustomField', 'Invoice__c.Status__c')).toBe(true);
    expect(await present(conn, 'CustomField', 'Invoice__c.Amount__c')).toBe(true);
  });

  it('deletes in the order the manifest lists: the class before the field it uses works, the reverse does not', async () => {
    const files = {
      'package.xml': packageXml({ CustomObject: ['Invoice__c'], ApexClass: ['InvoiceService'] }),
      ...invoiceWithAmount(),
      'classes/InvoiceService.cls': usesAmount('InvoiceService'),
      'classes/InvoiceService.cls-meta.xml': classMeta,
    };
    const reverse = await destroy(await orgWith(files), {
      'destructiveChangesPost.xml': { CustomField: ['Invoice__c.Amount__c'], ApexClass: ['InvoiceService'] },
    });
    expect(reverse.status).toBe('Failed');
    expect(failures(reverse).map((f) => f[3])).toEqual([
      'This custom field is referenced elsewhere in salesforce.com. : Apex Class - InvoiceService.',
    ]);

    const conn = await orgWith(files);
    const ordered = await destroy(conn, {
      'destructiveChangesPost.xml': { ApexClass: ['InvoiceService'], CustomField: ['Invoice__c.Amount__c'] },
    });
    expect(ordered.status).toBe('Succeeded');
    expect(await present(conn, 'CustomField', 'Invoice__c.Amount__c')).toBe(false);
  });

  it('restores first and deletes after with destructiveChangesPost; destructiveChangesPre deletes before the restore and fails', async () => {
    const files = {
      'package.xml': packageXml({ CustomObject: ['Invoice__c'], ApexClass: ['InvoiceService'] }),
      ...invoiceWithAmount(),
      'classes/InvoiceService.cls': usesAmount('InvoiceService'),
      'classes/InvoiceService.cls-meta.xml': classMeta,
    };
    const restore = {
      types: { ApexClass: ['InvoiceService'] },
      files: {
        'classes/InvoiceService.cls': plain('InvoiceService'),
        'classes/InvoiceService.cls-meta.xml': classMeta,
      },
    };
    const pre = await destroy(
      await orgWith(files),
      { 'destructiveChangesPre.xml': { CustomField: ['Invoice__c.Amount__c'] } },
      restore,
    );
    expect(pre.status).toBe('Failed');
    expect(failures(pre).map((f) => f[3])).toEqual([
      'This custom field is referenced elsewhere in salesforce.com. : Apex Class - InvoiceService.',
    ]);

    const conn = await orgWith(files);
    const post = await destroy(
      conn,
      { 'destructiveChangesPost.xml': { CustomField: ['Invoice__c.Amount__c'] } },
      restore,
    );
    expect(post.status).toBe('Succeeded');
    expect(await present(conn, 'CustomField', 'Invoice__c.Amount__c')).toBe(false);
  });

  it('refuses to delete a class another class, a trigger, a Visualforce page or an LWC uses, naming each', async () => {
    const conn = await orgWith({
      'package.xml': packageXml({
        ApexClass: ['TaxCalc', 'InvoiceService'],
        ApexTrigger: ['InvoiceTrigger'],
        ApexPage: ['InvoicePage'],
        LightningComponentBundle: ['invoiceTotal'],
        CustomObject: ['Invoice__c'],
      }),
      ...invoiceWithAmount(),
      'classes/TaxCalc.cls': plain('TaxCalc'),
      'classes/TaxCalc.cls-meta.xml': classMeta,
      'classes/InvoiceService.cls': plain('InvoiceService', 'return TaxCalc.run();'),
      'classes/InvoiceService.cls-meta.xml': classMeta,
      'triggers/InvoiceTrigger.trigger':
        'trigger InvoiceTrigger on Invoice__c (before insert) {\n    TaxCalc.run();\n}\n',
      'triggers/InvoiceTrigger.trigger-meta.xml': triggerMeta,
      'pages/InvoicePage.page': '<apex:page controller="TaxCalc">\n    <p>{!run}</p>\n</apex:page>\n',
      'pages/InvoicePage.page-meta.xml': pageMeta,
      'lwc/invoiceTotal/invoiceTotal.js':
        "import { LightningElement } from 'lwc';\nimport run from '@salesforce/apex/TaxCalc.run';\nexport default class InvoiceTotal extends LightningElement {}\n",
      'lwc/invoiceTotal/invoiceTotal.js-meta.xml': lwcMeta,
    });
    const result = await destroy(conn, { 'destructiveChanges.xml': { ApexClass: ['TaxCalc'] } });
    expect(result.status).toBe('Failed');
    const [problem] = failures(result).map((f) => f[3] as string);
    expect(problem).toMatch(
      /^This apex class is referenced elsewhere in salesforce\.com\. Remove the usage and try again\. : /,
    );
    for (const referrer of [
      'Apex Class - InvoiceService',
      'Apex Trigger - InvoiceTrigger',
      'Visualforce Page - InvoicePage',
      'Lightning Component Bundle - invoiceTotal',
    ])
      expect(problem).toContain(referrer);
  });

  it('names an active validation rule and a formula field; an inactive rule, a layout and a comment do not block', async () => {
    const conn = await orgWith({
      'package.xml': packageXml({
        CustomObject: ['Invoice__c'],
        ApexClass: ['Notes'],
        Layout: ['Invoice__c-Invoice Layout'],
      }),
      'objects/Invoice__c.object': customObject(
        field('Amount__c', 'Number'),
        field('Note__c'),
        formulaField('Gross__c', 'AMOUNT__C * 1.2'),
        rule('Amount_Positive', true, 'Amount__c &lt; 0'),
        rule('Note_Required', false, 'ISBLANK(Note__c)'),
      ),
      'classes/Notes.cls': plain(
        'Notes',
        "// Invoice__c.Note__c used to be read here\n        return 'Note__c'.length();",
      ),
      'classes/Notes.cls-meta.xml': classMeta,
      'layouts/Invoice__c-Invoice Layout.layout': layout.replace('Amount__c', 'Note__c'),
    });
    const amount = await destroy(conn, { 'destructiveChangesPost.xml': { CustomField: ['Invoice__c.Amount__c'] } });
    expect(failures(amount).map((f) => f[3])).toEqual([
      'This custom field is referenced elsewhere in salesforce.com. : Custom Formula Field - Invoice__c.Gross__c, ' +
        'Validation Rule - Invoice__c.Amount_Positive.',
    ]);
    const note = await destroy(conn, { 'destructiveChangesPost.xml': { CustomField: ['Invoice__c.Note__c'] } });
    expect(note.status).toBe('Succeeded');
  });

  it("refuses to delete a custom object Apex uses; the object's own fields and rules do not block it", async () => {
    const conn = await orgWith({
      'package.xml': packageXml({ CustomObject: ['Invoice__c'], ApexClass: ['InvoiceService'] }),
      'objects/Invoice__c.object': customObject(
        field('Amount__c', 'Number'),
        formulaField('Gross__c', 'Amount__c * 1.2'),
        rule('Amount_Positive', true, 'Amount__c &lt; 0'),
      ),
      'classes/InvoiceService.cls': usesAmount('InvoiceService'),
      'classes/InvoiceService.cls-meta.xml': classMeta,
    });
    const refused = await destroy(conn, { 'destructiveChangesPost.xml': { CustomObject: ['Invoice__c'] } });
    expect(failures(refused).map((f) => f[3])).toEqual([
      'This custom object is referenced elsewhere in salesforce.com. Remove the usage and try again. : ' +
        'Apex Class - InvoiceService.',
    ]);
    const both = await destroy(conn, {
      'destructiveChangesPost.xml': { ApexClass: ['InvoiceService'], CustomObject: ['Invoice__c'] },
    });
    expect(both.status).toBe('Succeeded');
    expect(await present(conn, 'CustomObject', 'Invoice__c')).toBe(false);
  });

  it('answers a Warning for a component already gone, and still deletes the others', async () => {
    const conn = await orgWith({
      'package.xml': packageXml({ ApexClass: ['Other'] }),
      'classes/Other.cls': plain('Other'),
      'classes/Other.cls-meta.xml': classMeta,
    });
    const result = await destroy(conn, { 'destructiveChangesPost.xml': { ApexClass: ['Gone', 'Other'] } });
    expect(result.status).toBe('Succeeded');
    expect(failures(result)).toEqual([
      ['ApexClass', 'destructiveChangesPost.xml', 'Warning', 'No ApexClass named: Gone found'],
    ]);
    expect(await present(conn, 'ApexClass', 'Other')).toBe(false);
  });
});

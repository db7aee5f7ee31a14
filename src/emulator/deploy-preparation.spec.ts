import { describe, it, expect } from '@jest/globals';
import { packageRoot, prepareDeploy } from './deploy-preparation.js';
import { SALESFORCE_LIMITS } from './metadata-limits.js';
import { writeZip } from './zip-io.js';

const pkg = (types: string) =>
  Buffer.from(`<Package xmlns="http://soap.sforce.com/2006/04/metadata">${types}<version>60.0</version></Package>`);
const meta = Buffer.from(
  '<ApexClass xmlns="http://soap.sforce.com/2006/04/metadata"><status>Active</status></ApexClass>',
);
const none = () => undefined;

describe('packageRoot', () => {
  it('finds package.xml at the root or in exactly one folder', () => {
    expect(packageRoot(['package.xml', 'classes/A.cls'])).toBe('');
    expect(packageRoot(['unpackaged/package.xml', 'unpackaged/classes/A.cls'])).toBe('unpackaged/');
    expect(packageRoot(['a/package.xml', 'b/package.xml'])).toBe(undefined);
    expect(packageRoot(['classes/A.cls'])).toBe(undefined);
  });
});

describe('prepareDeploy', () => {
  it('refuses a zip larger than the zip size limit before reading it', async () => {
    const zip = writeZip([['package.xml', pkg('')]]);
    const result = await prepareDeploy(zip, { ...SALESFORCE_LIMITS, maxZipBytes: zip.length - 1 }, none);
    expect(result).toEqual({
      errorStatusCode: 'LIMIT_EXCEEDED',
      errorMessage: `LIMIT_EXCEEDED: Maximum size of deploy zip file exceeded (limit is ${zip.length - 1} bytes)`,
    });
  });

  it('fails package.xml when the zip has none', async () => {
    const result = await prepareDeploy(
      writeZip([['classes/A.cls', Buffer.from('class A {}')]]),
      SALESFORCE_LIMITS,
      none,
    );
    expect('failures' in result && result.failures.map((f) => [f.fileName, f.problem])).toEqual([
      ['package.xml', 'No package.xml found'],
    ]);
  });

  it('takes only the components package.xml names, and children of a named object', async () => {
    const object = Buffer.from(
      '<CustomObject><label>O</label><fields><fullName>F__c</fullName></fields><fields><fullName>G__c</fullName></fields></CustomObject>',
    );
    const zip = writeZip([
      [
        'package.xml',
        pkg(
          '<types><members>A</members><name>ApexClass</name></types><types><members>O__c.G__c</members><name>CustomField</name></types>',
        ),
      ],
      ['classes/A.cls', Buffer.from('class A {}')],
      ['classes/A.cls-meta.xml', meta],
      ['classes/Unlisted.cls', Buffer.from('class Unlisted {}')],
      ['classes/Unlisted.cls-meta.xml', meta],
      ['objects/O__c.object', object],
    ]);
    const result = await prepareDeploy(zip, SALESFORCE_LIMITS, none);
    if (!('candidates' in result)) throw new Error(`expected a prepared deploy, got ${JSON.stringify(result)}`);
    expect(result.candidates.map((c) => `${c.type}:${c.fullName}`)).toEqual(['ApexClass:A', 'CustomField:O__c.G__c']);
    expect(result.failures).toEqual([]);
  });

  it('reads destructive manifests into pre and post deletions', async () => {
    const zip = writeZip([
      ['package.xml', pkg('')],
      ['destructiveChanges.xml', pkg('<types><members>A</members><name>ApexClass</name></types>')],
      ['destructiveChangesPost.xml', pkg('<types><members>O__c.F__c</members><name>CustomField</name></types>')],
    ]);
    const result = await prepareDeploy(zip, SALESFORCE_LIMITS, none);
    if (!('deletions' in result)) throw new Error(`expected a prepared deploy, got ${JSON.stringify(result)}`);
    expect(result.deletions.map((d) => [d.type, d.fullName, d.phase])).toEqual([
      ['ApexClass', 'A', 'pre'],
      ['CustomField', 'O__c.F__c', 'post'],
    ]);
  });

  it('fails an injected component with the injected problem', async () => {
    const zip = writeZip([
      ['package.xml', pkg('<types><members>A</members><name>ApexClass</name></types>')],
      ['classes/A.cls', Buffer.from('class A {}')],
      ['classes/A.cls-meta.xml', meta],
    ]);
    const result = await prepareDeploy(zip, SALESFORCE_LIMITS, (ref) =>
      ref.fullName === 'A' ? 'injected' : undefined,
    );
    if (!('candidates' in result)) throw new Error(`expected a prepared deploy, got ${JSON.stringify(result)}`);
    expect(result.candidates[0]?.problem?.problem).toBe('injected');
  });
});

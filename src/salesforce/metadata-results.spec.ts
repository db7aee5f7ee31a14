import { randomBytes } from 'node:crypto';
import { test, expect } from '@jest/globals';
import { mapSalesforceError, parseSfdxAuthUrl, redact } from './jsforce.gateway.js';
import { SalesforceApiError, SalesforceAuthError, SalesforceUnavailableError } from './metadata-api.gateway.js';
import {
  normalizeDeployResult,
  normalizeRetrieveResult,
  takeZipFile,
  withoutFileProperties,
} from './metadata-results.js';
import { parseSoapXml } from './soap-xml.js';

test('a deploy result from SOAP strings becomes booleans, numbers and arrays, without the package.xml entry', () => {
  const status = normalizeDeployResult({
    id: '0Af000000000001',
    done: 'true',
    status: 'Failed',
    success: 'false',
    checkOnly: 'false',
    numberComponentsTotal: '2',
    numberComponentsDeployed: '1',
    numberComponentErrors: '1',
    numberTestsTotal: '0',
    numberTestsCompleted: '0',
    numberTestErrors: '0',
    errorMessage: { $: { 'xsi:nil': 'true' } },
    details: {
      componentSuccesses: [
        {
          componentType: '',
          fullName: 'package.xml',
          fileName: 'package.xml',
          created: 'false',
          changed: 'true',
          deleted: 'false',
          success: 'true',
        },
        {
          componentType: 'ApexClass',
          fullName: 'A',
          fileName: 'classes/A.cls',
          created: 'true',
          changed: 'false',
          deleted: 'false',
          success: 'true',
        },
      ],
      componentFailures: {
        componentType: 'ApexClass',
        fullName: 'B',
        fileName: 'classes/B.cls',
        created: 'false',
        changed: 'false',
        deleted: 'false',
        success: 'false',
        problem: 'Unexpected token',
        problemType: 'Error',
        lineNumber: '3',
        columnNumber: '7',
      },
    },
  });
  expect(status.done).toBe(true);
  expect(status.success).toBe(false);
  expect(status.numberComponentsTotal).toBe(2);
  expect(status.errorMessage).toBe(undefined);
  expect(status.messages).toEqual([
    {
      componentType: 'ApexClass',
      fullName: 'A',
      fileName: 'classes/A.cls',
      created: true,
      changed: false,
      deleted: false,
      success: true,
    },
    {
      componentType: 'ApexClass',
      fullName: 'B',
      fileName: 'classes/B.cls',
      created: false,
      changed: false,
      deleted: false,
      success: false,
      problem: 'Unexpected token',
      problemType: 'Error',
      lineNumber: 3,
      columnNumber: 7,
    },
  ]);
});

test('a pending deploy without details has empty messages and zero counts', () => {
  const status = normalizeDeployResult({ id: 'x', done: false, status: 'Pending' });
  expect(status.messages).toEqual([]);
  expect(status.numberComponentsTotal).toBe(0);
  expect(status.done).toBe(false);
});

test('a retrieve result decodes the zip and makes messages an array', () => {
  const r = normalizeRetrieveResult({
    id: '09S',
    done: 'true',
    status: 'Succeeded',
    success: 'true',
    zipFile: Buffer.from('PK').toString('base64'),
    messages: { fileName: 'package.xml', problem: "Entity of type 'ApexClass' named 'Foo' cannot be found" },
    fileProperties: { type: 'ApexClass', fullName: 'A', fileName: 'classes/A.cls', id: '01p' },
  });
  expect(r.zip?.toString()).toBe('PK');
  expect(r.messages.length).toBe(1);
});

test('a retrieve answer loses its fileProperties before it is parsed, and nothing else', () => {
  const props = (name: string) =>
    `<fileProperties><fileName>classes/${name}.cls</fileName><fullName>${name}</fullName><type>ApexClass</type></fileProperties>`;
  const answer = (inner: string) =>
    `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns="http://soap.sforce.com/2006/04/metadata"><soapenv:Body><checkRetrieveStatusResponse><result><done>true</done>${inner}<id>09S</id><messages><fileName>package.xml</fileName><problem>Entity of type &apos;ApexClass&apos; named &apos;&lt;fileProperties&gt;&apos; cannot be found</problem></messages><status>Succeeded</status><success>true</success><zipFile>UEsDBA==</zipFile></result></checkRetrieveStatusResponse></soapenv:Body></soapenv:Envelope>`;
  expect(withoutFileProperties(answer(`${props('A')}\n${props('B')}${props('C')}`))).toBe(answer('\n'));
  // a fault, or an answer without them, is left as it is
  const fault = '<soapenv:Fault><faultcode>sf:INVALID_SESSION_ID</faultcode></soapenv:Fault>';
  expect(withoutFileProperties(fault)).toBe(fault);
});

test('an SFDX auth URL is parsed with and without a client secret', () => {
  expect(parseSfdxAuthUrl('force://PlatformCLI::5Aep861abc@myorg.my.salesforce.com')).toEqual({
    clientId: 'PlatformCLI',
    refreshToken: '5Aep861abc',
    instanceUrl: 'https://myorg.my.salesforce.com',
  });
  expect(parseSfdxAuthUrl('force://cid:secret:rt123@https://x.my.salesforce.com/')).toEqual({
    clientId: 'cid',
    clientSecret: 'secret',
    refreshToken: 'rt123',
    instanceUrl: 'https://x.my.salesforce.com',
  });
  expect(parseSfdxAuthUrl('force://cid:rt123@http://localhost:4010')).toEqual({
    clientId: 'cid',
    refreshToken: 'rt123',
    instanceUrl: 'http://localhost:4010',
  });
  expect(() => parseSfdxAuthUrl('https://not-an-auth-url')).toThrow(SalesforceAuthError);
});

test('secrets never reach error messages', () => {
  expect(redact('bad token s3cr3t-token here', ['s3cr3t-token'])).toBe('bad token *** here');
  expect(redact('session 00D000000000001!AQ0AQH0123456789abcdefghijklmnop used', [])).toBe('session *** used');
  const err = mapSalesforceError(
    Object.assign(new Error('INVALID_SESSION_ID: token tok-123456 expired'), { name: 'sf:INVALID_SESSION_ID' }),
    ['tok-123456'],
    'check',
  );
  expect(err).toBeInstanceOf(SalesforceAuthError);
  expect(err.message).not.toMatch(/tok-123456/);
});

test('network failures map to SalesforceUnavailableError and faults to SalesforceApiError', () => {
  expect(
    mapSalesforceError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }), [], 'x'),
  ).toBeInstanceOf(SalesforceUnavailableError);
  expect(
    mapSalesforceError(Object.assign(new TypeError('fetch failed'), { cause: { code: 'ENOTFOUND' } }), [], 'x'),
  ).toBeInstanceOf(SalesforceUnavailableError);
  const api = mapSalesforceError(
    Object.assign(new Error('INVALID_ID_FIELD: bad id'), { name: 'sf:INVALID_ID_FIELD' }),
    [],
    'x',
  );
  expect(api).toBeInstanceOf(SalesforceApiError);
  expect((api as SalesforceApiError).faultCode).toBe('sf:INVALID_ID_FIELD');
  expect(
    mapSalesforceError(Object.assign(new Error('authentication failure'), { name: 'invalid_grant' }), [], 'x'),
  ).toBeInstanceOf(SalesforceAuthError);
});

test('a retrieve answer gives the same result with its zip taken out before the parse as parsed whole', () => {
  const zip = randomBytes(100_003);
  const base64 = zip.toString('base64');
  const wrapped = base64.replace(/(.{76})/g, '$1\n'); // line breaks inside the base64, as some writers put them
  const answer = (zipElement: string) =>
    `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns="http://soap.sforce.com/2006/04/metadata"><soapenv:Body><checkRetrieveStatusResponse><result><done>true</done><id>09S</id><messages><fileName>package.xml</fileName><problem>named &apos;&lt;zipFile&gt;&apos; cannot be found</problem></messages><status>Succeeded</status><success>true</success>${zipElement}</result></checkRetrieveStatusResponse></soapenv:Body></soapenv:Envelope>`;
  const resultOf = (xml: string) => {
    const envelope = parseSoapXml(xml)['soapenv:Envelope'] as Record<string, Record<string, Record<string, unknown>>>;
    return envelope['soapenv:Body']!.checkRetrieveStatusResponse!.result as Record<string, unknown>;
  };
  // an empty element is no zip either way, a line break alone an empty one
  for (const element of ['<zipFile></zipFile>', '<zipFile>\n</zipFile>']) {
    const taken = takeZipFile(answer(element));
    expect(taken.xml).toBe(answer(''));
    expect(normalizeRetrieveResult({ ...resultOf(taken.xml), zipFile: taken.zip })).toEqual(
      normalizeRetrieveResult(resultOf(answer(element))),
    );
  }
  for (const element of [`<zipFile>${base64}</zipFile>`, `<zipFile>${wrapped}</zipFile>`]) {
    const taken = takeZipFile(answer(element));
    expect(taken.zip?.equals(zip)).toBe(true);
    expect(taken.xml).toBe(answer(''));
    expect(normalizeRetrieveResult({ ...resultOf(taken.xml), zipFile: taken.zip })).toEqual(
      normalizeRetrieveResult(resultOf(answer(element))),
    );
  }
  // not done yet (no zip), two zips, an unclosed one, another spelling: left whole for the parser
  for (const element of [
    '',
    '<zipFile>UEs=</zipFile><zipFile>UEs=</zipFile>',
    '<zipFile>UEs=',
    '<zipFile xsi:nil="true"/>',
  ]) {
    expect(takeZipFile(answer(element))).toEqual({ xml: answer(element) });
  }
});

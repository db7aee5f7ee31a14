import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mapSalesforceError, parseSfdxAuthUrl, redact } from './jsforce.gateway.js';
import { SalesforceApiError, SalesforceAuthError, SalesforceUnavailableError } from './metadata-api.gateway.js';
import { normalizeDeployResult, normalizeRetrieveResult } from './metadata-results.js';

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
        { componentType: '', fullName: 'package.xml', fileName: 'package.xml', created: 'false', changed: 'true', deleted: 'false', success: 'true' },
        { componentType: 'ApexClass', fullName: 'A', fileName: 'classes/A.cls', created: 'true', changed: 'false', deleted: 'false', success: 'true' },
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
  assert.equal(status.done, true);
  assert.equal(status.success, false);
  assert.equal(status.numberComponentsTotal, 2);
  assert.equal(status.errorMessage, undefined);
  assert.deepEqual(status.messages, [
    { componentType: 'ApexClass', fullName: 'A', fileName: 'classes/A.cls', created: true, changed: false, deleted: false, success: true },
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
  assert.deepEqual(status.messages, []);
  assert.equal(status.numberComponentsTotal, 0);
  assert.equal(status.done, false);
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
  assert.equal(r.zip?.toString(), 'PK');
  assert.equal(r.messages.length, 1);
  assert.deepEqual(r.fileProperties, [{ type: 'ApexClass', fullName: 'A', fileName: 'classes/A.cls', id: '01p' }]);
});

test('an SFDX auth URL is parsed with and without a client secret', () => {
  assert.deepEqual(parseSfdxAuthUrl('force://PlatformCLI::5Aep861abc@myorg.my.salesforce.com'), {
    clientId: 'PlatformCLI',
    refreshToken: '5Aep861abc',
    instanceUrl: 'https://myorg.my.salesforce.com',
  });
  assert.deepEqual(parseSfdxAuthUrl('force://cid:secret:rt123@https://x.my.salesforce.com/'), {
    clientId: 'cid',
    clientSecret: 'secret',
    refreshToken: 'rt123',
    instanceUrl: 'https://x.my.salesforce.com',
  });
  assert.deepEqual(parseSfdxAuthUrl('force://cid:rt123@http://localhost:4010'), { clientId: 'cid', refreshToken: 'rt123', instanceUrl: 'http://localhost:4010' });
  assert.throws(() => parseSfdxAuthUrl('https://not-an-auth-url'), SalesforceAuthError);
});

test('secrets never reach error messages', () => {
  assert.equal(redact('bad token s3cr3t-token here', ['s3cr3t-token']), 'bad token *** here');
  assert.equal(redact('session 00D000000000001!AQ0AQH0123456789abcdefghijklmnop used', []), 'session *** used');
  const err = mapSalesforceError(Object.assign(new Error('INVALID_SESSION_ID: token tok-123456 expired'), { name: 'sf:INVALID_SESSION_ID' }), ['tok-123456'], 'check');
  assert.ok(err instanceof SalesforceAuthError);
  assert.doesNotMatch(err.message, /tok-123456/);
});

test('network failures map to SalesforceUnavailableError and faults to SalesforceApiError', () => {
  assert.ok(mapSalesforceError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }), [], 'x') instanceof SalesforceUnavailableError);
  assert.ok(mapSalesforceError(Object.assign(new TypeError('fetch failed'), { cause: { code: 'ENOTFOUND' } }), [], 'x') instanceof SalesforceUnavailableError);
  const api = mapSalesforceError(Object.assign(new Error('INVALID_ID_FIELD: bad id'), { name: 'sf:INVALID_ID_FIELD' }), [], 'x');
  assert.ok(api instanceof SalesforceApiError);
  assert.equal(api.faultCode, 'sf:INVALID_ID_FIELD');
  assert.ok(mapSalesforceError(Object.assign(new Error('authentication failure'), { name: 'invalid_grant' }), [], 'x') instanceof SalesforceAuthError);
});

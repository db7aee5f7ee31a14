// The jsforce gateway against the Metadata API emulator: real jsforce, real HTTP, real SOAP.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test, beforeAll, afterAll, expect } from '@jest/globals';
import { Connection } from 'jsforce';
import { SOAP } from 'jsforce/lib/soap.js';
import { rejectionOf } from '../helpers/thrown.js';
import { fileURLToPath } from 'node:url';
import { startEmulator, type EmulatorHandle } from '../../src/emulator/emulator.server.js';
import { buildDeployZip } from '../../src/salesforce/deploy-package.js';
import { fingerprintComponent } from '../../src/salesforce/fingerprint.js';
import { JsforceMetadataGateway } from '../../src/salesforce/jsforce.gateway.js';
import {
  SalesforceAuthError,
  SalesforceUnavailableError,
  type DeployStatus,
  type MetadataSession,
  type OrgTarget,
  type RetrieveStatus,
} from '../../src/salesforce/metadata-api.gateway.js';
import { resolveProject } from '../../src/salesforce/project-resolver.js';
import { parseMissingMessages, splitRetrievedZip } from '../../src/salesforce/retrieve-split.js';

const API = '62.0';
const sampleDir = fileURLToPath(new URL('../../../test/fixtures/sample-project', import.meta.url));
let emulator: EmulatorHandle;
const gateway = new JsforceMetadataGateway();

beforeAll(async () => {
  emulator = await startEmulator({ latencyMs: 5 });
});
afterAll(async () => {
  await emulator.close();
});

const target = (auth: OrgTarget['auth']): OrgTarget => ({ instanceUrl: emulator.url, apiVersion: API, auth });

async function waitDeploy(session: MetadataSession, id: string): Promise<DeployStatus> {
  for (let i = 0; i < 500; i++) {
    const status = await session.checkDeploy(id);
    if (status.done) return status;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('deploy did not finish');
}

async function waitRetrieve(session: MetadataSession, id: string): Promise<RetrieveStatus> {
  for (let i = 0; i < 500; i++) {
    const status = await session.checkRetrieve(id);
    if (status.done) return status;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('retrieve did not finish');
}

test('given an access token, a deploy is started, polled to done and retrieved back with the same fingerprints', async () => {
  const session = await gateway.connect(target({ type: 'accessToken', accessToken: emulator.defaultOrg.accessToken }));
  expect(await session.identity()).toEqual({
    organizationId: emulator.defaultOrg.id,
    username: emulator.defaultOrg.username,
  });
  const { components } = await resolveProject(sampleDir);
  const { zip } = await buildDeployZip({ components, apiVersion: API });

  const id = await session.startDeploy(zip, { testLevel: 'NoTestRun' });
  expect(id).toMatch(/^0Af/);
  const status = await waitDeploy(session, id);
  expect(status.success).toBe(true);
  expect(status.status).toBe('Succeeded');
  expect(typeof status.numberComponentsDeployed).toBe('number');
  expect(status.messages.length > 0).toBeTruthy();
  expect(status.messages.every((m) => m.componentType !== '' && typeof m.success === 'boolean')).toBeTruthy();
  expect(await session.checkDeploy(id)).toEqual(status); // checkDeploy is safe to repeat
  const light = await session.checkDeploy(id, { details: false });
  expect(light.messages).toEqual([]); // details: false leaves out the per-component results
  expect(light.numberComponentsDeployed).toBe(status.numberComponentsDeployed); // but keeps the counts
  expect(light.success).toBe(true);

  const requested = [
    ...components.map(({ type, fullName }) => ({ type, fullName })),
    { type: 'ApexClass', fullName: 'DoesNotExist' },
  ];
  const retrieve = await waitRetrieve(session, await session.startRetrieve(requested));
  expect(retrieve.success).toBe(true);
  expect(retrieve.zip).toBeTruthy();
  const split = await splitRetrievedZip(retrieve.zip!, requested);
  expect(parseMissingMessages(retrieve.messages)).toEqual([{ type: 'ApexClass', fullName: 'DoesNotExist' }]);
  expect(split.missing).toEqual([{ type: 'ApexClass', fullName: 'DoesNotExist' }]);
  const byKey = new Map(split.components.map((c) => [`${c.type}:${c.fullName}`, fingerprintComponent(c.files)]));
  for (const c of components) {
    expect(byKey.get(`${c.type}:${c.fullName}`)).toBe(fingerprintComponent(c.files));
  }

  const listed = await session.listMetadata([
    { type: 'ApexClass' },
    { type: 'CustomObject' },
    { type: 'Layout' },
    { type: 'Profile' },
  ]);
  expect(listed.some((p) => p.type === 'ApexClass' && p.fullName === 'InvoiceService')).toBeTruthy();
  expect(listed.some((p) => p.type === 'Profile')).toBeTruthy(); // queries beyond the third are sent in a second call
});

test('given a username and password without a client id, the SOAP login is used', async () => {
  const session = await gateway.connect(
    target({
      type: 'password',
      username: emulator.defaultOrg.username,
      password: emulator.defaultOrg.password,
      loginUrl: emulator.url,
    }),
  );
  const who = await session.identity();
  expect(who.organizationId).toBe(emulator.defaultOrg.id);
  expect(who.username).toBe(emulator.defaultOrg.username);
  const status = await waitDeploy(
    session,
    await session.startDeploy((await buildDeployZip({ components: [], apiVersion: API })).zip, {}),
  );
  expect(status.done).toBe(true);
});

test('given a username, password and client id, the OAuth password flow is used', async () => {
  const session = await gateway.connect(
    target({
      type: 'password',
      username: emulator.defaultOrg.username,
      password: emulator.defaultOrg.password,
      loginUrl: emulator.url,
      clientId: 'backtrack',
      clientSecret: 'shh-secret',
    }),
  );
  expect((await session.identity()).organizationId).toBe(emulator.defaultOrg.id);
  const withoutSecret = gateway.connect(
    target({
      type: 'password',
      username: emulator.defaultOrg.username,
      password: emulator.defaultOrg.password,
      loginUrl: emulator.url,
      clientId: 'backtrack',
    }),
  );
  await expect(withoutSecret).rejects.toBeInstanceOf(SalesforceAuthError);
  await expect(withoutSecret).rejects.toThrow(/client secret/);
});

/** A new session of the default org through the OAuth password flow. */
async function passwordGrant(): Promise<{ access_token: string; refresh_token: string }> {
  const res = await fetch(`${emulator.url}/services/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'password',
      client_id: 'backtrack',
      username: emulator.defaultOrg.username,
      password: emulator.defaultOrg.password,
    }),
  });
  return (await res.json()) as { access_token: string; refresh_token: string };
}

test('given a refresh token or an SFDX auth URL, the gateway obtains an access token', async () => {
  const { refresh_token: refreshToken } = await passwordGrant();
  const viaRefresh = await gateway.connect(
    target({ type: 'refreshToken', refreshToken, clientId: 'backtrack', loginUrl: emulator.url }),
  );
  expect((await viaRefresh.identity()).organizationId).toBe(emulator.defaultOrg.id);
  const viaUrl = await gateway.connect(
    target({ type: 'sfdxAuthUrl', sfdxAuthUrl: `force://PlatformCLI::${refreshToken}@${emulator.url}` }),
  );
  expect((await viaUrl.identity()).organizationId).toBe(emulator.defaultOrg.id);

  emulator.admin.expireSessions(emulator.defaultOrg.id);
  const status = await viaUrl.checkDeploy('0Af000000000000AAA').catch((err: unknown) => err);
  expect(status).not.toBeInstanceOf(SalesforceAuthError); // an expired session is renewed once with the refresh token
});

test('a retrieve checked after the session expired is renewed and comes back whole; with an expired access token it is an auth error', async () => {
  const { refresh_token: refreshToken } = await passwordGrant();
  const session = await gateway.connect(
    target({ type: 'refreshToken', refreshToken, clientId: 'backtrack', loginUrl: emulator.url }),
  );
  const { components } = await resolveProject(sampleDir);
  await waitDeploy(session, await session.startDeploy((await buildDeployZip({ components, apiVersion: API })).zip, {}));
  const requested = components.map(({ type, fullName }) => ({ type, fullName }));
  const id = await session.startRetrieve([...requested, { type: 'ApexClass', fullName: 'DoesNotExist' }]);
  emulator.admin.expireSessions(emulator.defaultOrg.id);
  const retrieve = await waitRetrieve(session, id);
  expect(retrieve).toMatchObject({ id, done: true, success: true, status: 'Succeeded' });
  expect(Object.keys(retrieve).sort()).toEqual(['done', 'id', 'messages', 'status', 'success', 'zip']);
  expect(parseMissingMessages(retrieve.messages)).toEqual([{ type: 'ApexClass', fullName: 'DoesNotExist' }]);
  const split = await splitRetrievedZip(retrieve.zip!, requested);
  expect(split.missing).toEqual([]);
  expect(split.components.map((c) => fingerprintComponent(c.files)).sort()).toEqual(
    components.map((c) => fingerprintComponent(c.files)).sort(),
  );

  const { access_token: accessToken } = await passwordGrant(); // the sessions above have ended
  const byToken = await gateway.connect(target({ type: 'accessToken', accessToken }));
  const again = await byToken.startRetrieve(requested);
  emulator.admin.expireSessions(emulator.defaultOrg.id);
  expect(await rejectionOf(byToken.checkRetrieve(again))).toBeInstanceOf(SalesforceAuthError);
});

test('given a bad access token, calls fail with SalesforceAuthError and no secret in the message', async () => {
  const session = await gateway.connect(target({ type: 'accessToken', accessToken: 'not-a-valid-token-123' }));
  await expect(session.identity()).rejects.toThrow(SalesforceAuthError); // identity() checks the credentials
  const err = await rejectionOf(session.startRetrieve([{ type: 'ApexClass', fullName: 'A' }]));
  expect(err).toBeInstanceOf(SalesforceAuthError);
  expect(err.message).not.toMatch(/not-a-valid-token-123/);
});

test('given a wrong password, connect fails with SalesforceAuthError', async () => {
  const err = await rejectionOf(
    gateway.connect(
      target({
        type: 'password',
        username: emulator.defaultOrg.username,
        password: 'wrong-password',
        loginUrl: emulator.url,
      }),
    ),
  );
  expect(err).toBeInstanceOf(SalesforceAuthError);
  expect(err.message).not.toContain('wrong-password');
});

test('given an unreachable org, calls fail with SalesforceUnavailableError', async () => {
  const session = await gateway.connect({
    instanceUrl: 'http://127.0.0.1:9',
    apiVersion: API,
    auth: { type: 'accessToken', accessToken: 'x' },
  });
  await expect(session.checkDeploy('0Af000000000000AAA')).rejects.toThrow(SalesforceUnavailableError);
  await expect(session.identity()).rejects.toThrow(SalesforceUnavailableError);
});

test("recentDeploys lists the org's deploys since a date from the Tooling API's DeployRequest, newest first", async () => {
  const org = emulator.admin.createOrg({ name: 'Recent deploys' });
  const session = await gateway.connect(target({ type: 'accessToken', accessToken: org.accessToken }));
  const { components } = await resolveProject(sampleDir);
  const { zip } = await buildDeployZip({ components, apiVersion: API });
  const since = new Date(Date.now() - 1_000);
  const first = await session.startDeploy(zip, { testLevel: 'NoTestRun', checkOnly: true });
  await waitDeploy(session, first);
  const second = await session.startDeploy(zip, { testLevel: 'NoTestRun' });
  await waitDeploy(session, second);

  const recent = await session.recentDeploys(since);
  const ours = recent.filter((d) => d.id === first || d.id === second);
  expect(ours.map((d) => d.id)).toEqual([second, first]);
  expect(ours[0]).toMatchObject({ status: 'Succeeded', checkOnly: false });
  expect(ours[1]).toMatchObject({ checkOnly: true });
  expect(ours[0]!.numberComponentsTotal).toBeGreaterThan(0);
  expect(ours.every((d) => d.createdDate.getTime() >= since.getTime() && d.completedDate !== undefined)).toBe(true);
  expect(await session.recentDeploys(new Date(Date.now() + 60_000))).toEqual([]);

  // The emulator refuses DeployRequest conditions it does not answer rather than ignoring them.
  const q = encodeURIComponent("SELECT Id FROM DeployRequest WHERE Status = 'Succeeded'");
  const res = await fetch(`${emulator.url}/services/data/v${API}/tooling/query?q=${q}`, {
    headers: { Authorization: `Bearer ${org.accessToken}` },
  });
  expect(res.status).toBe(400);
  expect(await res.json()).toEqual([expect.objectContaining({ errorCode: 'MALFORMED_QUERY' })]);
});

test('reads flow definitions, re-activates a version and deletes one through the Tooling API; a refusal carries the reason', async () => {
  const org = emulator.admin.createOrg();
  const session = await gateway.connect(target({ type: 'accessToken', accessToken: org.accessToken }));
  const flow = (label: string) =>
    `<?xml version="1.0" encoding="UTF-8"?>\n<Flow xmlns="http://soap.sforce.com/2006/04/metadata">\n    <apiVersion>60.0</apiVersion>\n    <label>${label}</label>\n    <processType>AutoLaunchedFlow</processType>\n    <status>Active</status>\n</Flow>\n`;
  for (const label of ['One', 'Two'])
    await emulator.admin.seed(org.id, { components: [{ files: { 'flows/Route_Case_Gateway.flow': flow(label) } }] });

  const [before] = await session.flowDefinitions(['Route_Case_Gateway', 'Not_There']);
  expect(before).toMatchObject({ developerName: 'Route_Case_Gateway', activeVersionNumber: 2, latestVersionNumber: 2 });
  expect(before!.versions.map((v) => `${v.versionNumber}:${v.status}`)).toEqual(['1:Obsolete', '2:Active']);

  await session.setActiveFlowVersion(before!.definitionId, 1);
  const refused = await rejectionOf(session.deleteFlowVersion(before!.versions[0]!.id));
  expect(refused).toMatchObject({ name: 'SalesforceApiError', faultCode: 'DELETE_FAILED' });
  expect(refused.message).toContain('active flow version');
  await session.deleteFlowVersion(before!.versions[1]!.id);

  const [after] = await session.flowDefinitions(['Route_Case_Gateway']);
  expect(after).toMatchObject({ activeVersionNumber: 1, latestVersionNumber: 1 });
  expect(after!.versions.map((v) => v.versionNumber)).toEqual([1]);
});

test('a deploy request carries the bytes jsforce would send: its envelope, the zip as base64, the length it has', async () => {
  // a stand-in org that keeps what it was sent and answers with an id
  const received: { body: Buffer; length: string | undefined }[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ body: Buffer.concat(chunks), length: req.headers['content-length'] });
      res.writeHead(200, { 'Content-Type': 'text/xml' });
      res.end(
        '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"' +
          ' xmlns="http://soap.sforce.com/2006/04/metadata"><soapenv:Body><deployResponse><result>' +
          '<done>false</done><id>0AfSPLICE0000001</id><state>Queued</state></result></deployResponse></soapenv:Body></soapenv:Envelope>',
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const instanceUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const session = await gateway.connect({
      instanceUrl,
      apiVersion: API,
      auth: { type: 'accessToken', accessToken: 'tok&<en>' },
    });
    const zip = randomBytes(300_001); // not a multiple of 3, over several slices
    const options = { testLevel: 'RunSpecifiedTests' as const, runTests: ['A_Test', 'B & C'], checkOnly: true };
    expect(await session.startDeploy(zip, options)).toBe('0AfSPLICE0000001');

    const conn = new Connection({ instanceUrl, accessToken: 'tok&<en>', version: API });
    const soap = new SOAP(conn, {
      xmlns: 'http://soap.sforce.com/2006/04/metadata',
      endpointUrl: `${instanceUrl}/services/Soap/m/${API}`,
    });
    const jsforceEnvelope = soap._createEnvelope({
      deploy: {
        ZipFile: zip.toString('base64'),
        DeployOptions: { rollbackOnError: true, singlePackage: true, ...options },
      },
    });
    expect(received).toHaveLength(1);
    expect(received[0]!.body.toString('utf8')).toBe(jsforceEnvelope);
    expect(received[0]!.length).toBe(String(Buffer.byteLength(jsforceEnvelope)));
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});

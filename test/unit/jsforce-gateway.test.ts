// The jsforce gateway against the Metadata API emulator: real jsforce, real HTTP, real SOAP.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
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

before(async () => {
  emulator = await startEmulator({ latencyMs: 5 });
});
after(async () => {
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
  assert.deepEqual(await session.identity(), { organizationId: emulator.defaultOrg.id, username: emulator.defaultOrg.username });
  const { components } = await resolveProject(sampleDir);
  const { zip } = await buildDeployZip({ components, apiVersion: API });

  const id = await session.startDeploy(zip, { testLevel: 'NoTestRun' });
  assert.match(id, /^0Af/);
  const status = await waitDeploy(session, id);
  assert.equal(status.success, true, JSON.stringify(status.messages.filter((m) => !m.success)));
  assert.equal(status.status, 'Succeeded');
  assert.equal(typeof status.numberComponentsDeployed, 'number');
  assert.ok(status.messages.length > 0);
  assert.ok(status.messages.every((m) => m.componentType !== '' && typeof m.success === 'boolean'));
  assert.deepEqual(await session.checkDeploy(id), status, 'checkDeploy is safe to repeat');
  const light = await session.checkDeploy(id, { details: false });
  assert.deepEqual(light.messages, [], 'details: false leaves out the per-component results');
  assert.equal(light.numberComponentsDeployed, status.numberComponentsDeployed, 'but keeps the counts');
  assert.equal(light.success, true);

  const requested = [...components.map(({ type, fullName }) => ({ type, fullName })), { type: 'ApexClass', fullName: 'DoesNotExist' }];
  const retrieve = await waitRetrieve(session, await session.startRetrieve(requested));
  assert.equal(retrieve.success, true);
  assert.ok(retrieve.zip);
  const split = await splitRetrievedZip(retrieve.zip, requested);
  assert.deepEqual(parseMissingMessages(retrieve.messages), [{ type: 'ApexClass', fullName: 'DoesNotExist' }]);
  assert.deepEqual(split.missing, [{ type: 'ApexClass', fullName: 'DoesNotExist' }]);
  const byKey = new Map(split.components.map((c) => [`${c.type}:${c.fullName}`, fingerprintComponent(c.files)]));
  for (const c of components) {
    assert.equal(byKey.get(`${c.type}:${c.fullName}`), fingerprintComponent(c.files), `${c.type}:${c.fullName} round-trips`);
  }

  const listed = await session.listMetadata([{ type: 'ApexClass' }, { type: 'CustomObject' }, { type: 'Layout' }, { type: 'Profile' }]);
  assert.ok(listed.some((p) => p.type === 'ApexClass' && p.fullName === 'InvoiceService'));
  assert.ok(listed.some((p) => p.type === 'Profile'), 'queries beyond the third are sent in a second call');
});

test('given a username and password without a client id, the SOAP login is used', async () => {
  const session = await gateway.connect(
    target({ type: 'password', username: emulator.defaultOrg.username, password: emulator.defaultOrg.password, loginUrl: emulator.url }),
  );
  const who = await session.identity();
  assert.equal(who.organizationId, emulator.defaultOrg.id);
  assert.equal(who.username, emulator.defaultOrg.username);
  const status = await waitDeploy(session, await session.startDeploy((await buildDeployZip({ components: [], apiVersion: API })).zip, {}));
  assert.equal(status.done, true);
});

test('given a username, password and client id, the OAuth password flow is used', async () => {
  const session = await gateway.connect(
    target({ type: 'password', username: emulator.defaultOrg.username, password: emulator.defaultOrg.password, loginUrl: emulator.url, clientId: 'backtrack', clientSecret: 'shh-secret' }),
  );
  assert.equal((await session.identity()).organizationId, emulator.defaultOrg.id);
  await assert.rejects(
    gateway.connect(target({ type: 'password', username: emulator.defaultOrg.username, password: emulator.defaultOrg.password, loginUrl: emulator.url, clientId: 'backtrack' })),
    (err: unknown) => err instanceof SalesforceAuthError && /client secret/.test(err.message),
  );
});

test('given a refresh token or an SFDX auth URL, the gateway obtains an access token', async () => {
  const res = await fetch(`${emulator.url}/services/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'password', client_id: 'backtrack', username: emulator.defaultOrg.username, password: emulator.defaultOrg.password }),
  });
  const { refresh_token: refreshToken } = (await res.json()) as { refresh_token: string };
  const viaRefresh = await gateway.connect(target({ type: 'refreshToken', refreshToken, clientId: 'backtrack', loginUrl: emulator.url }));
  assert.equal((await viaRefresh.identity()).organizationId, emulator.defaultOrg.id);
  const viaUrl = await gateway.connect(target({ type: 'sfdxAuthUrl', sfdxAuthUrl: `force://PlatformCLI::${refreshToken}@${emulator.url}` }));
  assert.equal((await viaUrl.identity()).organizationId, emulator.defaultOrg.id);

  emulator.admin.expireSessions(emulator.defaultOrg.id);
  const status = await viaUrl.checkDeploy('0Af000000000000AAA').catch((err: unknown) => err);
  assert.ok(!(status instanceof SalesforceAuthError), 'an expired session is renewed once with the refresh token');
});

test('given a bad access token, calls fail with SalesforceAuthError and no secret in the message', async () => {
  const session = await gateway.connect(target({ type: 'accessToken', accessToken: 'not-a-valid-token-123' }));
  await assert.rejects(session.identity(), SalesforceAuthError, 'identity() checks the credentials');
  await assert.rejects(session.startRetrieve([{ type: 'ApexClass', fullName: 'A' }]), (err: unknown) => {
    assert.ok(err instanceof SalesforceAuthError, String(err));
    assert.doesNotMatch(err.message, /not-a-valid-token-123/);
    return true;
  });
});

test('given a wrong password, connect fails with SalesforceAuthError', async () => {
  await assert.rejects(
    gateway.connect(target({ type: 'password', username: emulator.defaultOrg.username, password: 'wrong-password', loginUrl: emulator.url })),
    (err: unknown) => err instanceof SalesforceAuthError && !err.message.includes('wrong-password'),
  );
});

test('given an unreachable org, calls fail with SalesforceUnavailableError', async () => {
  const session = await gateway.connect({ instanceUrl: 'http://127.0.0.1:9', apiVersion: API, auth: { type: 'accessToken', accessToken: 'x' } });
  await assert.rejects(session.checkDeploy('0Af000000000000AAA'), SalesforceUnavailableError);
  await assert.rejects(session.identity(), SalesforceUnavailableError);
});

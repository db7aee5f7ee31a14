import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import jsforce from 'jsforce';
import { startEmulator, type EmulatorHandle } from '../../src/emulator/emulator.server.js';
import { API_VERSION, connect } from './emulator.helper.js';

describe('logins and sessions', () => {
  let emulator: EmulatorHandle;

  before(async () => {
    emulator = await startEmulator({ port: 0, latencyMs: 0, username: 'admin@auth.test', password: 'secret-1' });
  });
  after(() => emulator.close());

  const oauth2 = () => ({ loginUrl: emulator.url, clientId: 'backtrack', clientSecret: 'shh' });

  it('accepts the default org access token on Metadata API calls', async () => {
    const conn = connect(emulator.url, emulator.defaultOrg.accessToken);
    assert.deepEqual(await conn.metadata.list([{ type: 'ApexClass' }]), []);
  });

  it('logs in over SOAP and uses the session for Metadata API calls', async () => {
    const conn = new jsforce.Connection({ loginUrl: emulator.url, version: API_VERSION });
    const user = await conn.login('admin@auth.test', 'secret-1');
    assert.equal(user.organizationId, emulator.defaultOrg.id);
    assert.equal(conn.instanceUrl, emulator.url);
    assert.equal(conn.accessToken?.split('.').length, 1, 'the session id is not JWT-shaped');
    assert.ok(Array.isArray((await conn.metadata.describe()).metadataObjects));
  });

  it('refuses a SOAP login with a wrong password', async () => {
    const conn = new jsforce.Connection({ loginUrl: emulator.url, version: API_VERSION });
    await assert.rejects(conn.login('admin@auth.test', 'wrong'), /INVALID_LOGIN/);
  });

  it('logs in with the OAuth password grant', async () => {
    const conn = new jsforce.Connection({ oauth2: oauth2(), version: API_VERSION });
    const user = await conn.login('admin@auth.test', 'secret-1');
    assert.equal(user.organizationId, emulator.defaultOrg.id);
    assert.equal(conn.instanceUrl, emulator.url);
    assert.deepEqual(await conn.metadata.list([{ type: 'ApexClass' }]), []);
  });

  it('answers a wrong OAuth password with invalid_grant', async () => {
    const client = new jsforce.OAuth2(oauth2());
    await assert.rejects(client.authenticate('admin@auth.test', 'nope'), (error: Error) => error.name === 'invalid_grant');
  });

  it('issues a new access token for a refresh token', async () => {
    const client = new jsforce.OAuth2(oauth2());
    const first = await client.authenticate('admin@auth.test', 'secret-1');
    assert.ok(first.refresh_token);
    const refreshed = await client.refreshToken(first.refresh_token as string);
    assert.notEqual(refreshed.access_token, first.access_token);
    assert.equal(refreshed.instance_url, emulator.url);
    assert.deepEqual(await connect(emulator.url, refreshed.access_token).metadata.list([{ type: 'ApexClass' }]), []);
  });

  it('answers an expired session with sf:INVALID_SESSION_ID', async () => {
    const org = emulator.admin.createOrg();
    const conn = connect(org.instanceUrl, org.accessToken);
    await conn.metadata.list([{ type: 'ApexClass' }]);
    assert.equal(emulator.admin.expireSessions(org.id), 1);
    await assert.rejects(conn.metadata.list([{ type: 'ApexClass' }]), (error: Error) => error.name === 'sf:INVALID_SESSION_ID');
    const fresh = emulator.admin.issueAccessToken(org.id);
    assert.deepEqual(await connect(org.instanceUrl, fresh).metadata.list([{ type: 'ApexClass' }]), []);
  });

  it('answers an unknown session id with sf:INVALID_SESSION_ID', async () => {
    await assert.rejects(connect(emulator.url, '00Dxx!nonsense').metadata.describe(), (error: Error) => error.name === 'sf:INVALID_SESSION_ID');
  });

  it('keeps each org to its own metadata', async () => {
    const one = emulator.admin.createOrg();
    const two = emulator.admin.createOrg();
    await emulator.admin.seed(one.id, { components: [{ files: { 'layouts/Account-Account Layout.layout': '<Layout/>' } }] });
    assert.equal((await connect(one.instanceUrl, one.accessToken).metadata.list([{ type: 'Layout' }])).length, 1);
    assert.deepEqual(await connect(two.instanceUrl, two.accessToken).metadata.list([{ type: 'Layout' }]), []);
  });

  it('lists the REST API versions and answers userinfo for a bearer token', async () => {
    const versions = (await (await fetch(`${emulator.url}/services/data`)).json()) as { version: string }[];
    assert.ok(versions.some((v) => v.version === API_VERSION));
    const info = (await (await fetch(`${emulator.url}/services/oauth2/userinfo`, { headers: { Authorization: `Bearer ${emulator.defaultOrg.accessToken}` } })).json()) as Record<string, string>;
    assert.equal(info.organization_id, emulator.defaultOrg.id);
    assert.equal(info.preferred_username, 'admin@auth.test');
  });
});

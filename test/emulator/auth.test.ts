import { describe, it, beforeAll, afterAll, expect } from '@jest/globals';
import jsforce from 'jsforce';
import { startEmulator, type EmulatorHandle } from '../../src/emulator/emulator.server.js';
import { API_VERSION, connect } from './emulator.helper.js';

describe('logins and sessions', () => {
  let emulator: EmulatorHandle;

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, latencyMs: 0, username: 'admin@auth.test', password: 'secret-1' });
  });
  afterAll(() => emulator.close());

  const oauth2 = () => ({ loginUrl: emulator.url, clientId: 'backtrack', clientSecret: 'shh' });

  it('accepts the default org access token on Metadata API calls', async () => {
    const conn = connect(emulator.url, emulator.defaultOrg.accessToken);
    expect(await conn.metadata.list([{ type: 'ApexClass' }])).toEqual([]);
  });

  it('logs in over SOAP and uses the session for Metadata API calls', async () => {
    const conn = new jsforce.Connection({ loginUrl: emulator.url, version: API_VERSION });
    const user = await conn.login('admin@auth.test', 'secret-1');
    expect(user.organizationId).toBe(emulator.defaultOrg.id);
    expect(conn.instanceUrl).toBe(emulator.url);
    expect(conn.accessToken?.split('.').length).toBe(1); // the session id is not JWT-shaped
    expect(Array.isArray((await conn.metadata.describe()).metadataObjects)).toBeTruthy();
  });

  it('refuses a SOAP login with a wrong password', async () => {
    const conn = new jsforce.Connection({ loginUrl: emulator.url, version: API_VERSION });
    await expect(conn.login('admin@auth.test', 'wrong')).rejects.toThrow(/INVALID_LOGIN/);
  });

  it('logs in with the OAuth password grant', async () => {
    const conn = new jsforce.Connection({ oauth2: oauth2(), version: API_VERSION });
    const user = await conn.login('admin@auth.test', 'secret-1');
    expect(user.organizationId).toBe(emulator.defaultOrg.id);
    expect(conn.instanceUrl).toBe(emulator.url);
    expect(await conn.metadata.list([{ type: 'ApexClass' }])).toEqual([]);
  });

  it('answers a wrong OAuth password with invalid_grant', async () => {
    const client = new jsforce.OAuth2(oauth2());
    await expect(client.authenticate('admin@auth.test', 'nope')).rejects.toMatchObject({ name: 'invalid_grant' });
  });

  it('issues a new access token for a refresh token', async () => {
    const client = new jsforce.OAuth2(oauth2());
    const first = await client.authenticate('admin@auth.test', 'secret-1');
    expect(first.refresh_token).toBeTruthy();
    const refreshed = await client.refreshToken(first.refresh_token as string);
    expect(refreshed.access_token).not.toBe(first.access_token);
    expect(refreshed.instance_url).toBe(emulator.url);
    expect(await connect(emulator.url, refreshed.access_token).metadata.list([{ type: 'ApexClass' }])).toEqual([]);
  });

  it('answers an expired session with sf:INVALID_SESSION_ID', async () => {
    const org = emulator.admin.createOrg();
    const conn = connect(org.instanceUrl, org.accessToken);
    await conn.metadata.list([{ type: 'ApexClass' }]);
    expect(emulator.admin.expireSessions(org.id)).toBe(1);
    await expect(conn.metadata.list([{ type: 'ApexClass' }])).rejects.toMatchObject({ name: 'sf:INVALID_SESSION_ID' });
    const fresh = emulator.admin.issueAccessToken(org.id);
    expect(await connect(org.instanceUrl, fresh).metadata.list([{ type: 'ApexClass' }])).toEqual([]);
  });

  it('answers an unknown session id with sf:INVALID_SESSION_ID', async () => {
    await expect(connect(emulator.url, '00Dxx!nonsense').metadata.describe()).rejects.toMatchObject({
      name: 'sf:INVALID_SESSION_ID',
    });
  });

  it('keeps each org to its own metadata', async () => {
    const one = emulator.admin.createOrg();
    const two = emulator.admin.createOrg();
    await emulator.admin.seed(one.id, {
      components: [{ files: { 'layouts/Account-Account Layout.layout': '<Layout/>' } }],
    });
    expect((await connect(one.instanceUrl, one.accessToken).metadata.list([{ type: 'Layout' }])).length).toBe(1);
    expect(await connect(two.instanceUrl, two.accessToken).metadata.list([{ type: 'Layout' }])).toEqual([]);
  });

  it('lists the REST API versions and answers userinfo for a bearer token', async () => {
    const versions = (await (await fetch(`${emulator.url}/services/data`)).json()) as { version: string }[];
    expect(versions.some((v) => v.version === API_VERSION)).toBeTruthy();
    const info = (await (
      await fetch(`${emulator.url}/services/oauth2/userinfo`, {
        headers: { Authorization: `Bearer ${emulator.defaultOrg.accessToken}` },
      })
    ).json()) as Record<string, string>;
    expect(info.organization_id).toBe(emulator.defaultOrg.id);
    expect(info.preferred_username).toBe('admin@auth.test');
  });
});

// The REST resources the official CLI reads, over HTTP, including paths with a doubled leading slash.
import { describe, it, beforeAll, afterAll, expect } from '@jest/globals';
import { startEmulator, type EmulatorHandle } from '../../src/emulator/emulator.server.js';

describe('REST resources the Salesforce CLI reads', () => {
  let emulator: EmulatorHandle;

  beforeAll(async () => {
    emulator = await startEmulator({ latencyMs: 0 });
  });
  afterAll(() => emulator.close());

  const get = async (path: string, token = emulator.defaultOrg.accessToken) => {
    const response = await fetch(`${emulator.url}${path}`, { headers: { Authorization: `Bearer ${token}` } });
    return { status: response.status, body: await response.json() };
  };

  it('offers API versions up to 66.0, also under a path starting with //', async () => {
    const { status, body } = await get('//services/data');
    expect(status).toBe(200);
    expect((body as { version: string }[]).map((v) => v.version)).toEqual(
      expect.arrayContaining(['63.0', '65.0', '66.0']),
    );
  });

  it("answers a version's resource list and the logged-in user's record", async () => {
    expect(await get('/services/data/v66.0')).toMatchObject({
      status: 200,
      body: { sobjects: '/services/data/v66.0/sobjects' },
    });
    const user = await get(`//services/data/v66.0/sobjects/User/${emulator.defaultOrg.id.slice(0, 3)}`);
    expect(user.status).toBe(404);
    const { defaultOrg } = emulator;
    const userId = ((await get('/services/oauth2/userinfo')).body as { user_id: string }).user_id;
    expect(await get(`//services/data/v66.0/sobjects/User/${userId}`)).toMatchObject({
      status: 200,
      body: { Id: userId, Username: defaultOrg.username },
    });
  });

  it('answers the Organization query and refuses ScratchOrgInfo with 400 INVALID_TYPE', async () => {
    const q = encodeURIComponent(
      'SELECT Name, InstanceName, IsSandbox, TrialExpirationDate, NamespacePrefix, OrganizationType FROM Organization',
    );
    expect(await get(`/services/data/v66.0/query?q=${q}`)).toMatchObject({
      status: 200,
      body: { totalSize: 1, records: [{ IsSandbox: true }] },
    });
    const scratch = await get(`/services/data/v66.0/query?q=${encodeURIComponent('SELECT Id FROM ScratchOrgInfo')}`);
    expect(scratch).toMatchObject({ status: 400, body: [{ errorCode: 'INVALID_TYPE' }] });
  });

  it('refuses a request without a valid session with 401 INVALID_SESSION_ID', async () => {
    expect(await get('/services/data/v66.0', 'nope')).toMatchObject({
      status: 401,
      body: [{ errorCode: 'INVALID_SESSION_ID' }],
    });
  });
});

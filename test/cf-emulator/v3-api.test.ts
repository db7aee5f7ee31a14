import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { startCfEmulator, type CfEmulatorHandle } from '../../src/cf-emulator/cf-emulator.server.js';
import { CfClient, cfFailure } from './cf-client.helper.js';

const ZIP = new Uint8Array([0x50, 0x4b, 0x03, 0x04, 1, 2, 3, 4]);

let cf: CfEmulatorHandle;
let client: CfClient;

beforeAll(async () => {
  cf = await startCfEmulator({
    users: [{ username: 'deployer', password: 'pw' }],
    clients: [{ id: 'backtrack', secret: 's3cret' }],
    tokenSeconds: 300,
    apps: [
      { org: 'acme', space: 'prod', app: 'web', instances: 3 },
      { org: 'acme', space: 'staging', app: 'web' },
      { org: 'other', space: 'prod', app: 'api' },
    ],
  });
  client = new CfClient(cf.url);
  await client.login({ grant: 'password', username: 'deployer', password: 'pw' });
});

afterAll(async () => {
  await cf.close();
});

beforeEach(() => {
  cf.admin.clearFaults();
});

async function appGuid(org: string, space: string, app: string): Promise<string> {
  const [o] = (await client.list(`/v3/organizations?names=${org}`)).resources;
  const [s] = (await client.list(`/v3/spaces?names=${space}&organization_guids=${o!.guid}`)).resources;
  const [a] = (await client.list(`/v3/apps?names=${app}&space_guids=${s!.guid}`)).resources;
  return a!.guid;
}

/** Package → upload → READY → build → STAGED: the droplet guid. */
async function stageDroplet(app: string): Promise<string> {
  const pkg = await client.post('/v3/packages', { type: 'bits', relationships: { app: { data: { guid: app } } } });
  await client.uploadBits(pkg.guid, ZIP);
  cf.admin.settle();
  const build = await client.post('/v3/builds', { package: { guid: pkg.guid } });
  cf.admin.settle();
  return (await client.get(`/v3/builds/${build.guid}`)).droplet.guid as string;
}

const deploy = (app: string, target: object, extra: object = {}) =>
  client.post('/v3/deployments', { ...target, ...extra, relationships: { app: { data: { guid: app } } } });

describe('UAA and the root document', () => {
  it('links the login and UAA endpoints without a token', async () => {
    const root = (await (await fetch(`${cf.url}/`)).json()) as { links: Record<string, { href: string } | null> };
    expect(root.links.login?.href).toBe(cf.url);
    expect(root.links.uaa?.href).toBe(cf.url);
    expect(root.links.cloud_controller_v3?.href).toBe(`${cf.url}/v3`);
  });

  it('grants a JWT bearer token with expiry for the password grant and for client credentials', async () => {
    const user = await new CfClient(cf.url).login({ grant: 'password', username: 'deployer', password: 'pw' });
    expect(user).toMatchObject({ token_type: 'bearer', expires_in: 300, refresh_token: expect.any(String) });
    const claims = JSON.parse(Buffer.from((user.access_token as string).split('.')[1]!, 'base64url').toString());
    expect(claims).toMatchObject({ user_name: 'deployer', jti: user.jti });
    expect(claims.exp - claims.iat).toBe(300);
    const machine = new CfClient(cf.url);
    await machine.login({ grant: 'client_credentials', clientId: 'backtrack', clientSecret: 's3cret' });
    expect((await machine.list('/v3/organizations')).pagination.total_results).toBe(2);
  });

  it('refuses bad credentials with the OAuth error shape', async () => {
    const response = await fetch(`${cf.url}/oauth/token`, {
      method: 'POST',
      headers: { Authorization: `Basic ${Buffer.from('cf:').toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'password', username: 'deployer', password: 'wrong' }),
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: 'unauthorized', error_description: 'Bad credentials' });
  });

  it('answers 401 CF-NotAuthenticated without a token and CF-InvalidAuthToken once it expired', async () => {
    const anonymous = await cfFailure(new CfClient(cf.url).list('/v3/apps'));
    expect(anonymous.status).toBe(401);
    expect(anonymous.errors).toEqual([{ code: 10002, title: 'CF-NotAuthenticated', detail: 'Authentication error' }]);

    const shortLived = new CfClient(cf.url);
    await shortLived.login({ grant: 'client_credentials', clientId: 'backtrack', clientSecret: 's3cret' });
    await shortLived.list('/v3/apps');
    cf.admin.tick(300);
    const expired = await cfFailure(shortLived.list('/v3/apps'));
    expect(expired.status).toBe(401);
    expect(expired.first).toEqual({ code: 1000, title: 'CF-InvalidAuthToken', detail: 'Invalid Auth Token' });
    await client.login({ grant: 'password', username: 'deployer', password: 'pw' });
  });
});

describe('lookups and pagination', () => {
  it('finds an org, its space and the app by name (app names case-insensitively)', async () => {
    const guid = await appGuid('acme', 'prod', 'web');
    const app = await client.get(`/v3/apps/${guid}`);
    expect(app).toMatchObject({
      name: 'web',
      state: 'STOPPED',
      links: { self: { href: `${cf.url}/v3/apps/${guid}` } },
    });
    expect((await client.list('/v3/apps?names=WEB')).resources).toHaveLength(2);
  });

  it('pages with per_page and links the next page, keeping the filters', async () => {
    const first = await client.list('/v3/apps?names=web,api&per_page=2');
    expect(first.pagination).toMatchObject({ total_results: 3, total_pages: 2, previous: null });
    expect(first.pagination.next?.href).toBe(`${cf.url}/v3/apps?names=web%2Capi&per_page=2&page=2`);
    expect((await client.all('/v3/apps?per_page=1')).map((a) => a.name).sort()).toEqual(['api', 'web', 'web']);
  });

  it('answers bad paging with 400 CF-BadQueryParameter', async () => {
    const error = await cfFailure(client.list('/v3/apps?per_page=0'));
    expect(error.status).toBe(400);
    expect(error.first).toMatchObject({ code: 10005, title: 'CF-BadQueryParameter' });
  });

  it('answers an unknown guid with 404 CF-ResourceNotFound and an unknown path with CF-NotFound', async () => {
    const missing = await cfFailure(client.get('/v3/deployments/nope'));
    expect(missing.status).toBe(404);
    expect(missing.first).toEqual({ code: 10010, title: 'CF-ResourceNotFound', detail: 'Deployment not found' });
    expect((await cfFailure(client.get('/v3/frobnicate'))).first.title).toBe('CF-NotFound');
    expect((await cfFailure(client.get('/v3/apps/%E0%A4%A'))).first.title).toBe('CF-ResourceNotFound');
  });
});

describe('packages, builds and droplets', () => {
  it('moves a bits package from AWAITING_UPLOAD through PROCESSING_UPLOAD to READY, then stages a droplet', async () => {
    const app = await appGuid('acme', 'staging', 'web');
    const pkg = await client.post('/v3/packages', { type: 'bits', relationships: { app: { data: { guid: app } } } });
    expect(pkg).toMatchObject({ type: 'bits', state: 'AWAITING_UPLOAD' });
    expect(pkg.links.upload).toEqual({ href: `${cf.url}/v3/packages/${pkg.guid}/upload`, method: 'POST' });
    const early = await cfFailure(client.post('/v3/builds', { package: { guid: pkg.guid } }));
    expect(early.first).toMatchObject({ code: 10008, title: 'CF-UnprocessableEntity' });

    expect((await client.uploadBits(pkg.guid, ZIP)).state).toBe('PROCESSING_UPLOAD');
    cf.admin.tick(1);
    expect(await client.get(`/v3/packages/${pkg.guid}`)).toMatchObject({ state: 'READY' });

    const build = await client.post('/v3/builds', { package: { guid: pkg.guid } });
    expect(build).toMatchObject({ state: 'STAGING', droplet: null, package: { guid: pkg.guid } });
    cf.admin.tick(5);
    const staged = await client.get(`/v3/builds/${build.guid}`);
    expect(staged.state).toBe('STAGED');
    const droplet = await client.get(`/v3/droplets/${staged.droplet.guid as string}`);
    expect(droplet).toMatchObject({ state: 'STAGED', relationships: { app: { data: { guid: app } } } });
  });

  it('refuses an upload without bits or resources with a 422', async () => {
    const app = await appGuid('acme', 'staging', 'web');
    const pkg = await client.post('/v3/packages', { type: 'bits', relationships: { app: { data: { guid: app } } } });
    const form = new FormData();
    form.set('other', 'x');
    const error = await cfFailure(client.post(`/v3/packages/${pkg.guid}/upload`, form));
    expect(error.status).toBe(422);
    expect(error.first.detail).toBe('Upload must include either resources or bits');
  });
});

describe('deployments and revisions', () => {
  let app: string;
  let first: string;
  let second: string;

  beforeAll(async () => {
    app = await appGuid('acme', 'prod', 'web');
    first = await stageDroplet(app);
    second = await stageDroplet(app);
  });

  it('starts a stopped app at once: FINALIZED/DEPLOYED with the initial revision', async () => {
    const deployment = await deploy(app, { droplet: { guid: first } });
    expect(deployment.status).toMatchObject({ value: 'FINALIZED', reason: 'DEPLOYED' });
    expect(deployment.revision.version).toBe(1);
    expect((await client.get(`/v3/apps/${app}`)).state).toBe('STARTED');
    const [revision] = (await client.list(`/v3/apps/${app}/revisions`)).resources;
    expect(revision).toMatchObject({ version: 1, description: 'Initial revision.', droplet: { guid: first } });
  });

  it('rolls a new droplet out over simulated time: ACTIVE/DEPLOYING, then FINALIZED/DEPLOYED', async () => {
    const deployment = await deploy(app, { droplet: { guid: second } }, { strategy: 'rolling' });
    expect(deployment).toMatchObject({
      strategy: 'rolling',
      status: { value: 'ACTIVE', reason: 'DEPLOYING' },
      droplet: { guid: second },
      previous_droplet: { guid: first },
      revision: { version: 2 },
      options: { max_in_flight: 1, web_instances: 3 },
    });
    expect(deployment.links.cancel).toEqual({
      href: `${cf.url}/v3/deployments/${deployment.guid}/actions/cancel`,
      method: 'POST',
    });
    expect((await client.get(`/v3/apps/${app}/droplets/current`)).guid).toBe(second);

    cf.admin.tick(2);
    const deployed = (await client.list(`/v3/apps/${app}/revisions/deployed`)).resources.map((r) => r.version);
    expect(deployed.sort()).toEqual([1, 2]);
    expect((await client.get(`/v3/deployments/${deployment.guid}`)).status.value).toBe('ACTIVE');

    cf.admin.settle();
    const done = await client.get(`/v3/deployments/${deployment.guid}`);
    expect(done.status).toMatchObject({ value: 'FINALIZED', reason: 'DEPLOYED' });
    expect(done.status.details.last_successful_healthcheck).toEqual(expect.stringMatching(/Z$/));
    const after = (await client.list(`/v3/apps/${app}/revisions/deployed`)).resources;
    expect(after.map((r) => r.version)).toEqual([2]);
  });

  it('rolls back by revision: a new revision that says which one it went back to', async () => {
    const revisions = (await client.list(`/v3/apps/${app}/revisions?versions=1`)).resources;
    const rollback = await deploy(app, { revision: { guid: revisions[0]!.guid } });
    expect(rollback).toMatchObject({ droplet: { guid: first }, revision: { version: 3 } });
    const revision = await client.get(`/v3/revisions/${rollback.revision.guid as string}`);
    expect(revision).toMatchObject({
      version: 3,
      description: 'New droplet deployed. Rolled back to revision 1.',
      deployable: true,
    });
    cf.admin.settle();
    expect((await client.get(`/v3/deployments/${rollback.guid}`)).status.reason).toBe('DEPLOYED');

    const same = await cfFailure(deploy(app, { revision: { guid: revisions[0]!.guid } }));
    expect(same.status).toBe(422);
    expect(same.first.detail).toBe(
      'Unable to rollback. The code and configuration you are rolling back to is the same as the deployed revision.',
    );
  });

  it('supersedes the active deployment when a new one starts', async () => {
    const older = await deploy(app, { droplet: { guid: second } });
    const newer = await deploy(app, { droplet: { guid: first } });
    expect((await client.get(`/v3/deployments/${older.guid}`)).status).toMatchObject({
      value: 'FINALIZED',
      reason: 'SUPERSEDED',
    });
    const active = await client.list(`/v3/deployments?app_guids=${app}&status_values=ACTIVE`);
    expect(active.resources.map((d) => d.guid)).toEqual([newer.guid]);
    cf.admin.settle();
  });

  it('pauses a canary at each step until continue', async () => {
    const canary = await deploy(
      app,
      { droplet: { guid: second } },
      { strategy: 'canary', options: { canary: { steps: [{ instance_weight: 34 }] } } },
    );
    cf.admin.settle();
    const paused = await client.get(`/v3/deployments/${canary.guid}`);
    expect(paused.status).toMatchObject({
      value: 'ACTIVE',
      reason: 'PAUSED',
      canary: { steps: { current: 1, total: 1 } },
    });
    await client.post(paused.links.continue!.href);
    cf.admin.settle();
    expect((await client.get(`/v3/deployments/${canary.guid}`)).status).toMatchObject({
      value: 'FINALIZED',
      reason: 'DEPLOYED',
    });
    const refused = await cfFailure(client.post(`/v3/deployments/${canary.guid}/actions/continue`));
    expect(refused.first.detail).toBe('Cannot continue a deployment with status: FINALIZED and reason: DEPLOYED');
  });

  it('refuses deployments to an unknown app with 422, not 404', async () => {
    const error = await cfFailure(deploy('no-such-app', { droplet: { guid: first } }));
    expect(error.status).toBe(422);
    expect(error.first).toEqual({
      code: 10008,
      title: 'CF-UnprocessableEntity',
      detail: 'Unable to use app. Ensure that the app exists and you have access to it.',
    });
  });

  it('answers a body that is not JSON with 400 CF-MessageParseError', async () => {
    const response = await fetch(`${cf.url}/v3/deployments`, {
      method: 'POST',
      headers: { Authorization: `bearer ${client.accessToken!}`, 'Content-Type': 'application/json' },
      body: '{not json',
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { errors: { title: string }[] }).errors[0]!.title).toBe('CF-MessageParseError');
  });
});

describe('fault injection', () => {
  let app: string;
  let droplet: string;

  beforeAll(async () => {
    app = await appGuid('other', 'prod', 'api');
    droplet = await stageDroplet(app);
    await deploy(app, { droplet: { guid: droplet } });
  });

  it('fails the next N calls of an operation with the given CF error, then serves again', async () => {
    cf.admin.failRequests({ operation: 'getApp', code: 10015, times: 2 });
    for (let i = 0; i < 2; i++) {
      const error = await cfFailure(client.get(`/v3/apps/${app}`));
      expect(error.status).toBe(503);
      expect(error.first).toMatchObject({ code: 10015, title: 'CF-ServiceUnavailable' });
    }
    expect((await client.get(`/v3/apps/${app}`)).guid).toBe(app);
  });

  it('answers a rate limit with Retry-After', async () => {
    cf.admin.failRequests({ operation: 'listApps', code: 20008, retryAfter: 7 });
    const error = await cfFailure(client.list('/v3/apps'));
    expect(error.status).toBe(429);
    expect(error.first.title).toBe('CF-UaaRateLimited');
    expect(error.headers.get('retry-after')).toBe('7');
  });

  it('drops the connection mid-request and serves the retry', async () => {
    cf.admin.dropConnections({ operation: 'getDeployment' });
    const [listed] = (await client.list(`/v3/deployments?app_guids=${app}`)).resources;
    await expect(client.get(`/v3/deployments/${listed!.guid}`)).rejects.toThrow('got no answer');
    expect((await client.get(`/v3/deployments/${listed!.guid}`)).guid).toBe(listed!.guid);
  });

  it('drops the answer of a call it applied when the drop is armed afterServing', async () => {
    const before = (await client.list(`/v3/deployments?app_guids=${app}`)).pagination.total_results;
    const droplet = (await client.get(`/v3/apps/${app}/droplets/current`)).guid;
    cf.admin.dropConnections({ operation: 'createDeployment', afterServing: true });
    await expect(deploy(app, { droplet: { guid: droplet } })).rejects.toThrow('got no answer');
    expect((await client.list(`/v3/deployments?app_guids=${app}`)).pagination.total_results).toBe(before + 1);
    cf.admin.settle();
  });

  it('delays matching calls and still answers them', async () => {
    cf.admin.addLatency({ operation: 'getRoot', ms: 50 });
    expect(cf.admin.faults().latencies).toEqual([{ operation: 'getRoot', ms: 50 }]);
    expect((await fetch(`${cf.url}/`)).status).toBe(200);
  });

  it('keeps a deployment of an unhealthy droplet DEPLOYING; cancel reverts the current droplet', async () => {
    const bad = await stageDroplet(app);
    cf.admin.unhealthyDroplet({ dropletGuid: bad });
    const deployment = await deploy(app, { droplet: { guid: bad } });
    cf.admin.settle(600);
    const stuck = await client.get(`/v3/deployments/${deployment.guid}`);
    expect(stuck.status).toMatchObject({ value: 'ACTIVE', reason: 'DEPLOYING' });
    expect(stuck.status.details.last_successful_healthcheck).toBeNull();
    const canceling = await client.post(`/v3/deployments/${deployment.guid}/actions/cancel`);
    expect(canceling.status).toMatchObject({ value: 'ACTIVE', reason: 'CANCELING' });
    cf.admin.settle();
    expect((await client.get(`/v3/deployments/${deployment.guid}`)).status).toMatchObject({
      value: 'FINALIZED',
      reason: 'CANCELED',
    });
    expect((await client.get(`/v3/apps/${app}/droplets/current`)).guid).toBe(droplet);
  });

  it('is armed over the admin HTTP route only with the admin key', async () => {
    const spec = JSON.stringify({ operation: 'createPackage', code: 10001 });
    const refused = await fetch(`${cf.url}/_emulator/faults/error`, { method: 'POST', body: spec });
    expect(refused.status).toBe(401);
    const bad = await fetch(`${cf.url}/_emulator/faults/error`, {
      method: 'POST',
      headers: { 'x-emulator-admin': cf.adminKey },
      body: JSON.stringify({ operation: 'createPakage' }),
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/^operation must be one of getRoot, token/);
    const armed = await fetch(`${cf.url}/_emulator/faults/error`, {
      method: 'POST',
      headers: { 'x-emulator-admin': cf.adminKey },
      body: spec,
    });
    expect(armed.status).toBe(204);
    const error = await cfFailure(
      client.post('/v3/packages', { type: 'bits', relationships: { app: { data: { guid: app } } } }),
    );
    expect(error.status).toBe(500);
    expect(error.first).toMatchObject({ code: 10001, title: 'UnknownError' });
  });

  it('seeds apps and moves time over the admin HTTP routes', async () => {
    const admin = (path: string, body: object) =>
      fetch(`${cf.url}/_emulator${path}`, {
        method: 'POST',
        headers: { 'x-emulator-admin': cf.adminKey },
        body: JSON.stringify(body),
      });
    const seeded = (await (await admin('/apps', { org: 'acme', space: 'qa', app: 'worker' })).json()) as {
      appGuid: string;
    };
    expect(await appGuid('acme', 'qa', 'worker')).toBe(seeded.appGuid);
    const refused = await admin('/apps', { org: 'acme', space: '', app: 'x' });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toEqual({ error: 'space must be a non-empty name' });
    const before = Date.parse(cf.admin.clockAnswer().now);
    const ticked = (await (await admin('/tick', { seconds: 3600 })).json()) as { now: string; busy: boolean };
    expect(Date.parse(ticked.now) - before).toBeGreaterThanOrEqual(3600_000);
    expect(ticked.busy).toBe(false);
    await client.login({ grant: 'password', username: 'deployer', password: 'pw' });
  });

  it('logs each call with its operation', async () => {
    cf.admin.resetRequests();
    await client.get(`/v3/apps/${app}`);
    await client.list(`/v3/apps/${app}/revisions`);
    expect(cf.admin.requests()).toEqual([
      { method: 'GET', path: `/v3/apps/${app}`, operation: 'getApp' },
      { method: 'GET', path: `/v3/apps/${app}/revisions`, operation: 'listRevisions' },
    ]);
  });
});

describe('labels, lists and stopping an app', () => {
  it('keeps the labels a package, build and deployment were created with and finds them by label_selector', async () => {
    const app = cf.admin.seedApp({ org: 'acme', space: 'labels', app: 'lbl', instances: 1 }).appGuid;
    const labels = { 'backtrack.dev/stage': 'job-1.s1' };
    const pkg = await client.post('/v3/packages', {
      type: 'bits',
      relationships: { app: { data: { guid: app } } },
      metadata: { labels, annotations: { 'backtrack.dev/artifact': 'shop@1.0.0' } },
    });
    await client.post('/v3/packages', { type: 'bits', relationships: { app: { data: { guid: app } } } });
    expect(pkg.metadata).toEqual({ labels, annotations: { 'backtrack.dev/artifact': 'shop@1.0.0' } });
    const selector = 'label_selector=backtrack.dev/stage=job-1.s1';
    const found = await client.list(`/v3/packages?app_guids=${app}&${selector}`);
    expect(found.resources.map((p) => p.guid)).toEqual([pkg.guid]);
    expect((await client.list(`/v3/packages?app_guids=${app}`)).pagination.total_results).toBe(2);
    await client.uploadBits(pkg.guid, ZIP);
    cf.admin.settle();
    const build = await client.post('/v3/builds', { package: { guid: pkg.guid }, metadata: { labels } });
    expect((await client.list(`/v3/builds?package_guids=${pkg.guid}&${selector}`)).resources[0]?.guid).toBe(build.guid);
    cf.admin.settle();
    const droplet = (await client.get(`/v3/builds/${build.guid}`)).droplet.guid as string;
    const deployment = await deploy(app, { droplet: { guid: droplet } }, { metadata: { labels } });
    expect((await client.list(`/v3/deployments?app_guids=${app}&${selector}`)).resources[0]?.guid).toBe(
      deployment.guid,
    );
    expect((await client.list(`/v3/deployments?app_guids=${app}&label_selector=other`)).resources).toEqual([]);
    expect((await cfFailure(client.list(`/v3/packages?label_selector=a!=b`))).status).toBe(400);
  });

  it('stops an app: no revision is deployed any more, the droplet stays current', async () => {
    const app = cf.admin.seedApp({ org: 'acme', space: 'labels', app: 'stopper', instances: 1 }).appGuid;
    await deploy(app, { droplet: { guid: await stageDroplet(app) } });
    expect((await client.list(`/v3/apps/${app}/revisions/deployed`)).resources).toHaveLength(1);
    const stopped = await client.post(`/v3/apps/${app}/actions/stop`);
    expect(stopped.state).toBe('STOPPED');
    expect((await client.list(`/v3/apps/${app}/revisions/deployed`)).resources).toEqual([]);
    expect((await client.get(`/v3/apps/${app}/droplets/current`)).guid).toBeDefined();
  });
});

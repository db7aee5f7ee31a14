// Contract tests of the `cf` provider (src/platform/provider.ts) against the Cloud Foundry emulator over HTTP, through
// the provider's own typed v3 client. Each test works on its own app; the emulator's request log counts what was sent.
import crypto from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { startCfEmulator, type CfEmulatorHandle } from '../../../src/cf-emulator/cf-emulator.server.js';
import { CfClient } from '../../cf-emulator/cf-client.helper.js';
import type { CfOutputs } from '../../../src/platform/cf/cf-records.js';
import type { CfSpec } from '../../../src/platform/cf/cf-spec.js';
import { CfProvider } from '../../../src/platform/cf/cf.provider.js';
import type { PackageSource } from '../../../src/platform/packages/package-source.js';
import { StageFailed, StageWait, type StageContext } from '../../../src/platform/provider.js';
import { zipPackage } from '../../helpers/package-archives.js';
import { SimulatedCrash, stageContext, type TestStageContext } from '../../helpers/stage-context.js';

const PASSWORD = 'cf-contract-pw-31d';
let cf: CfEmulatorHandle;
let client: CfClient;
const zips = new Map<string, Buffer>();
const packages: PackageSource = {
  bytes: async (name, version) => {
    const content = zips.get(version);
    if (!content) throw new StageFailed(`Package ${name} version ${version} is not in the package store.`);
    return { content, sha256: crypto.createHash('sha256').update(content).digest('hex'), format: 'zip' };
  },
};
const provider = new CfProvider({ packages, maxUnanswered: 3, waitMs: 1 });

beforeAll(async () => {
  cf = await startCfEmulator({ users: [{ username: 'deployer', password: PASSWORD }], instanceSeconds: 2 });
  client = new CfClient(cf.url, { login: { grant: 'password', username: 'deployer', password: PASSWORD } });
  for (const version of ['1.0.0', '2.0.0', '3.0.0'])
    zips.set(version, await zipPackage([{ name: 'index.js', content: `console.log('${version}')` }]));
});
afterAll(() => cf.close());
beforeEach(() => {
  cf.admin.clearFaults();
  cf.admin.resetRequests();
});

let appCount = 0;
/** A new app (3 instances, stopped, no droplet) and a spec for it. */
function newApp(extra: Partial<CfSpec> = {}): { spec: CfSpec; appGuid: string } {
  const name = `app-${++appCount}`;
  const { appGuid } = cf.admin.seedApp({ org: 'acme', space: 'prod', app: name, instances: 3 });
  const spec = provider.parseSpec({ org: 'acme', space: 'prod', app: name, package: 'shop', version: '1.0.0' });
  return { spec: { ...spec, ...extra }, appGuid };
}

function context(options: { crashAfterSaves?: number; jobId?: string; signal?: AbortSignal } = {}): TestStageContext {
  return stageContext({
    target: { kind: 'cf', connection: { apiUrl: cf.url, username: 'deployer', password: PASSWORD } },
    jobId: options.jobId ?? crypto.randomUUID(),
    crashAfterSaves: options.crashAfterSaves,
    signal: options.signal,
  });
}

/** The context of the last attempt untilDone made (its state holds what every attempt saved). */
let lastContext: TestStageContext;

/**
 * Calls until the call stops asking to wait (each StageWait: time moves on, the call is resumed). `crashAfterSaves`
 * counts saves across the attempts: the worker dies right after that save, whichever attempt makes it.
 */
async function untilDone<T>(
  ctx: TestStageContext,
  call: (c: StageContext) => Promise<T>,
  crashAfterSaves?: number,
): Promise<T> {
  let current = crashAfterSaves === undefined ? ctx : ctx.resume({ crashAfterSaves });
  let saved = 0;
  for (let attempt = 0; attempt < 40; attempt++) {
    lastContext = current;
    try {
      return await call(current);
    } catch (error) {
      if (!(error instanceof StageWait)) throw error;
      cf.admin.tick(2);
      saved += current.saves.length;
      const left = crashAfterSaves === undefined ? undefined : crashAfterSaves - saved;
      current = current.resume(left !== undefined && left > 0 ? { crashAfterSaves: left } : {});
    }
  }
  throw new Error('the call never finished');
}

/** capture + deploy to the end + the rollout settled: what the next stage finds. */
async function deployed(spec: CfSpec, ctx = context()) {
  const data = await provider.capture(ctx, spec);
  const outputs = await untilDone(ctx, (c) => provider.deploy(c, spec, data));
  cf.admin.settle();
  return { data, outputs, ctx };
}

/** The calls that change something (everything but reads and tokens), as `operation` names. */
const writes = () =>
  cf.admin
    .requests()
    .filter((r) => r.method !== 'GET' && r.operation !== 'token')
    .map((r) => r.operation);

const count = (operation: string) => cf.admin.requests().filter((r) => r.operation === operation).length;

async function live(appGuid: string) {
  const app = await client.get(`/v3/apps/${appGuid}`);
  const droplet = await client.find(`/v3/apps/${appGuid}/droplets/current`);
  const deployed = (await client.list(`/v3/apps/${appGuid}/revisions/deployed`)).resources;
  return { state: app.state as string, droplet: droplet?.guid ?? null, deployed: deployed.map((r) => r.droplet.guid) };
}

describe('CfProvider against the CF emulator over HTTP', () => {
  test('artifactOf is package@version when the spec names a version', () => {
    const { spec } = newApp();
    expect(provider.artifactOf(spec)).toBe('shop@1.0.0');
    expect(provider.artifactOf({ ...spec, version: null })).toBeNull();
  });

  test('capture is read-only: twice gives equal data and sends no write', async () => {
    const { spec, appGuid } = newApp();
    const first = await deployed(spec);
    cf.admin.resetRequests();
    const a = await provider.capture(context(), { ...spec, version: '2.0.0' });
    const b = await provider.capture(context(), { ...spec, version: '2.0.0' });
    expect(b).toEqual(a);
    expect(writes()).toEqual([]);
    expect(a).toEqual({
      appGuid,
      appState: 'STARTED',
      dropletGuid: first.outputs.dropletGuid,
      revision: { guid: first.outputs.revisionGuid, version: 1, dropletGuid: first.outputs.dropletGuid },
      artifact: 'shop@1.0.0',
    });
    expect(provider.isFirstDeployment(a)).toBe(false);
    expect(provider.describeRollbackTarget(a)).toBe('revision 1 (shop@1.0.0)');
  });

  test('a first deployment uploads, builds and deploys once each; status, describe and drift follow it', async () => {
    const { spec, appGuid } = newApp();
    const ctx = context();
    const data = await provider.capture(ctx, spec);
    expect(provider.isFirstDeployment(data)).toBe(true);
    const outputs = await untilDone(ctx, (c) => provider.deploy(c, spec, data));
    expect(writes()).toEqual(['createPackage', 'uploadPackage', 'createBuild', 'createDeployment']);
    expect(outputs).toMatchObject({ appGuid, revisionVersion: 1, artifact: 'shop@1.0.0' });
    // a stopped app starts at once
    expect(await provider.status(ctx, spec, outputs)).toEqual({ steady: true });
    expect(await provider.describe(ctx, { spec, data, outputs })).toEqual({
      artifact: 'shop@1.0.0',
      revision: '1',
      ready: 3,
      desired: 3,
    });
    expect(await provider.drift(ctx, { spec, data, outputs })).toEqual([]);
    const deployment = await client.get(`/v3/deployments/${outputs.deploymentGuid}`);
    expect(deployment.metadata.labels).toEqual({ 'backtrack.dev/job': ctx.jobId, 'backtrack.dev/stage': ctx.stageId });
  });

  test('deploy twice converges: the second sends no change', async () => {
    const { spec } = newApp();
    const first = await deployed(spec);
    cf.admin.resetRequests();
    const again = await deployed(spec);
    expect(writes()).toEqual([]);
    expect(again.outputs).toMatchObject({
      dropletGuid: first.outputs.dropletGuid,
      revisionGuid: first.outputs.revisionGuid,
      deploymentGuid: null,
    });
    expect(await provider.status(again.ctx, spec, again.outputs)).toEqual({ steady: true });
  });

  test('status follows a rolling deployment and fails at once when it is canceled', async () => {
    const { spec } = newApp();
    await deployed(spec);
    const v2 = { ...spec, version: '2.0.0' };
    const ctx = context();
    const data = await provider.capture(ctx, v2);
    const outputs = await untilDone(ctx, (c) => provider.deploy(c, v2, data));
    expect(await provider.status(ctx, v2, outputs)).toEqual({
      steady: false,
      reason: 'the deployment is ACTIVE/DEPLOYING',
    });
    await client.post(`/v3/deployments/${outputs.deploymentGuid}/actions/cancel`);
    cf.admin.settle();
    expect(await provider.status(ctx, v2, outputs)).toEqual({
      steady: false,
      failed: true,
      reason: 'the deployment ended CANCELED before every instance ran the new droplet',
    });
  });

  test.each([1, 2, 3, 4, 5, 6, 7])(
    'a deploy stopped after save %i and resumed sends each change once',
    async (crashAfter) => {
      const { spec, appGuid } = newApp();
      await deployed(spec);
      const v2 = { ...spec, version: '2.0.0' };
      cf.admin.resetRequests();
      const ctx = context();
      const data = await provider.capture(ctx, v2);
      const crash = untilDone(ctx, (c) => provider.deploy(c, v2, data), crashAfter);
      await expect(crash).rejects.toBeInstanceOf(SimulatedCrash);
      expect(lastContext.saves.length).toBeGreaterThan(0);
      const outputs = await untilDone(lastContext.resume(), (c) => provider.deploy(c, v2, data));
      cf.admin.settle();
      expect(writes()).toEqual(['createPackage', 'uploadPackage', 'createBuild', 'createDeployment']);
      expect(outputs.revisionVersion).toBe(2);
      expect((await live(appGuid)).deployed).toEqual([outputs.dropletGuid]);
    },
  );

  test('a create whose answer was lost (applied, connection dropped) is found by its labels, not sent again', async () => {
    const { spec } = newApp();
    await deployed(spec);
    const v2 = { ...spec, version: '2.0.0' };
    for (const operation of ['createPackage', 'createBuild', 'createDeployment'] as const)
      cf.admin.dropConnections({ operation, afterServing: true });
    cf.admin.resetRequests();
    const ctx = context();
    const captured = await provider.capture(ctx, v2);
    const outputs = await untilDone(ctx, (c) => provider.deploy(c, v2, captured));
    expect(count('createPackage')).toBe(1);
    expect(count('createBuild')).toBe(1);
    expect(count('createDeployment')).toBe(1);
    expect(lastContext.state['deploy.deploymentGuid']).toBe(outputs.deploymentGuid);
    cf.admin.settle();
    expect(await provider.status(ctx, v2, outputs)).toEqual({ steady: true });
  });
  test('a 500 or a dropped call before CF applied it is a wait, and the retry sends it once', async () => {
    const { spec } = newApp();
    const first = await deployed(spec);
    const v2 = { ...spec, version: '2.0.0' };
    cf.admin.failRequests({ operation: 'createDeployment', code: 10001 });
    cf.admin.dropConnections({ operation: 'uploadPackage' });
    cf.admin.resetRequests();
    const ctx = context();
    const captured = await provider.capture(ctx, v2);
    const outputs = await untilDone(ctx, (c) => provider.deploy(c, v2, captured));
    cf.admin.settle();
    // each was tried twice (the first got no answer), and CF holds one of each
    expect(count('uploadPackage')).toBe(2);
    expect(count('createDeployment')).toBe(2);
    const deployments = (await client.list(`/v3/deployments?app_guids=${captured.appGuid}`)).resources;
    expect(deployments.map((d) => d.droplet.guid)).toEqual([first.outputs.dropletGuid, outputs.dropletGuid]);
  });

  test('a CF that keeps failing ends the stage saying what may have been applied, never "nothing applied"', async () => {
    const { spec } = newApp();
    await deployed(spec);
    const v2 = { ...spec, version: '2.0.0' };
    cf.admin.failRequests({ operation: 'createDeployment', code: 10001, times: 10 });
    const ctx = context();
    const captured = await provider.capture(ctx, v2);
    const failure = await untilDone(ctx, (c) => provider.deploy(c, v2, captured)).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(StageFailed);
    expect((failure as Error).message).toMatch(/did not answer 3 attempts in a row/);
    expect((failure as Error).message).toMatch(/may have been applied/);
    expect((failure as Error).message).toContain('deployment');
  });

  test('a slow CF is waited for: the call answers late and nothing is sent twice', async () => {
    const { spec } = newApp();
    await deployed(spec);
    const v2 = { ...spec, version: '2.0.0' };
    cf.admin.addLatency({ operation: 'createDeployment', ms: 400 });
    cf.admin.resetRequests();
    const ctx = context();
    const captured = await provider.capture(ctx, v2);
    await untilDone(ctx, (c) => provider.deploy(c, v2, captured));
    expect(count('createDeployment')).toBe(1);
  });

  test('a refusal (4xx) is a sentence naming what CF said', async () => {
    const { spec } = newApp();
    cf.admin.failRequests({ operation: 'createBuild', code: 10008, detail: 'Staging quota exceeded' });
    const ctx = context();
    const captured = await provider.capture(ctx, spec);
    const failure = await untilDone(ctx, (c) => provider.deploy(c, spec, captured)).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(StageFailed);
    expect((failure as Error).message).toBe(
      'Cloud Foundry refused to deploy shop@1.0.0 to ' +
        `${spec.app}: Staging quota exceeded (CF-UnprocessableEntity).`,
    );
  });

  test('an app that does not exist is refused with a sentence', async () => {
    const { spec } = newApp();
    await expect(provider.capture(context(), { ...spec, app: 'nope' })).rejects.toThrow(
      'Space acme/prod has no app "nope": create it first',
    );
  });

  test('rollback puts back exactly the revision capture recorded', async () => {
    const { spec, appGuid } = newApp();
    const first = await deployed(spec);
    const v2 = { ...spec, version: '2.0.0' };
    const second = await deployed(v2);
    expect((await live(appGuid)).deployed).toEqual([second.outputs.dropletGuid]);
    cf.admin.resetRequests();
    const ctx = context();
    const outputs = await untilDone(ctx, (c) =>
      provider.rollback(c, { spec: v2, data: second.data, outputs: second.outputs }),
    );
    expect(writes()).toEqual(['createDeployment']);
    expect(await provider.status(ctx, v2, outputs)).toMatchObject({ steady: false });
    cf.admin.settle();
    expect(await provider.status(ctx, v2, outputs)).toEqual({ steady: true });
    expect(await live(appGuid)).toEqual({
      state: 'STARTED',
      droplet: first.outputs.dropletGuid,
      deployed: [first.outputs.dropletGuid],
    });
    expect(outputs).toMatchObject({
      dropletGuid: first.outputs.dropletGuid,
      revisionVersion: 3,
      artifact: 'shop@1.0.0',
    });
    const description = (await client.get(`/v3/revisions/${outputs.revisionGuid}`)).description as string;
    expect(description).toContain('Rolled back to revision 1.');
    // the drift check of the rolled-back stage: the app no longer runs what v2 left
    expect(await provider.drift(ctx, { spec: v2, data: second.data, outputs: second.outputs })).toHaveLength(2);
    expect(await provider.describe(ctx, { spec: v2, data: second.data, outputs })).toMatchObject({
      artifact: 'shop@1.0.0',
      revision: '3',
    });
  });

  test.each([1, 2])('a rollback stopped after save %i and resumed sends the deployment once', async (crashAfter) => {
    const { spec, appGuid } = newApp();
    const first = await deployed(spec);
    const second = await deployed({ ...spec, version: '2.0.0' });
    cf.admin.resetRequests();
    const recorded = { spec, data: second.data, outputs: second.outputs };
    const ctx = context({ crashAfterSaves: crashAfter });
    await expect(provider.rollback(ctx, recorded)).rejects.toBeInstanceOf(SimulatedCrash);
    await untilDone(ctx.resume(), (c) => provider.rollback(c, recorded));
    cf.admin.settle();
    expect(writes()).toEqual(['createDeployment']);
    expect((await live(appGuid)).deployed).toEqual([first.outputs.dropletGuid]);
  });

  test('a rollback whose deployment answer was lost finds it again by its labels', async () => {
    const { spec } = newApp();
    await deployed(spec);
    const second = await deployed({ ...spec, version: '2.0.0' });
    cf.admin.dropConnections({ operation: 'createDeployment', afterServing: true });
    cf.admin.resetRequests();
    const ctx = context();
    const outputs = await untilDone(ctx, (c) =>
      provider.rollback(c, { spec, data: second.data, outputs: second.outputs }),
    );
    expect(count('createDeployment')).toBe(1);
    expect(outputs.deploymentGuid).toBe(lastContext.state['rollback.deploymentGuid']);
  });

  test('a rollback to what already runs sends nothing', async () => {
    const { spec } = newApp();
    await deployed(spec);
    const second = await deployed({ ...spec, version: '2.0.0' });
    const recorded = { spec, data: second.data, outputs: second.outputs };
    await untilDone(context(), (c) => provider.rollback(c, recorded));
    cf.admin.settle();
    cf.admin.resetRequests();
    const again = await untilDone(context(), (c) => provider.rollback(c, recorded));
    expect(count('createDeployment')).toBe(1); // tried, and CF said it is the same code: nothing made
    expect(again.deploymentGuid).toBeNull();
    expect(await provider.status(context(), spec, again)).toEqual({ steady: true });
  });

  test('the rollback of a first deployment stops the app, once', async () => {
    const { spec, appGuid } = newApp();
    const first = await deployed(spec);
    expect(provider.describeRollbackTarget(first.data)).toBe('the app stopped, as before its first deployment');
    cf.admin.resetRequests();
    const recorded = { spec, data: first.data, outputs: first.outputs };
    const crashed = context({ crashAfterSaves: 1 });
    await expect(provider.rollback(crashed, recorded)).rejects.toBeInstanceOf(SimulatedCrash);
    const outputs: CfOutputs = await provider.rollback(crashed.resume(), recorded);
    expect(writes()).toEqual(['stopApp']);
    expect(outputs.stopped).toBe(true);
    expect(await provider.status(crashed, spec, outputs)).toEqual({ steady: true });
    expect((await live(appGuid)).state).toBe('STOPPED');
    expect(await provider.drift(crashed, { spec, data: first.data, outputs })).toEqual([]);
    expect(await provider.describe(crashed, { spec, data: first.data, outputs })).toMatchObject({
      ready: 0,
      desired: 0,
    });
  });

  test('a canary deployment is continued once per pause by the deploy itself', async () => {
    const { spec } = newApp();
    await deployed(spec);
    const canary = { ...spec, version: '2.0.0', strategy: 'canary' as const, canarySteps: [20, 50] };
    cf.admin.resetRequests();
    const ctx = context();
    const captured = await provider.capture(ctx, canary);
    const outputs = await untilDone(ctx, (c) => provider.deploy(c, canary, captured));
    expect(count('continueDeployment')).toBe(2);
    cf.admin.settle();
    expect(await provider.status(ctx, canary, outputs)).toEqual({ steady: true });
  });

  test('the secret never shows in a log line or an error', async () => {
    const { spec } = newApp();
    const ctx = stageContext({
      target: { kind: 'cf', connection: { apiUrl: cf.url, username: 'deployer', password: 'wrong-pw-99' } },
    });
    const failure = await provider.capture(ctx, spec).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(StageFailed);
    expect((failure as Error).message).toMatch(/refused the credentials/);
    expect((failure as Error).message).not.toContain('wrong-pw-99');
    expect(ctx.logText()).not.toContain('wrong-pw-99');
  });
});

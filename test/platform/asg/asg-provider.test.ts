// The `asg` provider against the AWS Query emulator over HTTP, through the official SDK clients: every contract of
// src/platform/provider.ts, issue 15's worked example end to end, a worker stopping after each save, and faults.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import {
  startAwsQueryEmulator,
  type AwsQueryEmulatorHandle,
} from '../../../src/aws-query-emulator/aws-query-emulator.server.js';
import { parseAsgSpec, type AsgSpec } from '../../../src/platform/asg/asg-spec.js';
import { AsgProvider } from '../../../src/platform/asg/asg.provider.js';
import { StageFailed, StageWait } from '../../../src/platform/provider.js';
import {
  asgConnection,
  asgSdk,
  countActions,
  makeGroup,
  readGroup,
  scaleTo,
  terminatedIds,
  terminationRuns,
  versionsRunning,
  writesOf,
  type AsgSdk,
} from '../../helpers/asg-groups.js';
import { SimulatedCrash, stageContext, type TestStageContext } from '../../helpers/stage-context.js';
import { rejectionOf } from '../../helpers/thrown.js';
import { CreateLaunchTemplateVersionCommand } from '@aws-sdk/client-ec2';
import {
  TerminateInstanceInAutoScalingGroupCommand,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';

let aws: AwsQueryEmulatorHandle;
let sdk: AsgSdk;
const provider = new AsgProvider({ phasePollMs: 10 });
/** For the tests of slow answers only: every other test keeps the default timeout, which a loaded machine never hits. */
const impatient = new AsgProvider({ phasePollMs: 10, requestTimeoutMs: 1_000 });

beforeAll(async () => {
  aws = await startAwsQueryEmulator({ instanceReadySeconds: 30, instanceTerminateSeconds: 10, syncIntervalMs: 50 });
  sdk = asgSdk(aws);
});
afterAll(async () => {
  sdk.destroy();
  await aws.close();
});
beforeEach(() => {
  aws.admin.clearFaults();
  aws.admin.resetRequests();
});

const context = (crashAfterSaves?: number) =>
  stageContext({ target: { kind: 'asg', connection: asgConnection(aws), name: 'AWS emulator' }, crashAfterSaves });

function specFor(fixture: { group: string; template: string }, amiId: string, extra: Record<string, unknown> = {}) {
  return parseAsgSpec({ autoScalingGroupName: fixture.group, launchTemplate: fixture.template, amiId, ...extra });
}

const CANARY = { strategy: 'canary', phases: [10, 35, 60, 100] };

/**
 * Calls a deploy or rollback as the engine does: on StageWait the emulator's time runs until the group settled and the
 * call is made again, resumed; with `crashAt`, the attempt dies right after the crashAt-th save (counted over every
 * attempt) and the next attempt resumes it.
 */
async function drive<T>(
  call: (ctx: TestStageContext) => Promise<T>,
  crashAt?: number,
): Promise<{ outputs: T; ctx: TestStageContext; crashed: boolean; waits: number }> {
  let ctx = context(crashAt);
  let saved = 0;
  let crashed = false;
  let waits = 0;
  for (let attempt = 0; attempt < 60; attempt++) {
    try {
      return { outputs: await call(ctx), ctx, crashed, waits };
    } catch (error) {
      saved += ctx.saves.length;
      if (error instanceof SimulatedCrash) {
        crashed = true;
        ctx = ctx.resume();
      } else if (error instanceof StageWait) {
        waits++;
        aws.admin.settle();
        ctx = ctx.resume(
          crashAt !== undefined && !crashed && crashAt > saved ? { crashAfterSaves: crashAt - saved } : {},
        );
      } else throw error;
    }
  }
  throw new Error('the call never finished');
}

/** A group of `size` on version 1 (ami-00000001), settled. */
async function groupOf(size: number, prefix = 'web') {
  const fixture = await makeGroup(sdk, prefix, size);
  aws.admin.settle();
  return fixture;
}

async function deployed(spec: AsgSpec) {
  const data = await provider.capture(context(), spec);
  const run = await drive((ctx) => provider.deploy(ctx, spec, data));
  aws.admin.settle();
  return { data, outputs: run.outputs };
}

describe('AsgProvider against the AWS Query emulator over HTTP', () => {
  test('capture is read-only: twice gives equal data and sends no write', async () => {
    const fixture = await groupOf(3);
    const spec = specFor(fixture, 'ami-00000002');
    aws.admin.resetRequests();
    const first = await provider.capture(context(), spec);
    const second = await provider.capture(context(), spec);
    expect(second).toEqual(first);
    expect(writesOf(aws.admin.requests())).toEqual([]);
    expect(first).toMatchObject({
      autoScalingGroupName: fixture.group,
      launchTemplate: { launchTemplateName: fixture.template, version: '1' },
      versionAsNamed: '1',
      amiId: 'ami-00000001',
      desiredCapacity: 3,
    });
    expect(first.instances).toHaveLength(3);
    expect(provider.isFirstDeployment(first)).toBe(false);
    expect(provider.describeRollbackTarget(first)).toBe(`launch template ${fixture.template} version 1 (ami-00000001)`);
  });

  test('a group that does not exist is a StageFailed sentence (Backtrack does not create groups)', async () => {
    const error = await rejectionOf(
      provider.capture(
        context(),
        parseAsgSpec({ autoScalingGroupName: 'nope', launchTemplate: 'x-lt', amiId: 'ami-00000002' }),
      ),
    );
    expect(error).toBeInstanceOf(StageFailed);
    expect(error.message).toBe(
      'Auto Scaling group nope does not exist (Backtrack deploys to existing groups; it does not create them).',
    );
  });

  test('basic: a new version, the group on it, one instance refresh; status waits, then steady; Instances shows it', async () => {
    const fixture = await groupOf(4);
    const spec = specFor(fixture, 'ami-00000002');
    const ctx = context();
    const data = await provider.capture(ctx, spec);
    aws.admin.resetRequests();
    const outputs = await provider.deploy(ctx, spec, data);
    expect(outputs).toMatchObject({
      launchTemplate: { version: '2' },
      amiId: 'ami-00000002',
      strategy: 'basic',
      phases: [4],
      image: 'ami-00000002',
      revision: '2',
    });
    expect(outputs.instanceRefreshId).toEqual(expect.any(String));
    expect(writesOf(aws.admin.requests()).map((r) => r.action)).toEqual([
      'CreateLaunchTemplateVersion',
      'UpdateAutoScalingGroup',
      'StartInstanceRefresh',
    ]);
    const waiting = await provider.status(ctx, spec, outputs);
    expect(waiting).toMatchObject({ steady: false, reason: expect.stringContaining('instance refresh') });
    aws.admin.settle();
    expect(await provider.status(ctx, spec, outputs)).toEqual({ steady: true });
    expect(await versionsRunning(sdk, fixture.group)).toEqual({ '2': 4 });
    expect(await provider.describe(ctx, { spec, data, outputs })).toEqual({
      artifact: 'ami-00000002',
      revision: '2',
      ready: 4,
      desired: 4,
    });
    expect(await provider.drift(ctx, { spec, data, outputs })).toEqual([]);
  });

  test('deploying the same spec twice converges: the second deploy sends nothing', async () => {
    const fixture = await groupOf(2);
    const spec = specFor(fixture, 'ami-00000002', CANARY);
    await deployed(spec);
    aws.admin.resetRequests();
    const again = await deployed(spec);
    expect(writesOf(aws.admin.requests())).toEqual([]);
    expect(again.outputs).toMatchObject({ launchTemplate: { version: '2' }, phases: [0] });
    expect(await provider.status(context(), spec, again.outputs)).toEqual({ steady: true });
  });

  test('the worked example: 8 replaced in 1, 2, 2, 3; the group scaled to 15; the rollback terminates 6, 4, 4, 1', async () => {
    const fixture = await groupOf(8);
    const spec = specFor(fixture, 'ami-00000002', CANARY);
    const data = await provider.capture(context(), spec);
    aws.admin.resetRequests();
    const deploy = await drive((ctx) => provider.deploy(ctx, spec, data));
    aws.admin.settle();
    expect(terminationRuns(aws.admin.requests())).toEqual([1, 2, 2, 3]);
    expect(deploy.waits).toBe(3);
    expect(deploy.outputs).toMatchObject({ phases: [1, 2, 2, 3], launchTemplate: { version: '2' } });
    expect(deploy.outputs.replaced.flat()).toHaveLength(8);
    expect(await versionsRunning(sdk, fixture.group)).toEqual({ '2': 8 });

    await scaleTo(sdk, fixture.group, 15);
    aws.admin.settle();
    expect(await versionsRunning(sdk, fixture.group)).toEqual({ '2': 15 });
    const recorded = { spec, data, outputs: deploy.outputs };
    expect(await provider.drift(context(), recorded)).toEqual([]);

    aws.admin.resetRequests();
    const rollback = await drive((ctx) => provider.rollback(ctx, recorded));
    const log = aws.admin.requests();
    expect(terminationRuns(log)).toEqual([6, 4, 4, 1]);
    expect(new Set(terminatedIds(log)).size).toBe(15);
    expect(writesOf(log).filter((r) => r.action === 'UpdateAutoScalingGroup')).toEqual([
      { service: 'autoscaling', action: 'UpdateAutoScalingGroup', launchTemplateVersion: '1' },
    ]);
    expect(rollback.outputs).toMatchObject({
      phases: [6, 4, 4, 1],
      launchTemplate: { version: '1' },
      amiId: 'ami-00000001',
    });
    expect(await provider.status(context(), spec, rollback.outputs)).toMatchObject({ steady: false });
    aws.admin.settle();
    expect(await provider.status(context(), spec, rollback.outputs)).toEqual({ steady: true });
    expect(await versionsRunning(sdk, fixture.group)).toEqual({ '1': 15 });
    expect(await provider.describe(context(), recorded)).toEqual({
      artifact: 'ami-00000001',
      revision: '1',
      ready: 15,
      desired: 15,
    });
  });

  test('basic rollback: the captured version back on the group and one instance refresh', async () => {
    const fixture = await groupOf(3);
    const spec = specFor(fixture, 'ami-00000002');
    const { data, outputs } = await deployed(spec);
    aws.admin.resetRequests();
    const rolled = await drive((ctx) => provider.rollback(ctx, { spec, data, outputs }));
    expect(writesOf(aws.admin.requests())).toEqual([
      { service: 'autoscaling', action: 'UpdateAutoScalingGroup', launchTemplateVersion: '1' },
      { service: 'autoscaling', action: 'StartInstanceRefresh' },
    ]);
    aws.admin.settle();
    expect(await provider.status(context(), spec, rolled.outputs)).toEqual({ steady: true });
    expect(await versionsRunning(sdk, fixture.group)).toEqual({ '1': 3 });
  });

  test('a rollback of a deploy that changed nothing sends nothing', async () => {
    const fixture = await groupOf(2);
    const spec = specFor(fixture, 'ami-00000001', CANARY);
    const { data, outputs } = await deployed(spec);
    expect(outputs.phases).toEqual([0]);
    aws.admin.resetRequests();
    await drive((ctx) => provider.rollback(ctx, { spec, data, outputs }));
    expect(writesOf(aws.admin.requests())).toEqual([]);
  });

  test('drift: another launch template version on the group, and instances on an AMI neither version used', async () => {
    const fixture = await groupOf(2);
    const spec = specFor(fixture, 'ami-00000002');
    const recorded = await deployed(spec).then((d) => ({ spec, ...d }));
    expect(await provider.drift(context(), recorded)).toEqual([]);
    await sdk.ec2.send(
      new CreateLaunchTemplateVersionCommand({
        LaunchTemplateName: fixture.template,
        LaunchTemplateData: { ImageId: 'ami-00000009' },
      }),
    );
    await sdk.autoscaling.send(
      new UpdateAutoScalingGroupCommand({
        AutoScalingGroupName: fixture.group,
        LaunchTemplate: { LaunchTemplateName: fixture.template, Version: '3' },
      }),
    );
    const instance = (await readGroup(sdk, fixture.group)).Instances![0]!.InstanceId!;
    await sdk.autoscaling.send(
      new TerminateInstanceInAutoScalingGroupCommand({ InstanceId: instance, ShouldDecrementDesiredCapacity: false }),
    );
    aws.admin.settle();
    aws.admin.resetRequests();
    const drift = await provider.drift(context(), recorded);
    expect(writesOf(aws.admin.requests())).toEqual([]);
    expect(drift).toEqual([
      expect.stringMatching(
        /^Auto Scaling group \S+ uses launch template lt-\w+ version 3, not version 2 of lt-\w+ as the stage left it$/,
      ),
      expect.stringMatching(
        /^1 instance of \S+ runs ami-00000009, which neither the deploy nor the version captured before it used$/,
      ),
    ]);
  });
});

describe('a worker stopping right after each save, then resumed: each change is sent exactly once', () => {
  /** Canary deploy of 8 in 1, 2, 2, 3: version, version number, group template, plan, 4 phases = 8 saves. */
  test.each([1, 2, 3, 4, 5, 6, 7, 8])('canary deploy stopped after save %i', async (crashAt) => {
    const fixture = await groupOf(8, `crash-deploy-${crashAt}`);
    const spec = specFor(fixture, 'ami-00000002', CANARY);
    const data = await provider.capture(context(), spec);
    aws.admin.resetRequests();
    const run = await drive((ctx) => provider.deploy(ctx, spec, data), crashAt);
    aws.admin.settle();
    expect(run.crashed).toBe(true);
    const log = aws.admin.requests();
    expect(countActions(writesOf(log))).toEqual({
      CreateLaunchTemplateVersion: 1,
      UpdateAutoScalingGroup: 1,
      TerminateInstanceInAutoScalingGroup: 8,
    });
    expect(new Set(terminatedIds(log)).size).toBe(8);
    expect(run.outputs.phases).toEqual([1, 2, 2, 3]);
    expect(await versionsRunning(sdk, fixture.group)).toEqual({ '2': 8 });
  });

  test('a canary deploy called again after it returned (its outputs not stored yet) sends nothing and answers the same', async () => {
    const fixture = await groupOf(8, 'returned');
    const spec = specFor(fixture, 'ami-00000002', CANARY);
    const data = await provider.capture(context(), spec);
    const run = await drive((ctx) => provider.deploy(ctx, spec, data));
    aws.admin.resetRequests();
    const again = await provider.deploy(run.ctx.resume(), spec, data);
    expect(writesOf(aws.admin.requests())).toEqual([]);
    expect(again).toEqual(run.outputs);
  });

  /** Canary rollback of 15 in 6, 4, 4, 1: group template, plan, 4 phases = 6 saves. */
  test.each([1, 2, 3, 4, 5, 6])('canary rollback stopped after save %i', async (crashAt) => {
    const fixture = await groupOf(8, `crash-rollback-${crashAt}`);
    const spec = specFor(fixture, 'ami-00000002', CANARY);
    const { data, outputs } = await deployed(spec);
    await scaleTo(sdk, fixture.group, 15);
    aws.admin.settle();
    aws.admin.resetRequests();
    const run = await drive((ctx) => provider.rollback(ctx, { spec, data, outputs }), crashAt);
    aws.admin.settle();
    expect(run.crashed).toBe(true);
    const log = aws.admin.requests();
    expect(countActions(writesOf(log))).toEqual({ UpdateAutoScalingGroup: 1, TerminateInstanceInAutoScalingGroup: 15 });
    expect(new Set(terminatedIds(log)).size).toBe(15);
    expect(run.outputs.phases).toEqual([6, 4, 4, 1]);
    expect(await versionsRunning(sdk, fixture.group)).toEqual({ '1': 15 });
  });

  /** Basic deploy: version, version number, group template, refresh (before), refresh id = 5 saves. */
  test.each([1, 2, 3, 4, 5])('basic deploy stopped after save %i', async (crashAt) => {
    const fixture = await groupOf(3, `crash-basic-${crashAt}`);
    const spec = specFor(fixture, 'ami-00000002');
    const data = await provider.capture(context(), spec);
    aws.admin.resetRequests();
    const run = await drive((ctx) => provider.deploy(ctx, spec, data), crashAt);
    expect(run.crashed).toBe(true);
    expect(countActions(writesOf(aws.admin.requests()))).toEqual({
      CreateLaunchTemplateVersion: 1,
      UpdateAutoScalingGroup: 1,
      StartInstanceRefresh: 1,
    });
    aws.admin.settle();
    expect(await provider.status(context(), spec, run.outputs)).toEqual({ steady: true });
  });

  /** Basic rollback: group template, refresh (before), refresh id = 3 saves. */
  test.each([1, 2, 3])('basic rollback stopped after save %i', async (crashAt) => {
    const fixture = await groupOf(3, `crash-basic-rb-${crashAt}`);
    const spec = specFor(fixture, 'ami-00000002');
    const { data, outputs } = await deployed(spec);
    aws.admin.resetRequests();
    const run = await drive((ctx) => provider.rollback(ctx, { spec, data, outputs }), crashAt);
    expect(run.crashed).toBe(true);
    expect(countActions(writesOf(aws.admin.requests()))).toEqual({
      UpdateAutoScalingGroup: 1,
      StartInstanceRefresh: 1,
    });
    aws.admin.settle();
    expect(await versionsRunning(sdk, fixture.group)).toEqual({ '1': 3 });
  });
});

describe('faults from the emulator end in an honest state', () => {
  test('a slow CreateLaunchTemplateVersion (applied after the client gave up) is found again, not sent twice', async () => {
    const fixture = await groupOf(2, 'slow-version');
    const spec = specFor(fixture, 'ami-00000002', CANARY);
    const data = await provider.capture(context(), spec);
    aws.admin.addLatency({ action: 'CreateLaunchTemplateVersion', ms: 2_500 });
    const ctx = context();
    const wait = await rejectionOf(impatient.deploy(ctx, spec, data));
    expect(wait).toBeInstanceOf(StageWait);
    expect(ctx.logText()).toContain('it may or may not have been applied');
    aws.admin.clearFaults();
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    aws.admin.resetRequests();
    let next = ctx.resume();
    for (;;) {
      try {
        await provider.deploy(next, spec, data);
        break;
      } catch (error) {
        if (!(error instanceof StageWait)) throw error;
        aws.admin.settle();
        next = next.resume();
      }
    }
    expect(countActions(writesOf(aws.admin.requests()))).toEqual({
      UpdateAutoScalingGroup: 1,
      TerminateInstanceInAutoScalingGroup: 2,
    });
    aws.admin.settle();
    expect(await versionsRunning(sdk, fixture.group)).toEqual({ '2': 2 });
  });

  test('a dropped termination is sent again on resume; a slow one that was applied is not', async () => {
    const fixture = await groupOf(3, 'drop-terminate');
    const spec = specFor(fixture, 'ami-00000002', { strategy: 'canary', phases: [100] });
    const data = await provider.capture(context(), spec);
    aws.admin.dropConnections({ action: 'TerminateInstanceInAutoScalingGroup', times: 1 });
    const first = context();
    expect(await rejectionOf(provider.deploy(first, spec, data))).toBeInstanceOf(StageWait);
    const afterDrop = await versionsRunning(sdk, fixture.group);
    expect(afterDrop).toEqual({ '1': 3 });
    aws.admin.addLatency({ action: 'TerminateInstanceInAutoScalingGroup', ms: 2_000 });
    const second = first.resume();
    expect(await rejectionOf(impatient.deploy(second, spec, data))).toBeInstanceOf(StageWait);
    aws.admin.clearFaults();
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    aws.admin.resetRequests();
    await provider.deploy(second.resume(), spec, data);
    const ids = terminatedIds(aws.admin.requests());
    expect(ids.length).toBeLessThan(3);
    aws.admin.settle();
    expect(await versionsRunning(sdk, fixture.group)).toEqual({ '2': 3 });
  });

  test('a 500 on the group update waits and resumes; the stage never claims that nothing was applied', async () => {
    const fixture = await groupOf(2, 'error-500');
    const spec = specFor(fixture, 'ami-00000002');
    const data = await provider.capture(context(), spec);
    aws.admin.failRequests({ action: 'UpdateAutoScalingGroup', code: 'InternalFailure', status: 500, times: 1 });
    const ctx = context();
    const wait = await rejectionOf(provider.deploy(ctx, spec, data));
    expect(wait).toBeInstanceOf(StageWait);
    expect(wait.reason).toBe('AWS did not answer UpdateAutoScalingGroup during the deploy');
    expect(ctx.state['deploy version number']).toMatchObject({ version: '2' });
    expect(ctx.state['deploy group template']).toBe('sent');
    aws.admin.resetRequests();
    const outputs = await provider.deploy(ctx.resume(), spec, data);
    expect(countActions(writesOf(aws.admin.requests()))).toEqual({
      UpdateAutoScalingGroup: 1,
      StartInstanceRefresh: 1,
    });
    aws.admin.settle();
    expect(await provider.status(context(), spec, outputs)).toEqual({ steady: true });
  });

  test('an update AWS never answers fails the stage after maxUnanswered attempts, saying it may have been applied', async () => {
    const fixture = await groupOf(2, 'never-answers');
    const spec = specFor(fixture, 'ami-00000002');
    const data = await provider.capture(context(), spec);
    const patient = new AsgProvider({ phasePollMs: 10, maxUnanswered: 3 });
    aws.admin.failRequests({ action: 'UpdateAutoScalingGroup', code: 'InternalFailure', status: 500, times: 10 });
    let ctx = context();
    const outcomes: unknown[] = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      outcomes.push(await rejectionOf(patient.deploy(ctx, spec, data)));
      ctx = ctx.resume();
    }
    expect(outcomes.slice(0, 2).map((o) => o instanceof StageWait)).toEqual([true, true]);
    const failed = outcomes[2] as StageFailed;
    expect(failed).toBeInstanceOf(StageFailed);
    expect(failed.message).toMatch(
      /^AWS did not answer 3 calls in a row \(last: UpdateAutoScalingGroup during the deploy/,
    );
    expect(failed.message).toContain('that call may or may not have been applied');
    expect(failed.message).not.toMatch(/nothing (of this call )?was applied/);
  });

  test('a refusal (400) fails the stage with a sentence that says what was applied before it', async () => {
    const fixture = await groupOf(2, 'error-400');
    const spec = specFor(fixture, 'ami-00000002');
    const data = await provider.capture(context(), spec);
    aws.admin.failRequests({ action: 'UpdateAutoScalingGroup', code: 'ValidationError', message: 'no.', status: 400 });
    const ctx = context();
    const failed = await rejectionOf(provider.deploy(ctx, spec, data));
    expect(failed).toBeInstanceOf(StageFailed);
    expect(failed.message).toBe(
      'UpdateAutoScalingGroup answered ValidationError (HTTP 400): no. (every step before it was applied as the stage log says; nothing of this call was)',
    );
    expect(ctx.logText()).toContain('version 2 created with ami-00000002');
  });

  test('a connection that is not an AWS connection is a StageFailed sentence without the secret', async () => {
    const ctx = stageContext({
      target: { kind: 'asg', connection: { region: 'x', secretAccessKey: 'TOPSECRET' }, name: 'bad' },
    });
    const error = await rejectionOf(
      provider.capture(ctx, parseAsgSpec({ autoScalingGroupName: 'g', launchTemplate: 'lt-x', amiId: 'ami-00000001' })),
    );
    expect(error).toBeInstanceOf(StageFailed);
    expect(error.message).toBe('Infrastructure "bad" has no usable AWS connection.');
  });
});

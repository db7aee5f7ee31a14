/**
 * Auto Scaling rows of `npm run bench`: issue 15's worked example rolled back (8 instances deployed in canary phases of
 * 1, 2, 2, 3, the group scaled to 15, the rollback replacing 6, 4, 4, 1) through the `asg` provider, against a bare
 * @aws-sdk script sending the same changes (UpdateAutoScalingGroup back, then per phase one DescribeAutoScalingGroups
 * and the terminations), both against the AWS Query emulator over HTTP; and a basic (instance refresh) rollback the
 * same way. Time spent waiting for replacements (the emulator's simulated time, moved on with `settle`) is left out of
 * both sides; API calls are counted with the emulator's request log. Runs alone with `node dist/bench/asg-bench.js`.
 */
import { pathToFileURL } from 'node:url';
import {
  DescribeAutoScalingGroupsCommand,
  StartInstanceRefreshCommand,
  TerminateInstanceInAutoScalingGroupCommand,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import { startAwsQueryEmulator } from '../src/aws-query-emulator/aws-query-emulator.server.js';
import type { AsgData, AsgOutputs } from '../src/platform/asg/asg-records.js';
import { parseAsgSpec, type AsgSpec } from '../src/platform/asg/asg-spec.js';
import { AsgProvider } from '../src/platform/asg/asg.provider.js';
import { StageWait } from '../src/platform/provider.js';
import { asgConnection, asgSdk, makeGroup, scaleTo } from '../test/helpers/asg-groups.js';
import { stageContext, type TestStageContext } from '../test/helpers/stage-context.js';
import { type Row, median, scaledRuns } from './bench-client.js';

const REPEATS = scaledRuns(5);
const ms = (value: number) => `${value.toFixed(0)} ms`;

export async function benchAsgRollback(row: Row): Promise<void> {
  const aws = await startAwsQueryEmulator({ port: 0, instanceReadySeconds: 30, syncIntervalMs: 200 });
  const sdk = asgSdk(aws);
  const provider = new AsgProvider({ phasePollMs: 1 });
  const context = () => stageContext({ target: { kind: 'asg', connection: asgConnection(aws) } });
  /** Settling the emulator (simulated time) is the wait for replacements: timed apart and left out. */
  let settling = 0;
  const settle = () => {
    const started = performance.now();
    aws.admin.settle();
    settling += performance.now() - started;
  };
  /** Calls a provider method as the engine does: again, resumed, after each StageWait (once the group settled). */
  const drive = async <T>(call: (ctx: TestStageContext) => Promise<T>): Promise<T> => {
    let ctx = context();
    for (;;) {
      try {
        return await call(ctx);
      } catch (error) {
        if (!(error instanceof StageWait)) throw error;
        settle();
        ctx = ctx.resume();
      }
    }
  };
  /** A group of 8 on version 1, deployed to a new AMI by the provider, then scaled to `active`. */
  const deployed = async (strategy: 'canary' | 'basic', active: number) => {
    const fixture = await makeGroup(sdk, `bench-${strategy}`, 8);
    aws.admin.settle();
    const spec: AsgSpec = parseAsgSpec({
      autoScalingGroupName: fixture.group,
      launchTemplate: fixture.template,
      amiId: 'ami-00000002',
      ...(strategy === 'canary' ? { strategy, phases: [10, 35, 60, 100] } : {}),
    });
    const data: AsgData = await provider.capture(context(), spec);
    const outputs: AsgOutputs = await drive((ctx) => provider.deploy(ctx, spec, data));
    aws.admin.settle();
    await scaleTo(sdk, fixture.group, active);
    aws.admin.settle();
    return { fixture, recorded: { spec, data, outputs } };
  };

  /** The bare script: the captured version back on the group, then each phase reads the group and terminates. */
  const bareCanary = async (group: string, templateId: string, counts: number[]) => {
    await sdk.autoscaling.send(
      new UpdateAutoScalingGroupCommand({
        AutoScalingGroupName: group,
        LaunchTemplate: { LaunchTemplateId: templateId, Version: '1' },
      }),
    );
    for (const count of counts) {
      const answer = await sdk.autoscaling.send(
        new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [group] }),
      );
      const victims = answer
        .AutoScalingGroups![0]!.Instances!.filter(
          (i) => i.LifecycleState === 'InService' && i.LaunchTemplate?.Version !== '1',
        )
        .slice(0, count);
      for (const victim of victims)
        await sdk.autoscaling.send(
          new TerminateInstanceInAutoScalingGroupCommand({
            InstanceId: victim.InstanceId!,
            ShouldDecrementDesiredCapacity: false,
          }),
        );
      settle();
    }
  };
  const bareBasic = async (group: string, templateId: string) => {
    await sdk.autoscaling.send(
      new UpdateAutoScalingGroupCommand({
        AutoScalingGroupName: group,
        LaunchTemplate: { LaunchTemplateId: templateId, Version: '1' },
      }),
    );
    await sdk.autoscaling.send(
      new StartInstanceRefreshCommand({
        AutoScalingGroupName: group,
        Strategy: 'Rolling',
        Preferences: { MinHealthyPercentage: 90, SkipMatching: true },
      }),
    );
  };

  try {
    for (const strategy of ['canary', 'basic'] as const) {
      const ours: number[] = [];
      const bare: number[] = [];
      let ourCalls = 0;
      let bareCalls = 0;
      for (let run = 0; run < REPEATS; run++) {
        const mine = await deployed(strategy, 15);
        const theirs = await deployed(strategy, 15);
        const viaProvider = async () => {
          aws.admin.resetRequests();
          settling = 0;
          const started = performance.now();
          await drive((ctx) => provider.rollback(ctx, mine.recorded));
          ours.push(performance.now() - started - settling);
          ourCalls = aws.admin.requests().length;
        };
        const viaBare = async () => {
          aws.admin.resetRequests();
          settling = 0;
          const started = performance.now();
          if (strategy === 'canary') await bareCanary(theirs.fixture.group, theirs.fixture.templateId, [6, 4, 4, 1]);
          else await bareBasic(theirs.fixture.group, theirs.fixture.templateId);
          bare.push(performance.now() - started - settling);
          bareCalls = aws.admin.requests().length;
        };
        for (const side of run % 2 ? [viaBare, viaProvider] : [viaProvider, viaBare]) await side();
        aws.admin.settle();
      }
      const a = median(ours);
      const b = median(bare);
      row(
        strategy === 'canary'
          ? `ASG canary rollback, 15 instances in phases of 6, 4, 4, 1: provider time without the waits (median of ${REPEATS})`
          : `ASG basic rollback (instance refresh), 15 instances: provider time (median of ${REPEATS})`,
        `${ms(a)}, ${ourCalls} API calls`,
        `bare @aws-sdk script ${ms(b)}, ${bareCalls} API calls; ${(a / b).toFixed(2)}×`,
        a <= 1.2 * b ? 'meets ≤ 1.2×' : 'misses ≤ 1.2×',
      );
    }
  } finally {
    sdk.destroy();
    await aws.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const rows: string[][] = [];
  await benchAsgRollback((...cells) => {
    rows.push(cells);
    console.log(`  ${cells[0]}: ${cells[1]} (${cells[2]}) ${cells[3]}`);
  });
  console.log('\n| measure | value | reference | target |\n| --- | --- | --- | --- |');
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
}

/**
 * ECS rows of `npm run bench`: the rollback of one service through the provider (DescribeServices, then UpdateService
 * back to the captured task definition, desired count and deployment configuration) against a bare @aws-sdk/client-ecs
 * script doing the same two calls, each against its own ECS emulator over HTTP. API calls are counted with the
 * emulator's call log; the rollout wait (status polled until steady, tasks started after one second) is shown apart.
 * Runs alone with `node dist/bench/ecs-bench.js`.
 */
import { pathToFileURL } from 'node:url';
import {
  CreateServiceCommand,
  DescribeServicesCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { startEcsEmulator, type EcsEmulatorHandle } from '../src/ecs-emulator/ecs-emulator.server.js';
import { EcsProvider } from '../src/platform/ecs/ecs.provider.js';
import type { EcsSpec } from '../src/platform/ecs/ecs-spec.js';
import { stageContext } from '../test/helpers/stage-context.js';
import { type Row, median, scaledRuns } from './bench-client.js';

const REPEATS = scaledRuns(7);
const ms = (value: number) => `${value.toFixed(1)} ms`;

function clientOn(emulator: EcsEmulatorHandle): ECSClient {
  return new ECSClient({
    region: emulator.region,
    endpoint: emulator.url,
    credentials: { accessKeyId: emulator.accessKeyId, secretAccessKey: 'bench' },
  });
}

/** A family `web` with revision 1 and a service `web` (2 tasks) on it, settled. */
async function seed(ecs: ECSClient, emulator: EcsEmulatorHandle): Promise<string> {
  const registered = await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'web',
      containerDefinitions: [{ name: 'app', image: 'registry.example/web:0', essential: true }],
    }),
  );
  const arn = registered.taskDefinition!.taskDefinitionArn!;
  await ecs.send(new CreateServiceCommand({ serviceName: 'web', taskDefinition: arn, desiredCount: 2 }));
  emulator.admin.settle();
  return arn;
}

export async function benchEcsRollback(row: Row): Promise<void> {
  const emulator = await startEcsEmulator({ taskStartSeconds: 1, syncIntervalMs: 50 });
  const bareEmulator = await startEcsEmulator({ taskStartSeconds: 1, syncIntervalMs: 50 });
  const provider = new EcsProvider();
  const ecs = clientOn(emulator);
  const bare = clientOn(bareEmulator);
  const context = () =>
    stageContext({
      target: {
        kind: 'ecs',
        connection: {
          region: emulator.region,
          accessKeyId: emulator.accessKeyId,
          secretAccessKey: 'bench',
          endpoint: emulator.url,
        },
      },
    });
  try {
    await seed(ecs, emulator);
    const bareBase = await seed(bare, bareEmulator);
    const providerTimes: number[] = [];
    const bareTimes: number[] = [];
    const waits: number[] = [];
    let providerCalls = 0;
    let bareCalls = 0;
    for (let run = 0; run < REPEATS; run++) {
      const spec: EcsSpec = {
        cluster: 'default',
        service: 'web',
        taskDefinitionFamily: 'web',
        containerName: 'app',
        image: `registry.example/web:${run + 1}`,
      };
      const ctx = context();
      const data = await provider.capture(ctx, spec);
      const outputs = await provider.deploy(ctx, spec, data);
      emulator.admin.settle();
      const recorded = { spec, data, outputs };
      // the bare side: the same change made by hand (a revision with the new image, the service moved onto it)
      const next = await bare.send(
        new RegisterTaskDefinitionCommand({
          family: 'web',
          containerDefinitions: [{ name: 'app', image: spec.image, essential: true }],
        }),
      );
      await bare.send(
        new UpdateServiceCommand({ service: 'web', taskDefinition: next.taskDefinition!.taskDefinitionArn! }),
      );
      bareEmulator.admin.settle();

      const viaProvider = async () => {
        emulator.admin.resetRequests();
        let started = performance.now();
        const rollbackCtx = context();
        const back = await provider.rollback(rollbackCtx, recorded);
        providerTimes.push(performance.now() - started);
        providerCalls = emulator.admin.requests().length;
        started = performance.now();
        while (!(await provider.status(rollbackCtx, spec, back)).steady)
          await new Promise((resolve) => setTimeout(resolve, 100));
        waits.push(performance.now() - started);
      };
      const viaBare = async () => {
        bareEmulator.admin.resetRequests();
        const started = performance.now();
        const live = await bare.send(new DescribeServicesCommand({ services: ['web'] }));
        const before = live.services![0]!;
        if (before.taskDefinition !== bareBase || before.desiredCount !== 2)
          await bare.send(
            new UpdateServiceCommand({
              service: 'web',
              taskDefinition: bareBase,
              desiredCount: 2,
              deploymentConfiguration: before.deploymentConfiguration,
            }),
          );
        bareTimes.push(performance.now() - started);
        bareCalls = bareEmulator.admin.requests().length;
        bareEmulator.admin.settle();
      };
      for (const side of run % 2 ? [viaBare, viaProvider] : [viaProvider, viaBare]) await side();
    }
    const ours = median(providerTimes);
    const theirs = median(bareTimes);
    row(
      `ECS rollback of one service: provider wall time (median of ${REPEATS})`,
      `${ms(ours)}, ${providerCalls} API calls`,
      `bare client-ecs DescribeServices + UpdateService ${ms(theirs)}, ${bareCalls} API calls; ${(ours / theirs).toFixed(2)}×`,
      ours <= 1.2 * theirs ? 'meets ≤ 1.2×' : 'misses ≤ 1.2×',
    );
    row(
      '  then the rollout wait (status polled every 100 ms, 2 tasks, each started after 1 s)',
      ms(median(waits)),
      'not part of the rollback call; the engine polls status',
      '—',
    );
  } finally {
    ecs.destroy();
    bare.destroy();
    await emulator.close();
    await bareEmulator.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const rows: string[][] = [];
  await benchEcsRollback((...cells) => {
    rows.push(cells);
    console.log(`  ${cells[0]}: ${cells[1]} (${cells[2]}) ${cells[3]}`);
  });
  console.log('\n| measure | value | reference | target |\n| --- | --- | --- | --- |');
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
}

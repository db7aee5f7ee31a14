/**
 * Cloud Foundry rows of `npm run bench`: the rollback of one app through the `cf` provider, against a bare script doing
 * what `cf rollback` does (log in, read the app's revisions, `POST /v3/deployments {revision}` to the previous one)
 * with the same typed v3 client — there is no official CF JavaScript SDK, so src/platform/cf/cf-client.ts stands in
 * for one — each on its own CF emulator over HTTP. API calls are counted with the emulator's request log (the token
 * and root-document calls included); the rollout wait (polling `status` until steady) is shown apart. Runs alone with
 * `node dist/bench/cf-bench.js`.
 */
import crypto from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { startCfEmulator, type CfEmulatorHandle } from '../src/cf-emulator/cf-emulator.server.js';
import { CfClient, type CfRevision } from '../src/platform/cf/cf-client.js';
import type { CfSpec } from '../src/platform/cf/cf-spec.js';
import { CfProvider } from '../src/platform/cf/cf.provider.js';
import { StageWait, type StageContext } from '../src/platform/provider.js';
import { stageContext } from '../test/helpers/stage-context.js';
import { type Row, median, scaledRuns } from './bench-client.js';

const REPEATS = scaledRuns(7);
const PASSWORD = 'bench-cf-pw';
const ZIP = Buffer.from('PK\u0003\u0004 bench app');
const ms = (value: number) => `${value.toFixed(0)} ms`;

export async function benchCfRollback(row: Row): Promise<void> {
  const options = {
    users: [{ username: 'bench', password: PASSWORD }],
    processingSeconds: 0,
    stagingSeconds: 0,
    instanceSeconds: 0.2,
    apps: [{ org: 'bench', space: 'prod', app: 'web', instances: 2 }],
  };
  const emulator = await startCfEmulator(options);
  const bareEmulator = await startCfEmulator(options);
  const provider = new CfProvider({
    packages: {
      bytes: async (_name, version) => {
        const content = Buffer.concat([ZIP, Buffer.from(version)]);
        return { content, sha256: crypto.createHash('sha256').update(content).digest('hex'), format: 'zip' };
      },
    },
    waitMs: 1,
  });
  const contextOn = (cf: CfEmulatorHandle) =>
    stageContext({
      target: { kind: 'cf', connection: { apiUrl: cf.url, username: 'bench', password: PASSWORD } },
      jobId: crypto.randomUUID(),
    });
  const spec = (version: string): CfSpec => ({
    org: 'bench',
    space: 'prod',
    app: 'web',
    package: 'web',
    version,
    strategy: 'rolling',
    maxInFlight: 1,
    canarySteps: null,
  });
  /** Runs a call to the end: each StageWait lets simulated time move on and resumes it. */
  const untilDone = async <T>(cf: CfEmulatorHandle, ctx: StageContext, call: (c: StageContext) => Promise<T>) => {
    let current = ctx;
    for (;;) {
      try {
        return await call(current);
      } catch (error) {
        if (!(error instanceof StageWait)) throw error;
        cf.admin.settle();
        current = (current as ReturnType<typeof stageContext>).resume();
      }
    }
  };
  const deployVersion = async (cf: CfEmulatorHandle, version: string) => {
    const ctx = contextOn(cf);
    const data = await provider.capture(ctx, spec(version));
    const outputs = await untilDone(cf, ctx, (c) => provider.deploy(c, spec(version), data));
    cf.admin.settle();
    return { spec: spec(version), data, outputs };
  };

  /** `cf rollback web --version N` by hand: the revision before the deployed one, deployed again. */
  const bareRollback = async () => {
    const client = new CfClient(bareEmulator.url, {
      login: { grant: 'password', username: 'bench', password: PASSWORD },
    });
    const [app] = (await client.list('/v3/apps?names=web')).resources;
    const [deployed] = (await client.list<CfRevision>(`/v3/apps/${app!.guid}/revisions/deployed`)).resources;
    const revisions = await client.all<CfRevision>(`/v3/apps/${app!.guid}/revisions?order_by=-created_at`);
    const previous = revisions.find((r) => r.droplet.guid !== deployed!.droplet.guid && r.deployable)!;
    await client.post('/v3/deployments', {
      revision: { guid: previous.guid },
      relationships: { app: { data: { guid: app!.guid } } },
    });
  };

  try {
    const providerTimes: number[] = [];
    const bareTimes: number[] = [];
    const waits: number[] = [];
    let providerCalls = 0;
    let bareCalls = 0;
    await deployVersion(emulator, '1.0.0');
    await deployVersion(bareEmulator, '1.0.0');
    for (let run = 0; run < REPEATS; run++) {
      const version = `2.0.${run}`;
      const recorded = await deployVersion(emulator, version);
      await deployVersion(bareEmulator, version);

      // The two sides take turns going first, so neither always runs right after the other's work.
      const viaProvider = async () => {
        emulator.admin.resetRequests();
        let started = performance.now();
        const ctx = contextOn(emulator);
        const outputs = await provider.rollback(ctx, recorded);
        providerTimes.push(performance.now() - started);
        providerCalls = emulator.admin.requests().length;
        started = performance.now();
        while (!(await provider.status(ctx, recorded.spec, outputs)).steady)
          await new Promise((resolve) => setTimeout(resolve, 100));
        waits.push(performance.now() - started);
      };
      const viaBare = async () => {
        bareEmulator.admin.resetRequests();
        const started = performance.now();
        await bareRollback();
        bareTimes.push(performance.now() - started);
        bareCalls = bareEmulator.admin.requests().length;
        bareEmulator.admin.settle();
      };
      for (const side of run % 2 ? [viaBare, viaProvider] : [viaProvider, viaBare]) await side();
    }
    const ours = median(providerTimes);
    const bare = median(bareTimes);
    row(
      `Cloud Foundry rollback of one app (a deployment of the previous revision): provider wall time (median of ${REPEATS})`,
      `${ms(ours)}, ${providerCalls} API calls`,
      `bare v3-client script ${ms(bare)}, ${bareCalls} API calls; ${(ours / bare).toFixed(2)}×`,
      ours <= 1.2 * bare ? 'meets ≤ 1.2×' : 'misses ≤ 1.2×',
    );
    row(
      `  then the rollout wait (status polled every 100 ms, 2 instances, a batch healthy after 0.2 s)`,
      ms(median(waits)),
      'not part of the rollback call; the engine polls status',
      '—',
    );
  } finally {
    await emulator.close();
    await bareEmulator.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const rows: string[][] = [];
  await benchCfRollback((...cells) => {
    rows.push(cells);
    console.log(`  ${cells[0]}: ${cells[1]} (${cells[2]}) ${cells[3]}`);
  });
  console.log('\n| measure | value | reference | target |\n| --- | --- | --- | --- |');
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
}

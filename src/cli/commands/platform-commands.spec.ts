import { describe, it, expect } from '@jest/globals';
import { CliError, ExitCode, type ApiClient } from '../api-client.js';
import type { Execution, ExecutionStage, Release, ServiceInstance } from '../execution.types.js';
import type { ServerSentEvent } from '../event-stream.js';
import type { CommandContext } from './command.js';
import { logs } from './logs.js';
import { release } from './release.js';
import { rollback } from './rollback.js';
import { run } from './run.js';
import { status } from './status.js';

const EXECUTION_ID = '2e20a3ca-b17c-4686-b595-289462ad48be';
const PIPELINE_ID = '11111111-2222-4333-8444-555555555555';
const SERVICE_ID = '66666666-2222-4333-8444-555555555555';

const stage = (over: Partial<ExecutionStage> = {}): ExecutionStage => ({
  id: 's1',
  position: 0,
  name: 'checkout',
  kind: 'kubernetes',
  service: { id: SERVICE_ID, name: 'checkout' },
  infrastructure: { id: 'i1', name: 'Local Cluster', environment: 'dev', kind: 'kubernetes' },
  status: 'Queued',
  failureStrategy: 'fail',
  artifact: 'nginx:1.27',
  outputs: {},
  error: null,
  childJobId: null,
  startedAt: null,
  finishedAt: null,
  ...over,
});
const execution = (over: Partial<Execution> = {}): Execution => ({
  id: EXECUTION_ID,
  kind: 'Deploy',
  status: 'Queued',
  pipeline: { id: PIPELINE_ID, name: 'shop', version: 1 },
  artifacts: { checkout: 'nginx:1.27' },
  createdBy: 'ci',
  createdAt: '2025-01-31T10:00:00.000Z',
  startedAt: null,
  finishedAt: null,
  error: null,
  version: 1,
  stages: [stage()],
  ...over,
});

type Answer = unknown;

/** An ApiClient answering from `routes` ("METHOD /path" → body; a missing route is a 404), recording each call. */
function fakeApi(routes: Record<string, Answer>, { polls = [] as unknown[], events = [] as ServerSentEvent[] } = {}) {
  const calls: { call: string; json?: unknown }[] = [];
  const client = {
    baseUrl: 'http://bt.example:3000',
    async request(method: string, route: string, options: { json?: unknown } = {}) {
      calls.push({ call: `${method} ${route}`, json: options.json });
      const answer = routes[`${method} ${route}`];
      if (answer === undefined) throw new CliError(ExitCode.Usage, `${method} ${route}: not found`, false, 404);
      if (answer instanceof CliError) throw answer;
      return typeof answer === 'function' ? (answer as (json: unknown) => unknown)(options.json) : answer;
    },
    async poll(route: string) {
      calls.push({ call: `POLL ${route}` });
      return { body: polls.shift() ?? null, etag: 'W/"x"' };
    },
    async *events(route: string) {
      calls.push({ call: `EVENTS ${route}` });
      yield* events;
    },
  };
  let out = '';
  let err = '';
  const ctx: CommandContext = {
    client: client as unknown as ApiClient,
    json: false,
    streams: { stdout: { write: (t: string) => (out += t) }, stderr: { write: (t: string) => (err += t) } },
    pollIntervalMs: 1,
  };
  return { ctx, calls: () => calls.map((c) => c.call), bodies: () => calls, out: () => out, err: () => err };
}

describe('backtrack run', () => {
  const pipelines = { 'GET /api/pipelines': { pipelines: [{ id: PIPELINE_ID, name: 'shop' }] } };

  it('resolves the pipeline by name, posts the artifacts and variables, and prints the execution', async () => {
    const api = fakeApi({ ...pipelines, [`POST /api/pipelines/${PIPELINE_ID}/executions`]: execution() });
    const code = await run(api.ctx, { pipeline: 'shop', artifact: ['checkout=nginx:1.27'], var: ['replicas=2'] });
    expect(code).toBe(ExitCode.Ok);
    expect(api.bodies()[1]).toEqual({
      call: `POST /api/pipelines/${PIPELINE_ID}/executions`,
      json: { artifacts: { checkout: 'nginx:1.27' }, variables: { replicas: '2' } },
    });
    expect(api.out()).toMatch(/^Deploy 2e20a3ca-\S+ of pipeline shop v1 Queued \(checkout=nginx:1\.27\)\.$/m);
    expect(api.out()).not.toMatch(/STAGE/); // not finished: no stage table yet
  });

  it('with --wait, shows stage progress and ends with the stage table and the execution exit code', async () => {
    const running = execution({ status: 'In Progress', version: 2, stages: [stage({ status: 'In Progress' })] });
    const failed = execution({
      status: 'Exception',
      error: 'Stage checkout failed: the rollout did not become available.',
      stages: [stage({ status: 'Exception', error: 'the rollout did not become available' })],
    });
    const api = fakeApi(
      { ...pipelines, [`POST /api/pipelines/${PIPELINE_ID}/executions`]: execution() },
      { polls: [running, null, failed] },
    );
    const code = await run(api.ctx, { pipeline: PIPELINE_ID, artifact: ['checkout=nginx:1.27'], wait: true });
    expect(code).toBe(ExitCode.Exception);
    expect(api.calls().filter((c) => c.startsWith('POLL'))).toEqual(
      Array(3).fill(`POLL /api/executions/${EXECUTION_ID}`),
    );
    expect(api.err()).toMatch(/Deploy 2e20a3ca In Progress · 0\/1 stages · checkout In Progress/);
    expect(api.out()).toMatch(
      /^checkout\s+kubernetes\s+checkout\s+Local Cluster \(dev\)\s+Exception\s+nginx:1\.27\s+the rollout/m,
    );
  });

  it('refuses an unknown pipeline name (exit 2), naming the ones there are, and malformed pairs', async () => {
    const api = fakeApi(pipelines);
    await expect(run(api.ctx, { pipeline: 'shopp', artifact: ['checkout=nginx:1.27'] })).rejects.toThrow(
      expect.objectContaining({
        exitCode: ExitCode.Usage,
        message: expect.stringMatching(/No pipeline named "shopp" \(there are: shop\)/),
      }),
    );
    await expect(run(api.ctx, { pipeline: 'shop', artifact: ['nginx:1.27'] })).rejects.toThrow(/NAME=VALUE/);
    await expect(run(api.ctx, { pipeline: 'shop', artifact: ['a=x', 'a=y'] })).rejects.toThrow(/given twice/);
    await expect(run(api.ctx, {})).rejects.toThrow(/--pipeline/);
    expect(api.calls().some((c) => c.startsWith('POST'))).toBe(false);
  });
});

describe('backtrack rollback of an execution', () => {
  const rollbackExecution = execution({ id: 'r1', kind: 'Rollback', executionId: EXECUTION_ID, artifacts: {} });

  it('posts --execution with force, and prints the Rollback', async () => {
    const api = fakeApi({ [`POST /api/executions/${EXECUTION_ID}/rollback`]: rollbackExecution });
    expect(await rollback(api.ctx, { execution: EXECUTION_ID, force: true })).toBe(ExitCode.Ok);
    expect(api.bodies()).toEqual([{ call: `POST /api/executions/${EXECUTION_ID}/rollback`, json: { force: true } }]);
    const confirmed = fakeApi({ [`POST /api/executions/${EXECUTION_ID}/rollback`]: rollbackExecution });
    await rollback(confirmed.ctx, { execution: EXECUTION_ID, 'accept-data-loss': true });
    expect(confirmed.bodies()[0]!.json).toEqual({ force: false, acceptDataLoss: true });
    expect(api.out()).toMatch(/^Rollback r1 of pipeline shop v1 Queued\.\nRolls back: 2e20a3ca/m);
  });

  const instance = (over: Partial<ServiceInstance> = {}): ServiceInstance => ({
    environment: 'dev',
    infrastructure: { id: 'i1', name: 'Local Cluster', kind: 'kubernetes' },
    artifact: 'nginx:1.27',
    current: {
      executionId: EXECUTION_ID,
      pipeline: { id: PIPELINE_ID, name: 'shop' },
      artifact: 'nginx:1.27',
      finishedAt: '2025-01-31T10:00:05.000Z',
    },
    previous: { executionId: 'e-old', artifact: 'nginx:1.26', finishedAt: '2025-01-30T10:00:05.000Z' },
    rollback: { available: true },
    ...over,
  });
  const services = { 'GET /api/services': { items: [{ id: SERVICE_ID, name: 'checkout' }] } };

  it('--service --infrastructure --last rolls back the current deployment there and waits for it', async () => {
    const api = fakeApi(
      {
        ...services,
        [`GET /api/services/${SERVICE_ID}/instances`]: {
          service: { id: SERVICE_ID, name: 'checkout' },
          instances: [
            instance({ environment: 'prod', infrastructure: { id: 'i2', name: 'Prod Cluster', kind: 'kubernetes' } }),
            instance(),
          ],
        },
        [`POST /api/executions/${EXECUTION_ID}/rollback`]: rollbackExecution,
      },
      { polls: [{ ...rollbackExecution, status: 'Completed', stages: [stage({ status: 'Completed' })] }] },
    );
    const code = await rollback(api.ctx, {
      service: 'checkout',
      infrastructure: 'Local Cluster',
      last: true,
      wait: true,
    });
    expect(code).toBe(ExitCode.Ok);
    expect(api.calls()).toEqual([
      'GET /api/services',
      `GET /api/services/${SERVICE_ID}/instances`,
      `POST /api/executions/${EXECUTION_ID}/rollback`,
      'POLL /api/executions/r1',
    ]);
    expect(api.out()).toMatch(/Rollback r1 of pipeline shop v1 Completed/);
  });

  it("is refused with the server's reason when the current deployment cannot be rolled back, never an older one", async () => {
    const reason = `Execution ${EXECUTION_ID} was already rolled back by r0: run the pipeline again instead.`;
    const api = fakeApi({
      ...services,
      [`GET /api/services/${SERVICE_ID}/instances`]: {
        instances: [instance({ rollback: { available: false, status: 409, reason } })],
      },
    });
    await expect(rollback(api.ctx, { service: 'checkout', infrastructure: 'i1', last: true })).rejects.toThrow(
      expect.objectContaining({ exitCode: ExitCode.Usage, message: expect.stringContaining(reason) }),
    );
    expect(api.calls().some((c) => c.startsWith('POST'))).toBe(false);
  });

  it('says where the service runs when it has no deployment on the infrastructure named', async () => {
    const api = fakeApi({ ...services, [`GET /api/services/${SERVICE_ID}/instances`]: { instances: [instance()] } });
    await expect(rollback(api.ctx, { service: 'checkout', infrastructure: 'Prod', last: true })).rejects.toThrow(
      /checkout has no current deployment on Prod; it runs on: Local Cluster \(dev\)/,
    );
  });
});

describe('backtrack status and logs of an execution', () => {
  it('status prints an execution with its stage table', async () => {
    const done = execution({ status: 'Completed', stages: [stage({ status: 'Completed' })] });
    const api = fakeApi({ [`GET /api/executions/${EXECUTION_ID}`]: done });
    expect(await status(api.ctx, EXECUTION_ID)).toBe(ExitCode.Ok);
    expect(api.out()).toMatch(/^STAGE\s+KIND/m);
    expect(api.calls()).toEqual([`GET /api/executions/${EXECUTION_ID}`]);
  });

  it('status of a job that is not an execution (404 there) reads it as a job, as before', async () => {
    const jobId = '77777777-2222-4333-8444-555555555555';
    const job = { id: jobId, kind: 'Deploy', status: 'Exception', progress: {}, counts: {}, error: 'boom' };
    const api = fakeApi({ [`GET /api/jobs/${jobId}`]: job, [`GET /api/jobs/${jobId}/components`]: { items: [] } });
    expect(await status(api.ctx, jobId)).toBe(ExitCode.Exception);
    expect(api.calls()).toEqual([
      `GET /api/executions/${jobId}`,
      `GET /api/jobs/${jobId}`,
      `GET /api/jobs/${jobId}/components`,
    ]);
  });

  it('status of something that is no id asks the jobs route only, which says what is wrong', async () => {
    const api = fakeApi({});
    await expect(status(api.ctx, 'j1')).rejects.toThrow(/not found/);
    expect(api.calls()).toEqual(['GET /api/jobs/j1']);
  });

  it('logs --stage prints that stage of an execution; --follow streams until the end and exits with its code', async () => {
    const line = { seq: 4, at: '2025-01-31T10:00:00.000Z', level: 'info', stage: 'checkout', message: 'Applied' };
    const api = fakeApi(
      {
        [`GET /api/executions/${EXECUTION_ID}`]: execution(),
        [`GET /api/executions/${EXECUTION_ID}/logs?after=0&stage=checkout&limit=5000`]: { logs: [line] },
      },
      {
        events: [
          { event: 'log', data: JSON.stringify(line), id: '4' },
          { event: 'end', data: JSON.stringify({ status: 'Exception' }), id: null },
        ],
      },
    );
    expect(await logs(api.ctx, EXECUTION_ID, { stage: 'checkout' })).toBe(ExitCode.Ok);
    expect(api.out()).toBe('2025-01-31T10:00:00.000Z  INFO   checkout  Applied\n');
    expect(await logs(api.ctx, EXECUTION_ID, { stage: 'checkout', follow: true })).toBe(ExitCode.Exception);
    expect(api.calls()).toContain(`EVENTS /api/executions/${EXECUTION_ID}/events?after=0&stage=checkout`);
  });

  it('refuses --stage for a job that is not an execution, and --stage with --component', async () => {
    const api = fakeApi({});
    await expect(logs(api.ctx, 'j1', { stage: 'checkout' })).rejects.toThrow(/not an execution/);
    await expect(logs(api.ctx, 'j1', { stage: 'checkout', component: 'ApexClass:A' })).rejects.toThrow(/give one/);
  });
});

describe('backtrack release', () => {
  const RELEASE_20 = 'aaaaaaaa-2222-4333-8444-555555555520';
  const RELEASE_21 = 'aaaaaaaa-2222-4333-8444-555555555521';
  const pipelines = { 'GET /api/pipelines': { pipelines: [{ id: PIPELINE_ID, name: 'shop' }] } };
  const made = (over: Partial<Release> = {}): Release => ({
    id: RELEASE_21,
    pipeline: { id: PIPELINE_ID, name: 'shop' },
    version: '1.1.21',
    pipelineVersion: 3,
    variables: {},
    artifacts: {},
    packages: [],
    createdAt: '2025-01-31T10:00:00.000Z',
    createdBy: 'ci',
    ...over,
  });
  const releases = {
    [`GET /api/pipelines/${PIPELINE_ID}/releases`]: {
      releases: [made(), made({ id: RELEASE_20, version: '1.1.20' })],
    },
  };

  it('create posts the version, packages, variables and artifacts, and prints what the release pins', async () => {
    const created = made({
      packages: [{ name: 'web', version: '1.1.21', sha256: '0123456789abcdef'.repeat(4) }],
      artifacts: { checkout: 'nginx:1.27' },
    });
    const api = fakeApi({ ...pipelines, [`POST /api/pipelines/${PIPELINE_ID}/releases`]: created });
    const code = await release(api.ctx, 'create', {
      pipeline: 'shop',
      version: '1.1.21',
      package: ['web=1.1.21'],
      variable: ['replicas=2'],
      artifact: ['checkout=nginx:1.27'],
    });
    expect(code).toBe(ExitCode.Ok);
    expect(api.bodies()[1]).toEqual({
      call: `POST /api/pipelines/${PIPELINE_ID}/releases`,
      json: {
        version: '1.1.21',
        packages: { web: '1.1.21' },
        variables: { replicas: '2' },
        artifacts: { checkout: 'nginx:1.27' },
      },
    });
    expect(api.out()).toBe(
      `Release 1.1.21 (${RELEASE_21}) of pipeline shop v3 created.\n` +
        'Package: web 1.1.21 (sha256 0123456789ab…)\n' +
        'Artifacts: checkout=nginx:1.27\n',
    );
  });

  it('deploy finds the release by version, deploys it to the environment and waits for the execution', async () => {
    const deployed = execution({ release: { id: RELEASE_20, version: '1.1.20', mode: 'deploy' } });
    const done = { ...deployed, status: 'Completed' as const, stages: [stage({ status: 'Completed' })] };
    const api = fakeApi(
      { ...pipelines, ...releases, [`POST /api/releases/${RELEASE_20}/deployments`]: deployed },
      { polls: [done] },
    );
    const code = await release(api.ctx, 'deploy', {
      pipeline: 'shop',
      release: '1.1.20',
      environment: 'qa',
      wait: true,
    });
    expect(code).toBe(ExitCode.Ok);
    expect(api.bodies()[2]).toEqual({
      call: `POST /api/releases/${RELEASE_20}/deployments`,
      json: { environment: 'qa' },
    });
    expect(api.out()).toMatch(/^Deploy 2e20a3ca-\S+ of pipeline shop v1 Completed.*\nRelease: 1\.1\.20\n/);
  });

  it('redeploy-previous asks the server which release was previous, and redeploys it as a rollback', async () => {
    const previous = {
      current: { release: { id: RELEASE_21, version: '1.1.21' }, executionId: 'e21' },
      previous: { release: { id: RELEASE_20, version: '1.1.20' }, executionId: 'e20' },
    };
    const redeployed = execution({ release: { id: RELEASE_20, version: '1.1.20', mode: 'rollback' } });
    const api = fakeApi({
      ...pipelines,
      [`GET /api/releases/previous?pipeline=${PIPELINE_ID}&environment=qa`]: previous,
      [`POST /api/releases/${RELEASE_20}/deployments`]: redeployed,
    });
    expect(await release(api.ctx, 'redeploy-previous', { pipeline: 'shop', environment: 'qa' })).toBe(ExitCode.Ok);
    expect(api.bodies()[2]).toEqual({
      call: `POST /api/releases/${RELEASE_20}/deployments`,
      json: { environment: 'qa', mode: 'rollback' },
    });
    expect(api.err()).toBe('Redeploys release 1.1.20 to qa as a rollback, over release 1.1.21 (execution e21).\n');
    expect(api.out()).toMatch(/^Release: 1\.1\.20 \(redeployed as a rollback\)$/m);
  });

  it("is refused with the server's reason when there is no previous release (exit 2), posting nothing", async () => {
    const reason = 'Pipeline shop has no previous release in qa: no release other than that of the current one.';
    const api = fakeApi({
      ...pipelines,
      [`GET /api/releases/previous?pipeline=${PIPELINE_ID}&environment=qa`]: new CliError(
        ExitCode.Usage,
        reason,
        false,
        404,
      ),
    });
    await expect(release(api.ctx, 'redeploy-previous', { pipeline: 'shop', environment: 'qa' })).rejects.toThrow(
      expect.objectContaining({ exitCode: ExitCode.Usage, message: reason }),
    );
    expect(api.calls().some((c) => c.startsWith('POST'))).toBe(false);
  });

  it('refuses usage errors before asking the server (exit 2)', async () => {
    const api = fakeApi({ ...pipelines, ...releases });
    const usage = (pattern: RegExp) =>
      expect.objectContaining({ exitCode: ExitCode.Usage, message: expect.stringMatching(pattern) });
    await expect(release(api.ctx, 'promote', {})).rejects.toThrow(usage(/Unknown command "release promote"/));
    await expect(release(api.ctx, 'create', { pipeline: 'shop' })).rejects.toThrow(usage(/needs --version/));
    await expect(release(api.ctx, 'create', { pipeline: 'shop', version: '1', package: ['web'] })).rejects.toThrow(
      usage(/--package web: use NAME=VALUE/),
    );
    await expect(release(api.ctx, 'deploy', { pipeline: 'shop', environment: 'qa' })).rejects.toThrow(
      usage(/needs --release/),
    );
    await expect(release(api.ctx, 'deploy', { pipeline: 'shop', release: '1.1.21' })).rejects.toThrow(
      usage(/needs --environment/),
    );
    await expect(
      release(api.ctx, 'redeploy-previous', { pipeline: 'shop', environment: 'qa', release: '1.1.20' }),
    ).rejects.toThrow(usage(/--release is not an option of "release redeploy-previous"/));
    expect(api.calls()).toEqual([]);
    await expect(release(api.ctx, 'deploy', { pipeline: 'shop', release: '9.9', environment: 'qa' })).rejects.toThrow(
      usage(/Pipeline shop has no release "9\.9" \(its releases: 1\.1\.21, 1\.1\.20\)/),
    );
    expect(api.calls().some((c) => c.startsWith('POST'))).toBe(false);
  });
});

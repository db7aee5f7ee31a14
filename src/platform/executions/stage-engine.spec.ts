import { describe, it, expect, beforeEach } from '@jest/globals';
import { BadRequestError } from '../../common/errors.js';
import type { JobContext } from '../../jobs/job-handler.js';
import type { Job } from '../../jobs/job.entity.js';
import { StageWait, type PlatformProvider, type StageContext } from '../provider.js';
import type { ExecutionStage } from './execution-stage.entity.js';
import { runExecution, type EngineStage } from './execution-run.js';
import { runRollback } from './rollback-run.js';
import { engineState, type EngineDeps, type StagePatch, type StageStore } from './stage-engine.js';

interface FakeSpec {
  name: string;
  image?: string;
  /** status answers this (steady when absent). */
  health?: 'failed' | 'pending';
  throwOnDeploy?: string;
  waitOnDeploy?: boolean;
}

/** A provider over an in-memory "cluster": name → image; every call is recorded in `calls`. */
class FakeProvider implements PlatformProvider<
  FakeSpec,
  { existed: boolean; before: string | null },
  { revision: number }
> {
  readonly kind = 'kubernetes' as const;
  readonly live = new Map<string, string>();
  readonly calls: string[] = [];
  drifts = new Map<string, string[]>();
  revision = 0;

  parseSpec(spec: unknown): FakeSpec {
    const s = spec as FakeSpec;
    if (typeof s.name !== 'string') throw new BadRequestError('spec.name: required');
    return s;
  }
  parseRollbackStep(step: unknown) {
    return step as Record<string, unknown>;
  }
  artifactOf(spec: FakeSpec) {
    return spec.image ?? null;
  }
  capture(_ctx: StageContext, spec: FakeSpec) {
    this.calls.push(`capture ${spec.name}`);
    return Promise.resolve({ existed: this.live.has(spec.name), before: this.live.get(spec.name) ?? null });
  }
  isFirstDeployment(data: { existed: boolean }) {
    return !data.existed;
  }
  async deploy(ctx: StageContext, spec: FakeSpec) {
    this.calls.push(`deploy ${spec.name} ${spec.image ?? ''}`);
    if (spec.throwOnDeploy) throw new Error(spec.throwOnDeploy);
    if (spec.waitOnDeploy && !ctx.state.childJobId) {
      await ctx.saveState({ childJobId: '11111111-2222-3333-4444-555555555555' });
      throw new StageWait('the child job is running', 50);
    }
    this.live.set(spec.name, spec.image ?? '');
    return { revision: ++this.revision };
  }
  status(_ctx: StageContext, spec: FakeSpec) {
    this.calls.push(`status ${spec.name}`);
    if (spec.health === 'failed')
      return Promise.resolve({ steady: false as const, reason: 'ImagePullBackOff', failed: true });
    if (spec.health === 'pending') return Promise.resolve({ steady: false as const, reason: '0 of 1 updated' });
    return Promise.resolve({ steady: true as const });
  }
  drift(_ctx: StageContext, recorded: { spec: FakeSpec }) {
    this.calls.push(`drift ${recorded.spec.name}`);
    return Promise.resolve(this.drifts.get(recorded.spec.name) ?? []);
  }
  rollback(ctx: StageContext, recorded: { spec: FakeSpec; data: { existed: boolean; before: string | null } }) {
    this.calls.push(`rollback ${recorded.spec.name}${ctx.rollbackOptions.force ? ' (force)' : ''}`);
    if (recorded.data.existed) this.live.set(recorded.spec.name, recorded.data.before!);
    else this.live.delete(recorded.spec.name);
    return Promise.resolve({ revision: ++this.revision });
  }
  runRollbackStep(_ctx: StageContext, step: Record<string, unknown>) {
    this.calls.push(`step ${String(step.name)}`);
    return Promise.resolve();
  }
  describe() {
    return Promise.resolve({ artifact: null, revision: null, ready: null, desired: null });
  }
}

class MemoryStore implements StageStore {
  writes = 0;
  update(stage: ExecutionStage, patch: StagePatch) {
    this.writes++;
    Object.assign(stage, structuredClone(patch));
    return Promise.resolve();
  }
  saveState(stage: ExecutionStage, patch: Record<string, unknown>) {
    this.writes++;
    Object.assign(stage.state, structuredClone(patch));
    return Promise.resolve();
  }
}

let counter = 0;
function stage(name: string, spec: Record<string, unknown>, more: Partial<ExecutionStage> = {}): ExecutionStage {
  return {
    id: `stage-${++counter}`,
    jobId: 'exec-1',
    position: counter,
    name,
    kind: 'kubernetes',
    serviceId: 'svc',
    infrastructureId: 'infra-1',
    environment: 'dev',
    spec,
    rollbackSteps: [],
    failureStrategy: 'fail',
    status: 'Queued',
    artifact: null,
    outputs: {},
    rollbackData: null,
    state: { engine: { progressDeadlineSeconds: 600 } },
    sourceStageId: null,
    childJobId: null,
    error: null,
    startedAt: null,
    finishedAt: null,
    ...more,
  };
}

function context(state: Record<string, unknown> = {}, rollback?: { force: boolean }) {
  const lines: { level: string; message: string; component?: string }[] = [];
  const job = {
    id: 'exec-1',
    kind: rollback ? 'Rollback' : 'Deploy',
    options: rollback ?? {},
    createdBy: 't',
    createdByName: 'ci',
    state,
  } as unknown as Job;
  const ctx: JobContext = {
    job,
    resumed: false,
    signal: new AbortController().signal,
    log: (level, message, component) =>
      lines.push({ level, message, component: component ? `${component.type}:${component.fullName}` : undefined }),
    setProgress: () => Promise.resolve(),
    saveState: (patch) => {
      Object.assign(job.state, patch);
      return Promise.resolve();
    },
    upsertComponents: () => Promise.resolve(),
    settlePending: () => Promise.resolve(),
    setCounts: () => Promise.resolve(),
    cancelRequested: () => Promise.resolve(null),
  };
  return { ctx, lines };
}

const scope = {
  artifacts: { checkout: 'nginx:1.27' },
  variables: { tier: 'web' },
  pipeline: 'release',
  executionId: 'exec-1',
};

describe('runExecution', () => {
  let provider: FakeProvider;
  let deps: EngineDeps;
  beforeEach(() => {
    provider = new FakeProvider();
    deps = {
      providers: { get: () => provider as unknown as PlatformProvider },
      store: new MemoryStore(),
      openTarget: (id) =>
        Promise.resolve({ id, name: 'Local Cluster', environment: 'dev', kind: 'kubernetes', connection: {} }),
      statusPollMs: 1,
    };
  });
  const run = (stages: EngineStage[], ctx = context().ctx) => runExecution(ctx, stages, scope, deps);

  it('runs the stages in order: resolved spec stored, capture before deploy, outputs for later stages', async () => {
    provider.live.set('db', 'postgres:15');
    const db = stage('db', { name: 'db', image: 'postgres:16' });
    const web = stage(
      'web',
      { name: 'web', image: '<+artifact.image>', note: 'after <+stages.db.output.revision> in <+environment.name>' },
      {
        rollbackSteps: [{ name: 'notify-<+pipeline.variables.tier>' }],
      },
    );
    const { ctx, lines } = context();
    expect(
      await run(
        [
          { row: db, serviceName: 'db' },
          { row: web, serviceName: 'checkout' },
        ],
        ctx,
      ),
    ).toEqual({ status: 'Completed' });
    expect(provider.calls).toEqual([
      'capture db',
      'deploy db postgres:16',
      'status db',
      'capture web',
      'deploy web nginx:1.27',
      'status web',
    ]);
    expect(web.spec).toEqual({ name: 'web', image: 'nginx:1.27', note: 'after 1 in dev' });
    expect(web.rollbackSteps).toEqual([{ name: 'notify-web' }]);
    expect(web.artifact).toBe('nginx:1.27');
    expect(db.rollbackData).toEqual({ existed: true, before: 'postgres:15' });
    expect(web.rollbackData).toEqual({ existed: false, before: null });
    expect([db.status, web.status]).toEqual(['Completed', 'Completed']);
    expect(web.outputs).toEqual({ revision: 2 });
    expect(lines.some((l) => l.component === 'Stage:web' && l.message.includes('first deployment'))).toBe(true);
  });

  it('ends in Exception at a failed stage and skips the rest', async () => {
    const a = stage('a', { name: 'a', health: 'failed' });
    const b = stage('b', { name: 'b' });
    const outcome = await run([
      { row: a, serviceName: null },
      { row: b, serviceName: null },
    ]);
    expect(outcome).toEqual({ status: 'Exception', error: 'Stage "a" failed: ImagePullBackOff' });
    expect([a.status, a.error, b.status]).toEqual(['Exception', 'ImagePullBackOff', 'Skipped']);
    expect(provider.calls).not.toContain('capture b');
  });

  it('goes on past a stage that failed under failureStrategy ignore', async () => {
    const a = stage('a', { name: 'a', throwOnDeploy: 'admission webhook denied' }, { failureStrategy: 'ignore' });
    const b = stage('b', { name: 'b' });
    const { ctx, lines } = context();
    expect(
      await run(
        [
          { row: a, serviceName: null },
          { row: b, serviceName: null },
        ],
        ctx,
      ),
    ).toEqual({ status: 'Completed' });
    expect([a.status, a.error, b.status]).toEqual(['Exception', 'admission webhook denied', 'Completed']);
    expect(lines.some((l) => l.message.includes('cannot be rolled back'))).toBe(true);
  });

  it('fails a stage whose expression is unknown, naming it, before capturing anything', async () => {
    const a = stage('a', { name: 'a', image: '<+artifact.tag>' });
    const outcome = await run([{ row: a, serviceName: 'checkout' }]);
    expect(outcome.status).toBe('Exception');
    expect(a.error).toContain('<+artifact.tag> is not a known expression');
    expect(provider.calls).toEqual([]);
  });

  it('fails a stage that is not steady by its progress deadline, counted from the stored start', async () => {
    const a = stage('a', { name: 'a', health: 'pending' }, { state: { engine: { progressDeadlineSeconds: 5 } } });
    let now = 1_000_000;
    deps.now = () => (now += 1_000);
    const outcome = await run([{ row: a, serviceName: null }]);
    expect(outcome.status).toBe('Exception');
    expect(a.error).toBe('it did not become steady within 5 s (progressDeadlineSeconds): 0 of 1 updated');
    expect(engineState(a).waitStartedAt).toBe(1_001_000);
  });

  it('resumes a stage that was applied: no second deploy, the same deadline', async () => {
    const a = stage(
      'a',
      { name: 'a', image: 'nginx:1' },
      {
        status: 'In Progress',
        rollbackData: { existed: false, before: null },
        outputs: { revision: 7 },
        state: { engine: { progressDeadlineSeconds: 5, resolved: true, applied: true, waitStartedAt: 0 } },
      },
    );
    deps.now = () => 60_000;
    const outcome = await run([{ row: a, serviceName: null }]);
    expect(provider.calls).toEqual(['status a']);
    expect(outcome).toEqual({ status: 'Completed' });
    expect(a.outputs).toEqual({ revision: 7 });
  });

  it('lets the worker go when a provider waits, showing the child job', async () => {
    const a = stage('org', { name: 'org', waitOnDeploy: true });
    const outcome = await run([{ row: a, serviceName: null }]);
    expect(outcome).toEqual({ status: 'Waiting', retryInMs: 50, reason: 'stage "org": the child job is running' });
    expect([a.status, a.childJobId]).toEqual(['In Progress', '11111111-2222-3333-4444-555555555555']);
    expect(await run([{ row: a, serviceName: null }])).toEqual({ status: 'Completed' });
  });
});

describe('runRollback', () => {
  let provider: FakeProvider;
  let deps: EngineDeps;
  beforeEach(() => {
    provider = new FakeProvider();
    deps = {
      providers: { get: () => provider as unknown as PlatformProvider },
      store: new MemoryStore(),
      openTarget: (id) =>
        Promise.resolve({ id, name: 'Local Cluster', environment: 'dev', kind: 'kubernetes', connection: {} }),
      statusPollMs: 1,
    };
  });

  /** Two stages deployed (db then web), rolled back web first. */
  function deployed() {
    provider.live.set('db', 'postgres:16');
    provider.live.set('web', 'nginx:1.27');
    const db = stage(
      'db',
      { name: 'db' },
      { status: 'Completed', rollbackData: { existed: true, before: 'postgres:15' } },
    );
    const web = stage(
      'web',
      { name: 'web' },
      {
        status: 'Completed',
        rollbackData: { existed: false, before: null },
        rollbackSteps: [{ name: 'purge' }, { name: 'notify' }],
      },
    );
    const rows = [web, db].map((source, position) => ({
      row: stage(source.name, source.spec, { jobId: 'rb-1', position, sourceStageId: source.id }),
      source,
    }));
    return { db, web, rows };
  }

  it('rolls back in the given (reverse) order from what the execution recorded, then the stage steps', async () => {
    const { rows } = deployed();
    const { ctx } = context();
    expect(await runRollback(ctx, rows, false, deps)).toEqual({ status: 'Completed' });
    expect(provider.calls).toEqual([
      'drift web',
      'drift db',
      'rollback web',
      'status web',
      'step purge',
      'step notify',
      'rollback db',
      'status db',
    ]);
    expect(provider.live).toEqual(new Map([['db', 'postgres:15']]));
    expect(rows.map((r) => r.row.status)).toEqual(['Completed', 'Completed']);
    expect(ctx.job.state.driftChecked).toBe(true);
  });

  it('refuses on drift before changing anything, naming it; force goes on', async () => {
    const { rows } = deployed();
    provider.drifts.set('db', ['Deployment db: image is postgres:17, the execution left postgres:16']);
    const outcome = await runRollback(context().ctx, rows, false, deps);
    expect(outcome.status).toBe('Exception');
    expect((outcome as { error: string }).error).toContain('stage "db": Deployment db: image is postgres:17');
    expect((outcome as { error: string }).error).toContain('force: true');
    expect(provider.calls.filter((c) => c.startsWith('rollback'))).toEqual([]);
    expect(rows.map((r) => r.row.status)).toEqual(['Skipped', 'Skipped']);

    const again = deployed();
    provider.calls.length = 0;
    expect(await runRollback(context({}, { force: true }).ctx, again.rows, true, deps)).toEqual({
      status: 'Completed',
    });
    // The provider is told too (a salesforce stage passes force on to its Rollback job).
    expect(provider.calls.filter((c) => c.startsWith('rollback'))).toEqual([
      'rollback web (force)',
      'rollback db (force)',
    ]);
  });

  it('resumed: never rolls a stage back twice, and runs only the steps not yet run', async () => {
    const { rows } = deployed();
    const [web, db] = rows as [(typeof rows)[0], (typeof rows)[0]];
    Object.assign(web.row, { status: 'Completed' });
    Object.assign(db.row, {
      status: 'In Progress',
      state: { engine: { applied: true, stepsDone: 0 } },
      outputs: { revision: 3 },
    });
    db.source.rollbackSteps = [{ name: 'reindex' }];
    const outcome = await runRollback(context({ driftChecked: true }).ctx, rows, false, deps);
    expect(outcome).toEqual({ status: 'Completed' });
    expect(provider.calls).toEqual(['status db', 'step reindex']);
  });

  it('ends in Exception at the first stage that fails, skipping the rest', async () => {
    const { rows } = deployed();
    rows[0]!.source.spec = { name: 'web', health: 'failed' };
    const outcome = await runRollback(context().ctx, rows, false, deps);
    expect(outcome).toEqual({ status: 'Exception', error: 'Rolling back stage "web" failed: ImagePullBackOff' });
    expect(rows.map((r) => r.row.status)).toEqual(['Exception', 'Skipped']);
  });
});

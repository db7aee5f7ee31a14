import { sleep } from '../../common/polling.js';
import { classifyFault } from '../../jobs/fault-decision.js';
import { LeaseLostError, type JobContext } from '../../jobs/job-handler.js';
import type { InfrastructureKind } from '../infrastructures/infrastructure-connection.js';
import {
  StageFailed,
  StageWait,
  type PlatformProvider,
  type RecordedStage,
  type StageContext,
  type StageTarget,
} from '../provider.js';
import { executionOptions } from './execution-options.js';
import type { ExecutionStage } from './execution-stage.entity.js';

/** Stage row fields the engine writes. */
export type StagePatch = Partial<
  Pick<
    ExecutionStage,
    | 'spec'
    | 'rollbackSteps'
    | 'status'
    | 'artifact'
    | 'outputs'
    | 'rollbackData'
    | 'state'
    | 'childJobId'
    | 'error'
    | 'startedAt'
    | 'finishedAt'
  >
>;

/** Where the engine keeps stage rows: every write also changes the job's version (the ETag of the execution). */
export interface StageStore {
  /** Writes the patch to the row and to `stage`. */
  update(stage: ExecutionStage, patch: StagePatch): Promise<void>;
  /** Merges `patch` into the row's `state` (and `stage.state`). */
  saveState(stage: ExecutionStage, patch: Record<string, unknown>): Promise<void>;
}

/** What the engine needs from outside: providers, the stage rows, connections, and the polling pace. */
export interface EngineDeps {
  providers: { get(kind: InfrastructureKind): PlatformProvider };
  store: StageStore;
  /** The stage's infrastructure with its connection opened (never logged, never returned). */
  openTarget(infrastructureId: string): Promise<StageTarget>;
  /** How long to wait between two status reads of a stage that is not steady yet. */
  statusPollMs: number;
  now?: () => number;
}

/**
 * The engine's own bookkeeping in a stage row's `state`, under `engine` (the rest is the provider's). Written
 * before it is relied on, so a resumed worker continues: a deployed stage is not deployed again, a rolled back one
 * not rolled back again, and the progress deadline keeps its first start.
 */
export interface EngineState {
  progressDeadlineSeconds?: number;
  /** The spec and rollback steps on the row are resolved (expressions replaced). */
  resolved?: boolean;
  /** deploy (or rollback) returned and its outputs are stored. */
  applied?: boolean;
  /** When the wait for a steady state began (ms since epoch). */
  waitStartedAt?: number;
  /** Rollback steps already run. */
  stepsDone?: number;
}

export const DEFAULT_PROGRESS_DEADLINE_SECONDS = 600;

export function engineState(stage: Pick<ExecutionStage, 'state'>): EngineState {
  const value = stage.state.engine;
  return value && typeof value === 'object' ? value : {};
}

export async function saveEngineState(deps: EngineDeps, stage: ExecutionStage, patch: EngineState): Promise<void> {
  await deps.store.saveState(stage, { engine: { ...engineState(stage), ...patch } });
}

/** The log component of a stage's lines: `GET /api/executions/:id/logs?stage=NAME` reads them back. */
export function stageComponent(name: string): { type: string; fullName: string } {
  return { type: 'Stage', fullName: name };
}

export const STAGE_COMPONENT_PREFIX = 'Stage:';

/** What a provider call of one stage gets (StageContext), its state being the stage row's state. */
export function stageContext(
  ctx: JobContext,
  stage: ExecutionStage,
  target: StageTarget,
  resumed: boolean,
  deps: EngineDeps,
  secrets: readonly string[] = [],
): StageContext {
  return {
    target,
    // the row's state as it is now (an engine write replaces the object)
    get state() {
      return stage.state;
    },
    saveState: (patch) => deps.store.saveState(stage, patch),
    log: (level, message) => ctx.log(level, message, stageComponent(stage.name)),
    resumed,
    signal: ctx.signal,
    jobId: ctx.job.id,
    stageId: stage.id,
    startedBy: { tokenId: ctx.job.createdBy, name: ctx.job.createdByName },
    rollbackOptions: {
      force: ctx.job.kind === 'Rollback' && ctx.job.options.force === true,
      acceptDataLoss: ctx.job.kind === 'Rollback' && ctx.job.options.acceptDataLoss === true,
    },
    release: ctx.job.kind === 'Deploy' ? (executionOptions(ctx.job.options).release ?? null) : null,
    secrets,
  };
}

const SECRET_NAME = /pass(word|phrase)?|secret|token|key|credential|pwd/i;

/** The values of the variables whose names say they are secret (at least 4 characters: shorter would mask too much). */
export function secretValues(variables: Record<string, string>): string[] {
  return Object.entries(variables)
    .filter(([name, value]) => SECRET_NAME.test(name) && value.length >= 4)
    .map(([, value]) => value);
}

/** What a rollback may use of a stage of the execution: only what it recorded. */
export function recordedOf(stage: ExecutionStage): RecordedStage<unknown, unknown, unknown> {
  return { spec: stage.spec, data: stage.rollbackData, outputs: stage.outputs };
}

/**
 * Reads the provider's status until the stage is steady, failed, or past its progress deadline (counted from the
 * first wait, stored in the row). Returns null when steady, else the reason the stage failed.
 */
export async function waitUntilSteady(
  ctx: JobContext,
  stage: ExecutionStage,
  provider: PlatformProvider,
  sctx: StageContext,
  spec: unknown,
  outputs: unknown,
  deps: EngineDeps,
): Promise<string | null> {
  const now = deps.now ?? Date.now;
  const engine = engineState(stage);
  const seconds = engine.progressDeadlineSeconds ?? DEFAULT_PROGRESS_DEADLINE_SECONDS;
  if (engine.waitStartedAt === undefined) await saveEngineState(deps, stage, { waitStartedAt: now() });
  const deadline = engineState(stage).waitStartedAt! + seconds * 1000;
  let said: string | null = null;
  for (;;) {
    const health = await provider.status(sctx, spec, outputs);
    if (health.steady) return null;
    if (health.failed) return health.reason;
    if (now() >= deadline)
      return `it did not become steady within ${seconds} s (progressDeadlineSeconds): ${health.reason}`;
    if (health.reason !== said) {
      ctx.log('info', `Waiting: ${health.reason}`, stageComponent(stage.name));
      said = health.reason;
    }
    await sleep(Math.max(1, Math.min(deps.statusPollMs, deadline - now())), ctx.signal);
  }
}

/** A provider that runs a child job (a salesforce stage) saves its id in `state.childJobId`: the row shows it. */
export async function recordChildJob(deps: EngineDeps, stage: ExecutionStage): Promise<void> {
  const child = stage.state.childJobId;
  if (typeof child === 'string' && child !== stage.childJobId) await deps.store.update(stage, { childJobId: child });
}

/**
 * Whether an error thrown in a stage is the stage's failure (shown on the stage, which ends in Exception), rather
 * than this attempt stopping (the worker lost the job or is stopping, the database went away: it is resumed) or a
 * provider asking to be called again later (StageWait).
 */
export function isStageFailure(error: unknown, signal: AbortSignal): boolean {
  if (error instanceof StageWait || error instanceof LeaseLostError || signal.aborted) return false;
  // a provider's own verdict, whatever words its sentence holds ("connection closed" is not the database going away)
  if (error instanceof StageFailed) return true;
  return classifyFault(error) !== 'transient';
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

// A hand-made StageContext for provider contract tests (any kind): state kept in memory, logs collected, and a way to
// stop an attempt right after it saved its state — what a worker killed between "recorded" and "sent" leaves behind.
import crypto from 'node:crypto';
import type { StageContext, StageLogLevel, StageTarget } from '../../src/platform/provider.js';

export interface TestStageContext extends StageContext {
  readonly state: Record<string, unknown>;
  readonly logs: { level: StageLogLevel; message: string }[];
  /** Every patch saveState received, in order. */
  readonly saves: Record<string, unknown>[];
  /** The next attempt of the same call: the state so far, `resumed: true`, fresh logs, no crash armed. */
  resume(options?: { crashAfterSaves?: number }): TestStageContext;
  /** The log lines as `level: message`. */
  logText(): string;
}

export interface StageContextOptions {
  target: Pick<StageTarget, 'kind' | 'connection'> & Partial<StageTarget>;
  state?: Record<string, unknown>;
  resumed?: boolean;
  signal?: AbortSignal;
  /** The stage's id (child jobs are found by it); one id per context by default. */
  stageId?: string;
  rollbackOptions?: Partial<StageContext['rollbackOptions']>;
  startedBy?: StageContext['startedBy'];
  /** The release a deployment runs (null by default). */
  release?: StageContext['release'];
  /** Values the stage's log must not show. */
  secrets?: string[];
  /** The job's id (one fixed id by default). */
  jobId?: string;
  /**
   * The call fails (an Error "worker stopped") right after its Nth saveState has been persisted, as if the worker died
   * before sending what it had just recorded.
   */
  crashAfterSaves?: number;
}

export class SimulatedCrash extends Error {
  override readonly name = 'SimulatedCrash';
}

/** saveState merges the patch into the state at its top level (flat keys), as the stage rows keep it. */
export function stageContext(options: StageContextOptions): TestStageContext {
  const state: Record<string, unknown> = { ...options.state };
  const logs: { level: StageLogLevel; message: string }[] = [];
  const saves: Record<string, unknown>[] = [];
  const target: StageTarget = {
    id: '00000000-0000-0000-0000-0000000000aa',
    name: 'test target',
    environment: 'dev',
    ...options.target,
  };
  return {
    target,
    state,
    logs,
    saves,
    resumed: options.resumed ?? false,
    signal: options.signal ?? new AbortController().signal,
    jobId: options.jobId ?? '00000000-0000-0000-0000-0000000000bb',
    stageId: options.stageId ?? crypto.randomUUID(),
    startedBy: options.startedBy ?? { tokenId: null, name: 'test' },
    rollbackOptions: { force: false, acceptDataLoss: false, ...options.rollbackOptions },
    release: options.release ?? null,
    secrets: options.secrets ?? [],
    async saveState(patch) {
      const copy = structuredClone(patch);
      saves.push(copy);
      Object.assign(state, copy);
      if (options.crashAfterSaves !== undefined && saves.length >= options.crashAfterSaves)
        throw new SimulatedCrash(`worker stopped after save ${saves.length}`);
    },
    log(level, message) {
      logs.push({ level, message });
    },
    resume(next = {}) {
      return stageContext({
        ...options,
        state,
        resumed: true,
        stageId: this.stageId,
        crashAfterSaves: next.crashAfterSaves,
      });
    },
    logText() {
      return logs.map((l) => `${l.level}: ${l.message}`).join('\n');
    },
  };
}

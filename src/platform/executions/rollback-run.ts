import type { JobContext, JobOutcome, JobWait } from '../../jobs/job-handler.js';
import { StageFailed, StageWait } from '../provider.js';
import type { ExecutionStage } from './execution-stage.entity.js';
import { skip } from './execution-run.js';
import {
  engineState,
  isStageFailure,
  messageOf,
  recordChildJob,
  recordedOf,
  saveEngineState,
  stageComponent,
  stageContext,
  waitUntilSteady,
  type EngineDeps,
} from './stage-engine.js';

/** A stage of a Rollback job (in the order it runs) and the stage of the execution it rolls back. */
export interface RollbackStage {
  row: ExecutionStage;
  source: ExecutionStage;
}

/**
 * Rolls an execution back, stage by stage in the order of `stages` (the reverse of the execution), from what the
 * execution recorded only. First every stage not yet started is checked for drift (read-only); a drift refuses the
 * whole rollback before anything changes unless `force`. Then each stage: provider.rollback (once: the mark that it
 * returned is stored with its outputs; a Completed stage is never run again), wait until steady, the stage's own
 * rollback steps (each counted once it ran), Completed. The first failure ends the rollback in Exception.
 */
export async function runRollback(
  ctx: JobContext,
  stages: RollbackStage[],
  force: boolean,
  deps: EngineDeps,
  secrets: readonly string[] = [],
): Promise<JobOutcome | JobWait> {
  try {
    if (!ctx.job.state.driftChecked) {
      const refusal = await checkDrift(ctx, stages, force, deps, secrets);
      if (refusal) {
        await skip(stages, 'the rollback was refused before it changed anything (drift)', deps);
        return { status: 'Exception', error: refusal };
      }
      await ctx.saveState({ driftChecked: true });
    }
  } catch (thrown) {
    if (thrown instanceof StageWait) return { status: 'Waiting', retryInMs: thrown.retryInMs, reason: thrown.reason };
    throw thrown;
  }
  for (const [index, stage] of stages.entries()) {
    const { row } = stage;
    if (row.status === 'Completed' || row.status === 'Skipped') continue;
    if (row.status === 'Exception') {
      await skip(stages.slice(index + 1), `rolling back stage "${row.name}" failed`, deps);
      return { status: 'Exception', error: `Rolling back stage "${row.name}" failed: ${row.error ?? 'see its log'}` };
    }
    let error: string | null;
    try {
      error = await rollbackStage(ctx, stage, deps, secrets);
    } catch (thrown) {
      if (thrown instanceof StageWait)
        return { status: 'Waiting', retryInMs: thrown.retryInMs, reason: `stage "${row.name}": ${thrown.reason}` };
      throw thrown;
    }
    if (error !== null) {
      await skip(stages.slice(index + 1), `rolling back stage "${row.name}" failed`, deps);
      return { status: 'Exception', error: `Rolling back stage "${row.name}" failed: ${error}` };
    }
  }
  return { status: 'Completed' };
}

/** The refusal naming every drift, or null (with force, drift is logged and the rollback goes on). */
async function checkDrift(
  ctx: JobContext,
  stages: RollbackStage[],
  force: boolean,
  deps: EngineDeps,
  secrets: readonly string[],
): Promise<string | null> {
  const found: string[] = [];
  for (const { row, source } of stages) {
    if (row.status !== 'Queued') continue;
    const provider = deps.providers.get(row.kind as never);
    let drift: string[];
    try {
      const target = await deps.openTarget(row.infrastructureId);
      drift = await provider.drift(stageContext(ctx, row, target, false, deps, secrets), recordedOf(source));
    } catch (error) {
      if (!isStageFailure(error, ctx.signal)) throw error;
      ctx.log('error', `Could not check drift: ${messageOf(error)}`, stageComponent(row.name));
      return `Could not check stage "${row.name}" for drift (${messageOf(error)}). Nothing was changed.`;
    }
    if (!drift.length) continue;
    found.push(`stage "${row.name}": ${drift.join('; ')}`);
    for (const line of drift)
      ctx.log(force ? 'warn' : 'error', `Drift since the execution: ${line}`, stageComponent(row.name));
  }
  if (!found.length) {
    ctx.log('info', 'No drift: every stage is as the execution left it.');
    return null;
  }
  if (force) {
    ctx.log('warn', `Rolling back despite drift (force): ${found.join(' · ')}`);
    return null;
  }
  return (
    `Drift: the live state changed since the execution (${found.join(' · ')}). Nothing was changed. ` +
    'Roll back with force: true to put back what the execution recorded anyway.'
  );
}

/** One stage's rollback, from wherever an earlier attempt left it. Null when it completed, else why it failed. */
async function rollbackStage(
  ctx: JobContext,
  stage: RollbackStage,
  deps: EngineDeps,
  secrets: readonly string[],
): Promise<string | null> {
  const { row, source } = stage;
  const log = (level: 'info' | 'warn' | 'error', message: string) => ctx.log(level, message, stageComponent(row.name));
  const provider = deps.providers.get(row.kind as never);
  const resumed = row.status === 'In Progress';
  const recorded = recordedOf(source);
  try {
    const target = await deps.openTarget(row.infrastructureId);
    if (row.status === 'Queued') {
      await deps.store.update(row, { status: 'In Progress', startedAt: new Date() });
      log('info', `Rolling back stage "${row.name}" on ${target.name}.`);
    } else log('info', `Resuming the rollback of stage "${row.name}" where it stopped.`);
    const sctx = stageContext(ctx, row, target, resumed, deps, secrets);
    if (!engineState(row).applied) {
      const outputs = await provider.rollback(sctx, recorded);
      await deps.store.update(row, {
        outputs: (outputs ?? {}) as Record<string, unknown>,
        state: { ...row.state, engine: { ...engineState(row), applied: true } },
      });
      await recordChildJob(deps, row);
      log('info', 'Rolled back; waiting until it is steady.');
    }
    const failure = await waitUntilSteady(ctx, row, provider, sctx, provider.parseSpec(source.spec), row.outputs, deps);
    if (failure) throw new StageFailed(failure);
    const steps = source.rollbackSteps;
    for (let i = engineState(row).stepsDone ?? 0; i < steps.length; i++) {
      const step = steps[i]!;
      const name = typeof step.name === 'string' ? step.name : `#${i + 1}`;
      if (!provider.runRollbackStep)
        throw new StageFailed(`a ${row.kind} stage has no rollback steps, yet step "${name}" is recorded`);
      log('info', `Rollback step "${name}".`);
      await provider.runRollbackStep(sctx, step, recorded);
      await saveEngineState(deps, row, { stepsDone: i + 1 });
    }
    await deps.store.update(row, { status: 'Completed', finishedAt: new Date(), error: null });
    log('info', `Stage "${row.name}" rolled back.`);
    return null;
  } catch (error) {
    if (error instanceof StageWait) await recordChildJob(deps, row);
    if (!isStageFailure(error, ctx.signal)) throw error;
    const reason = messageOf(error);
    await deps.store.update(row, { status: 'Exception', error: reason, finishedAt: new Date() });
    log('error', `Rolling back stage "${row.name}" failed: ${reason}`);
    return reason;
  }
}

import type { JobContext, JobOutcome, JobWait } from '../../jobs/job-handler.js';
import { resolveExpressions, type ExpressionScope } from '../pipelines/expressions.js';
import { StageFailed, StageWait } from '../provider.js';
import type { ExecutionStage } from './execution-stage.entity.js';
import {
  engineState,
  isStageFailure,
  messageOf,
  recordChildJob,
  secretValues,
  stageComponent,
  stageContext,
  waitUntilSteady,
  type EngineDeps,
} from './stage-engine.js';

/** A stage row with the names its expressions need. */
export interface EngineStage {
  row: ExecutionStage;
  serviceName: string | null;
}

/** What every stage's expressions share: the execution's artifacts (by service name), variables and names. */
export interface ExecutionScope {
  artifacts: Record<string, string>;
  variables: Record<string, string>;
  pipeline: string;
  executionId: string;
}

/**
 * Runs an execution's stages in order, each resumable at every step (docs/platform-api.md, ADR 0014):
 * resolve its spec and rollback steps (stored resolved before use) → capture (stored before deploy) → deploy
 * (outputs stored) → wait until steady within the progress deadline → Completed. A failed stage ends in Exception;
 * under `failureStrategy: ignore` the execution goes on, otherwise it ends in Exception and the remaining stages are
 * Skipped. A provider's StageWait lets the worker go (JobWait) and the stage is resumed later.
 */
export async function runExecution(
  ctx: JobContext,
  stages: EngineStage[],
  scope: ExecutionScope,
  deps: EngineDeps,
): Promise<JobOutcome | JobWait> {
  const outputs: Record<string, Record<string, unknown>> = {};
  const ignored: string[] = [];
  for (const [index, stage] of stages.entries()) {
    const row = stage.row;
    if (row.status === 'Completed') {
      outputs[row.name] = row.outputs;
      continue;
    }
    if (row.status === 'Skipped') continue;
    if (row.status === 'Exception') {
      if (row.failureStrategy === 'ignore') {
        ignored.push(row.name);
        continue;
      }
      await skip(stages.slice(index + 1), `stage "${row.name}" failed`, deps);
      return { status: 'Exception', error: `Stage "${row.name}" failed: ${row.error ?? 'see its log'}` };
    }
    const cancel = await ctx.cancelRequested();
    if (cancel && row.status === 'Queued') {
      await skip(stages.slice(index), `${cancel.by} canceled the execution`, deps);
      return { status: 'Exception', error: `Canceled by ${cancel.by}; the stages that had not started were skipped.` };
    }
    let error: string | null;
    try {
      error = await deployStage(ctx, stage, scope, outputs, deps);
    } catch (thrown) {
      if (thrown instanceof StageWait)
        return { status: 'Waiting', retryInMs: thrown.retryInMs, reason: `stage "${row.name}": ${thrown.reason}` };
      throw thrown;
    }
    if (error === null) {
      outputs[row.name] = row.outputs;
      continue;
    }
    if (row.failureStrategy === 'ignore') {
      ignored.push(row.name);
      ctx.log('warn', `Stage "${row.name}" failed under failureStrategy: ignore; the execution goes on.`);
      continue;
    }
    await skip(stages.slice(index + 1), `stage "${row.name}" failed`, deps);
    return { status: 'Exception', error: `Stage "${row.name}" failed: ${error}` };
  }
  if (ignored.length)
    ctx.log(
      'warn',
      `Completed only by ignoring the failure of ${ignored.map((n) => `"${n}"`).join(', ')}: this execution cannot be rolled back.`,
    );
  return { status: 'Completed' };
}

/** One stage, from wherever an earlier attempt left it. Null when it completed, else why it failed. */
async function deployStage(
  ctx: JobContext,
  stage: EngineStage,
  scope: ExecutionScope,
  outputs: Record<string, Record<string, unknown>>,
  deps: EngineDeps,
): Promise<string | null> {
  const { row } = stage;
  const log = (level: 'info' | 'warn' | 'error', message: string) => ctx.log(level, message, stageComponent(row.name));
  const provider = deps.providers.get(row.kind as never);
  const resumed = row.status === 'In Progress';
  try {
    const target = await deps.openTarget(row.infrastructureId);
    if (row.status === 'Queued') {
      await deps.store.update(row, { status: 'In Progress', startedAt: new Date() });
      log('info', `Stage "${row.name}" started: ${stage.serviceName ?? 'no service'} on ${target.name} (${row.kind}).`);
    }
    if (!engineState(row).resolved) {
      const expressionScope: ExpressionScope = {
        artifact: stage.serviceName ? (scope.artifacts[stage.serviceName] ?? null) : null,
        service: stage.serviceName,
        infrastructure: target.name,
        environment: target.environment,
        pipeline: scope.pipeline,
        variables: scope.variables,
        executionId: scope.executionId,
        stages: outputs,
      };
      const spec = resolveExpressions(row.spec, expressionScope);
      const rollbackSteps = resolveExpressions(row.rollbackSteps, expressionScope);
      const parsed = provider.parseSpec(spec);
      for (const step of rollbackSteps) provider.parseRollbackStep?.(step);
      // the resolved spec and the mark that it is resolved land together: a resumed worker never resolves twice
      await deps.store.update(row, {
        spec,
        rollbackSteps,
        artifact: provider.artifactOf(parsed) ?? row.artifact,
        state: { ...row.state, engine: { ...engineState(row), resolved: true } },
      });
    }
    const sctx = stageContext(ctx, row, target, resumed, deps, secretValues(scope.variables));
    const spec = provider.parseSpec(row.spec);
    if (row.rollbackData === null) {
      const data = await provider.capture(sctx, spec);
      await deps.store.update(row, { rollbackData: data as Record<string, unknown> });
      log(
        'info',
        provider.isFirstDeployment(data)
          ? 'Captured rollback data: this is the first deployment here (a rollback deletes what it creates).'
          : 'Captured rollback data: what puts this infrastructure back as it was.',
      );
    }
    if (!engineState(row).applied) {
      const outputs = await provider.deploy(sctx, spec, row.rollbackData);
      await deps.store.update(row, {
        outputs: (outputs ?? {}) as Record<string, unknown>,
        state: { ...row.state, engine: { ...engineState(row), applied: true } },
      });
      await recordChildJob(deps, row);
      log('info', 'Applied; waiting until it is steady.');
    }
    const failure = await waitUntilSteady(ctx, row, provider, sctx, spec, row.outputs, deps);
    if (failure) throw new StageFailed(failure);
    await deps.store.update(row, { status: 'Completed', finishedAt: new Date(), error: null });
    log('info', `Stage "${row.name}" completed.`);
    return null;
  } catch (error) {
    if (error instanceof StageWait) await recordChildJob(deps, row);
    if (!isStageFailure(error, ctx.signal)) throw error;
    const reason = messageOf(error);
    await deps.store.update(row, { status: 'Exception', error: reason, finishedAt: new Date() });
    log('error', `Stage "${row.name}" failed: ${reason}`);
    return reason;
  }
}

/** Stages that will not run: Skipped, each saying why. */
export async function skip(stages: { row: ExecutionStage }[], why: string, deps: EngineDeps): Promise<void> {
  for (const { row } of stages) {
    if (row.status !== 'Queued') continue;
    await deps.store.update(row, { status: 'Skipped', error: `Not run: ${why}.` });
  }
}

import type { Execution, ExecutionLogLine, ExecutionStage } from './execution.types.js';
import { formatTable } from './output.js';

const FINISHED_STAGE = new Set(['Completed', 'Exception', 'Skipped']);

/** "Deploy 2e20a3ca In Progress · 1/3 stages · checkout In Progress" while the CLI waits for an execution. */
export function describeExecutionProgress(execution: Execution): string {
  const parts = [`${execution.kind} ${execution.id.slice(0, 8)} ${execution.status}`];
  const total = execution.stages.length;
  if (total > 0) parts.push(`${execution.stages.filter((s) => FINISHED_STAGE.has(s.status)).length}/${total} stages`);
  const running = execution.stages.find((s) => s.status === 'In Progress');
  if (running) parts.push(`${running.name} In Progress`);
  return parts.join(' · ');
}

/** "service=image, …" of an execution's artifacts, or null when it was given none. */
function artifactList(artifacts: Record<string, string>): string | null {
  const entries = Object.entries(artifacts);
  return entries.length ? entries.map(([service, image]) => `${service}=${image}`).join(', ') : null;
}

/**
 * "Deploy 2e20a3ca-… of pipeline shop v2 Completed in 3 s (checkout=nginx:1.27)." plus what it rolls back, the
 * error, and where to see it.
 */
export function describeExecutionOutcome(execution: Execution, baseUrl: string): string {
  const seconds =
    execution.startedAt && execution.finishedAt
      ? Math.round((Date.parse(execution.finishedAt) - Date.parse(execution.startedAt)) / 1000)
      : null;
  const artifacts = artifactList(execution.artifacts);
  const { pipeline } = execution;
  const lines = [
    `${execution.kind} ${execution.id} of pipeline ${pipeline.name} v${pipeline.version} ${execution.status}` +
      `${seconds === null ? '' : ` in ${seconds} s`}${artifacts ? ` (${artifacts})` : ''}.`,
  ];
  if (execution.release)
    lines.push(
      `Release: ${execution.release.version}${execution.release.mode === 'rollback' ? ' (redeployed as a rollback)' : ''}`,
    );
  if (execution.kind === 'Rollback' && execution.executionId) lines.push(`Rolls back: ${execution.executionId}`);
  if (execution.kind === 'Deploy' && execution.rollbackJobId) lines.push(`Rolled back by: ${execution.rollbackJobId}`);
  if (execution.error) lines.push(`Error: ${execution.error}`);
  lines.push(`Details: ${new URL(`/#/executions/${execution.id}`, baseUrl).href}`);
  return lines.join('\n');
}

function stageDuration(stage: ExecutionStage): string {
  if (!stage.startedAt || !stage.finishedAt) return '';
  return `${Math.round((Date.parse(stage.finishedAt) - Date.parse(stage.startedAt)) / 1000)} s`;
}

/** The stage table printed once an execution finished (in the order the stages ran). */
export function formatStages(stages: ExecutionStage[]): string {
  if (stages.length === 0) return 'No stages.';
  return formatTable(
    ['STAGE', 'KIND', 'SERVICE', 'INFRASTRUCTURE', 'STATUS', 'ARTIFACT', 'TIME', 'DETAILS'],
    stages.map((s) => [
      s.name,
      s.kind,
      s.service?.name ?? '—',
      `${s.infrastructure.name} (${s.infrastructure.environment})`,
      s.status,
      s.artifact ?? '—',
      stageDuration(s),
      [
        s.failureStrategy === 'ignore' && s.status === 'Exception' ? 'ignored' : null,
        s.error,
        s.childJobId ? `job ${s.childJobId}` : null,
      ]
        .filter(Boolean)
        .join('; '),
    ]),
  );
}

/** "2025-01-31T10:00:00.000Z  INFO   checkout  Applied Deployment/checkout" */
export function formatExecutionLogLine(line: ExecutionLogLine): string {
  return [line.at, line.level.toUpperCase().padEnd(5), line.stage, line.message].filter(Boolean).join('  ');
}

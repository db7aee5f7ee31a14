import { deepEqual } from '../../common/json.js';
import { revisionOf, type EcsOutputs, type LiveService } from './ecs-records.js';

/** How the live service differs from what the stage left (none: []). */
export function driftSentences(outputs: EcsOutputs, live: LiveService | null): string[] {
  const name = `ECS service ${outputs.cluster}/${outputs.service}`;
  if (!live) return [`${name} is gone`];
  const found: string[] = [];
  if (outputs.taskDefinitionArn !== null && live.taskDefinition !== outputs.taskDefinitionArn)
    found.push(
      `${name} runs task definition ${revisionOf(live.taskDefinition)}, the execution left ${revisionOf(outputs.taskDefinitionArn)}`,
    );
  if (live.desiredCount !== outputs.desiredCount)
    found.push(`${name} has desired count ${live.desiredCount}, the execution left ${outputs.desiredCount}`);
  return found;
}

/** Whether the live service already is as `want` says (task definition, count and, when given, configuration). */
export function serviceIs(
  live: LiveService,
  want: {
    taskDefinitionArn: string;
    desiredCount: number;
    deploymentConfiguration?: Record<string, unknown> | null;
    circuitBreaker?: { enable: boolean; rollback: boolean } | undefined;
  },
): boolean {
  if (live.taskDefinition !== want.taskDefinitionArn || live.desiredCount !== want.desiredCount) return false;
  if (want.deploymentConfiguration && !deepEqual(live.deploymentConfiguration, want.deploymentConfiguration))
    return false;
  if (want.circuitBreaker && !deepEqual(live.deploymentConfiguration?.deploymentCircuitBreaker, want.circuitBreaker))
    return false;
  return true;
}

/** What the stage's plain functions see of an ECS service (a narrow copy of DescribeServices' answer). */
export interface LiveService {
  serviceArn: string;
  status: string;
  taskDefinition: string;
  desiredCount: number;
  runningCount: number;
  pendingCount: number;
  deploymentConfiguration: Record<string, unknown> | null;
  deployments: LiveDeployment[];
  /** The newest service events' messages, newest first. */
  events: string[];
}

export interface LiveDeployment {
  id: string;
  /** PRIMARY, ACTIVE or INACTIVE. */
  status: string;
  taskDefinition: string;
  desiredCount: number;
  runningCount: number;
  pendingCount: number;
  failedTasks: number;
  /** IN_PROGRESS, COMPLETED or FAILED (absent for services that predate rollout states). */
  rolloutState: string | null;
  rolloutStateReason: string | null;
}

/** What `capture` records: all a rollback uses. */
export interface EcsData {
  cluster: string;
  service: string;
  /** Whether the service existed; when not, the stage creates it and its rollback deletes it. */
  existed: boolean;
  /** The service's task definition ARN, desired count and deployment configuration before the deploy. */
  taskDefinitionArn: string | null;
  desiredCount: number | null;
  deploymentConfiguration: Record<string, unknown> | null;
  /** The container's image in that task definition (null: the service did not exist, or had no such container). */
  image: string | null;
  /**
   * The task definition the new revision copies: the service's own when it is of the stage's family, else the
   * family's latest ACTIVE revision (null: the family has none, and the deploy fails saying so).
   */
  baseTaskDefinitionArn: string | null;
}

/** What `deploy` and `rollback` leave: what `status`, `drift` and the engine's records read. */
export interface EcsOutputs {
  cluster: string;
  service: string;
  /** The task definition the service should run (for a first-deployment rollback: null, the service is deleted). */
  taskDefinitionArn: string | null;
  desiredCount: number;
  /** family:revision of that task definition. */
  revision: string | null;
  image: string | null;
  /** The deployment ECS started for the stage's update (null: none was sent, or its answer was lost). */
  deploymentId?: string | null;
  /** A first-deployment rollback deleted the service. */
  deleted?: boolean;
}

/** `family:revision` of a task definition ARN (or the ref as is when it is not an ARN). */
export function revisionOf(taskDefinitionArn: string | null): string | null {
  if (!taskDefinitionArn) return null;
  return /:task-definition\/(.+)$/.exec(taskDefinitionArn)?.[1] ?? taskDefinitionArn;
}

/** The family of a task definition ARN or `family:revision`. */
export function familyOf(taskDefinitionArn: string): string {
  return (revisionOf(taskDefinitionArn) ?? '').split(':')[0]!;
}

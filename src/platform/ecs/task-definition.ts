/** The fields of DescribeTaskDefinition's answer that RegisterTaskDefinition takes back (the rest ECS computes). */
const REGISTERABLE = [
  'family',
  'taskRoleArn',
  'executionRoleArn',
  'networkMode',
  'containerDefinitions',
  'volumes',
  'placementConstraints',
  'requiresCompatibilities',
  'cpu',
  'memory',
  'pidMode',
  'ipcMode',
  'proxyConfiguration',
  'inferenceAccelerators',
  'ephemeralStorage',
  'runtimePlatform',
] as const;

/** The tag that marks the revision a stage registered, so a resumed deploy finds it instead of registering another. */
export const STAGE_TAG_KEY = 'backtrack:stage';

export type TaskDefinitionLike = Record<string, unknown>;

/** The image of the named container, or null. */
export function containerImage(definition: TaskDefinitionLike | null, containerName: string): string | null {
  const containers = definition?.containerDefinitions;
  if (!Array.isArray(containers)) return null;
  const found = (containers as { name?: unknown; image?: unknown }[]).find((c) => c.name === containerName);
  return typeof found?.image === 'string' ? found.image : null;
}

/**
 * RegisterTaskDefinition's input for the stage's new revision: the base definition as it is, with the named
 * container's image replaced, tagged with the stage's id. Null when the base has no container of that name.
 */
export function nextTaskDefinitionInput(
  base: TaskDefinitionLike,
  containerName: string,
  image: string,
  stageId: string,
): Record<string, unknown> | null {
  if (containerImage(base, containerName) === null) return null;
  const input: Record<string, unknown> = {};
  // ECS answers empty lists for volumes and placementConstraints: they are not sent back.
  const empty = (value: unknown) => value === undefined || value === null || (Array.isArray(value) && !value.length);
  for (const field of REGISTERABLE) if (!empty(base[field])) input[field] = base[field];
  input.containerDefinitions = (base.containerDefinitions as Record<string, unknown>[]).map((c) =>
    c.name === containerName ? { ...c, image } : c,
  );
  input.tags = [{ key: STAGE_TAG_KEY, value: stageId }];
  return input;
}

/** Whether DescribeTaskDefinition's tags mark the revision as this stage's. */
export function registeredBy(tags: readonly { key?: string; value?: string }[] | undefined, stageId: string): boolean {
  return (tags ?? []).some((t) => t.key === STAGE_TAG_KEY && t.value === stageId);
}

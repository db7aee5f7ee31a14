// Plain decisions of the `asg` provider: how many instances each canary phase replaces, which instances a phase
// takes, what a resumed phase still has to send, and when a phase's replacements are all in service.

/** An instance as the provider reads it from DescribeAutoScalingGroups. */
export interface GroupInstance {
  instanceId: string;
  /** Pending, InService, Terminating… (the Auto Scaling lifecycle state). */
  lifecycleState: string;
  healthy: boolean;
  launchTemplateId: string | null;
  /** The resolved version the instance was launched from. */
  version: string | null;
}

/** A group as the provider reads it. */
export interface GroupState {
  name: string;
  launchTemplate: { launchTemplateId: string | null; launchTemplateName: string | null; version: string | null } | null;
  desiredCapacity: number;
  instances: GroupInstance[];
}

/** A launch template version an instance can run: id and version number. */
export interface VersionRef {
  launchTemplateId: string;
  version: string;
}

/**
 * The instances each canary phase replaces out of `total`, for cumulative percentages (increasing, the last 100):
 * phase i takes the group up to ceil(total × p_i / 100). [10, 35, 60, 100] of 8 → 1, 2, 2, 3.
 */
export function deployPhaseCounts(total: number, percentages: readonly number[]): number[] {
  if (!Number.isInteger(total) || total < 0) throw new RangeError('total must be a whole number ≥ 0');
  if (!percentages.length || percentages[percentages.length - 1] !== 100)
    throw new RangeError('the phases must end with 100');
  let done = 0;
  return percentages.map((percentage) => {
    const upTo = Math.min(total, Math.ceil((total * percentage) / 100 - 1e-9));
    const count = Math.max(0, upTo - done);
    done += count;
    return count;
  });
}

export function isTerminating(instance: GroupInstance): boolean {
  return instance.lifecycleState.startsWith('Terminat');
}

export function runs(instance: GroupInstance, target: VersionRef): boolean {
  return instance.launchTemplateId === target.launchTemplateId && instance.version === target.version;
}

/** Instances not being terminated that do not run `target`: those a deploy (or a rollback) still has to replace. */
export function notOn(group: GroupState, target: VersionRef): GroupInstance[] {
  return group.instances.filter((i) => !isTerminating(i) && !runs(i, target));
}

/**
 * The `count` instances a phase terminates: not on `target`, not terminating; those in service first (a pending one
 * is someone's replacement still starting), in the order the group lists them.
 */
export function pickForPhase(group: GroupState, target: VersionRef, count: number): string[] {
  const candidates = notOn(group, target);
  const ordered = [
    ...candidates.filter((i) => i.lifecycleState === 'InService'),
    ...candidates.filter((i) => i.lifecycleState !== 'InService'),
  ];
  return ordered.slice(0, Math.max(0, count)).map((i) => i.instanceId);
}

/**
 * Of the instances a phase recorded, those whose termination the group does not show yet: still in the group and not
 * terminating. A resumed phase sends only these (an instance already terminating or gone is never terminated twice).
 */
export function stillToTerminate(recorded: readonly string[], group: GroupState): string[] {
  const byId = new Map(group.instances.map((i) => [i.instanceId, i]));
  return recorded.filter((id) => {
    const instance = byId.get(id);
    return instance !== undefined && !isTerminating(instance);
  });
}

/** Whether a phase's replacements are done: nothing launching or terminating, and the group at its desired capacity. */
export function phaseSettled(group: GroupState): { settled: boolean; reason: string } {
  const pending = group.instances.filter((i) => !isTerminating(i) && (i.lifecycleState !== 'InService' || !i.healthy));
  const terminating = group.instances.filter(isTerminating);
  const inService = group.instances.length - pending.length - terminating.length;
  const settled = !pending.length && !terminating.length && inService >= group.desiredCapacity;
  return {
    settled,
    reason: `${inService} of ${group.desiredCapacity} instances InService and healthy, ${pending.length} launching, ${terminating.length} terminating`,
  };
}

/** Whether the group runs `target` everywhere: every instance not terminating is InService, healthy and on it. */
export function groupHealth(
  group: GroupState,
  target: VersionRef,
): { steady: true } | { steady: false; reason: string } {
  const live = group.instances.filter((i) => !isTerminating(i));
  const ready = live.filter((i) => runs(i, target) && i.lifecycleState === 'InService' && i.healthy).length;
  if (ready >= group.desiredCapacity && ready === live.length) return { steady: true };
  const others = live.filter((i) => !runs(i, target)).length;
  return {
    steady: false,
    reason: `${ready} of ${group.desiredCapacity} instances InService on launch template version ${target.version}${others ? `, ${others} still on another version` : ''}`,
  };
}

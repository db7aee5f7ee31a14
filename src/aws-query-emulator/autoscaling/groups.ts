// Auto Scaling groups over simulated time: instances launch (Pending → InService) and terminate (Terminating → gone),
// the group is kept at its desired capacity, and a rolling instance refresh replaces instances batch by batch.
import { randomUUID } from 'node:crypto';
import { QueryError } from '../wire/query-params.js';
import type { LaunchTemplateStore } from '../ec2/launch-templates.js';
import { percentageComplete, refreshBatchSize } from './refresh-rules.js';

/** A group's (or refresh's) template as asked for: by id or name, with a version number, `$Latest` or `$Default`. */
export interface LaunchTemplateSpec {
  readonly launchTemplateId?: string;
  readonly launchTemplateName?: string;
  readonly version?: string;
}

export type LifecycleState = 'Pending' | 'InService' | 'Terminating';

export interface Instance {
  readonly instanceId: string;
  readonly availabilityZone: string;
  readonly instanceType: string;
  lifecycleState: LifecycleState;
  stateSince: Date;
  readonly launchedAt: Date;
  /** The resolved template version the instance was launched from. */
  readonly launchTemplate: {
    readonly launchTemplateId: string;
    readonly launchTemplateName: string;
    readonly version: string;
  };
}

export interface Group {
  readonly name: string;
  readonly arn: string;
  launchTemplate: LaunchTemplateSpec;
  minSize: number;
  maxSize: number;
  desiredCapacity: number;
  defaultCooldown: number;
  availabilityZones: string[];
  healthCheckType: string;
  healthCheckGracePeriod: number;
  readonly createdTime: Date;
  readonly instances: Instance[];
  readonly tags: readonly { key: string; value: string }[];
}

export type RefreshStatus = 'Pending' | 'InProgress' | 'Successful' | 'Failed' | 'Cancelled';

export interface RefreshPreferences {
  readonly minHealthyPercentage: number;
  readonly maxHealthyPercentage?: number;
  readonly instanceWarmup?: number;
  readonly skipMatching: boolean;
}

export interface InstanceRefresh {
  readonly instanceRefreshId: string;
  readonly groupName: string;
  status: RefreshStatus;
  statusReason?: string;
  readonly startTime: Date;
  endTime?: Date;
  readonly preferences: RefreshPreferences;
  readonly desiredConfiguration?: LaunchTemplateSpec;
  /** The instances the refresh must still take out of service, oldest first. */
  remaining: string[];
  readonly total: number;
  percentageComplete: number;
}

export interface GroupSettings {
  readonly launchTemplate?: LaunchTemplateSpec;
  readonly minSize?: number;
  readonly maxSize?: number;
  readonly desiredCapacity?: number;
  readonly defaultCooldown?: number;
  readonly availabilityZones?: readonly string[];
  readonly healthCheckType?: string;
  readonly healthCheckGracePeriod?: number;
}

export interface Timings {
  /** Simulated seconds from launch to InService. */
  readonly instanceReadySeconds: number;
  /** Simulated seconds from Terminating to gone. */
  readonly instanceTerminateSeconds: number;
}

export interface TerminationActivity {
  readonly activityId: string;
  readonly groupName: string;
  readonly description: string;
  readonly cause: string;
  readonly startTime: Date;
}

const ACCOUNT = '123456789012';
const ACTIVE: readonly RefreshStatus[] = ['Pending', 'InProgress'];

const groupNotFound = (name: string) =>
  new QueryError('ValidationError', `AutoScalingGroup name not found - AutoScalingGroup ${name} not found`);

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

export class AutoScalingGroups {
  private readonly groups = new Map<string, Group>();
  private readonly refreshes: InstanceRefresh[] = [];
  private counter = 0;

  constructor(
    private readonly launchTemplates: LaunchTemplateStore,
    private readonly now: () => Date,
    private readonly timings: Timings,
    private readonly region: string,
  ) {}

  create(name: string, settings: GroupSettings & { tags?: readonly { key: string; value: string }[] }): void {
    if (this.groups.has(name))
      throw new QueryError(
        'AlreadyExists',
        `AutoScalingGroup by this name already exists - A group with the name ${name} already exists`,
      );
    if (!settings.launchTemplate)
      throw new QueryError(
        'ValidationError',
        'Valid requests must contain either LaunchTemplate, LaunchConfigurationName, InstanceId or MixedInstancesPolicy parameter.',
      );
    if (settings.minSize === undefined || settings.maxSize === undefined)
      throw new QueryError('ValidationError', 'MinSize and MaxSize are required: give both.');
    const minSize = settings.minSize;
    const desiredCapacity = settings.desiredCapacity ?? minSize;
    this.checkSizes(minSize, settings.maxSize, desiredCapacity);
    const launchTemplate = this.checkTemplate(settings.launchTemplate);
    this.groups.set(name, {
      name,
      arn: `arn:aws:autoscaling:${this.region}:${ACCOUNT}:autoScalingGroup:${this.uuid()}:autoScalingGroupName/${name}`,
      launchTemplate,
      minSize,
      maxSize: settings.maxSize,
      desiredCapacity,
      defaultCooldown: settings.defaultCooldown ?? 300,
      availabilityZones: settings.availabilityZones?.length ? [...settings.availabilityZones] : [`${this.region}a`],
      healthCheckType: settings.healthCheckType ?? 'EC2',
      healthCheckGracePeriod: settings.healthCheckGracePeriod ?? 0,
      createdTime: this.now(),
      instances: [],
      tags: settings.tags ?? [],
    });
    this.sync();
  }

  /** Fields left out stay; instances already running keep the template they were launched from. */
  update(name: string, settings: GroupSettings): void {
    const group = this.get(name);
    const minSize = settings.minSize ?? group.minSize;
    const maxSize = settings.maxSize ?? group.maxSize;
    let desiredCapacity = settings.desiredCapacity ?? group.desiredCapacity;
    if (settings.desiredCapacity === undefined) desiredCapacity = Math.min(maxSize, Math.max(minSize, desiredCapacity));
    this.checkSizes(minSize, maxSize, desiredCapacity);
    if (settings.launchTemplate) group.launchTemplate = this.checkTemplate(settings.launchTemplate);
    Object.assign(group, { minSize, maxSize, desiredCapacity });
    if (settings.defaultCooldown !== undefined) group.defaultCooldown = settings.defaultCooldown;
    if (settings.availabilityZones?.length) group.availabilityZones = [...settings.availabilityZones];
    if (settings.healthCheckType !== undefined) group.healthCheckType = settings.healthCheckType;
    if (settings.healthCheckGracePeriod !== undefined) group.healthCheckGracePeriod = settings.healthCheckGracePeriod;
    this.sync();
  }

  setDesiredCapacity(name: string, desired: number): void {
    const group = this.get(name);
    if (desired > group.maxSize)
      throw new QueryError(
        'ValidationError',
        `New SetDesiredCapacity value ${desired} is above max value ${group.maxSize} for the AutoScalingGroup.`,
      );
    if (desired < group.minSize)
      throw new QueryError(
        'ValidationError',
        `New SetDesiredCapacity value ${desired} is below min value ${group.minSize} for the AutoScalingGroup.`,
      );
    group.desiredCapacity = desired;
    this.sync();
  }

  terminateInstance(instanceId: string, decrementDesired: boolean): TerminationActivity {
    const group = [...this.groups.values()].find((g) => g.instances.some((i) => i.instanceId === instanceId));
    const instance = group?.instances.find((i) => i.instanceId === instanceId);
    if (!group || !instance)
      throw new QueryError(
        'ValidationError',
        `Instance Id not found - No managed instance found for instance ID: ${instanceId}`,
      );
    if (decrementDesired) {
      if (group.desiredCapacity <= group.minSize)
        throw new QueryError(
          'ValidationError',
          `Currently, desiredSize equals minSize (${group.minSize}). Terminating instance without replacement will violate group's min size constraint. Either set shouldDecrementDesiredCapacity flag to false or lower group's min size.`,
        );
      group.desiredCapacity--;
    }
    if (instance.lifecycleState !== 'Terminating') this.startTerminating(instance);
    const cause = decrementDesired
      ? `an instance was taken out of service in response to a user request, shrinking the capacity from ${group.desiredCapacity + 1} to ${group.desiredCapacity}.`
      : 'an instance was taken out of service in response to a user request.';
    this.sync();
    return {
      activityId: this.uuid(),
      groupName: group.name,
      description: `Terminating EC2 instance: ${instanceId}`,
      cause: `At ${this.now().toISOString()} ${cause}`,
      startTime: this.now(),
    };
  }

  /** Groups by name in the order asked (unknown names are left out), or all of them by name. */
  describe(names: readonly string[]): Group[] {
    if (!names.length) return [...this.groups.values()].sort((a, b) => a.name.localeCompare(b.name));
    return names.map((n) => this.groups.get(n)).filter((g): g is Group => g !== undefined);
  }

  startRefresh(
    name: string,
    preferences: RefreshPreferences,
    desiredConfiguration: LaunchTemplateSpec | undefined,
  ): InstanceRefresh {
    const group = this.get(name);
    if (this.activeRefresh(name))
      throw new QueryError(
        'InstanceRefreshInProgress',
        'An Instance Refresh is already in progress and blocks the execution of this Instance Refresh.',
      );
    const pct = preferences.minHealthyPercentage;
    if (!Number.isInteger(pct) || pct < 0 || pct > 100)
      throw new QueryError('ValidationError', `MinHealthyPercentage must be a whole number from 0 to 100, not ${pct}.`);
    const target = this.checkTemplate(desiredConfiguration ?? group.launchTemplate);
    const targetVersion = this.resolve(target).version;
    const live = this.live(group)
      .filter(
        (i) =>
          !preferences.skipMatching ||
          i.launchTemplate.version !== targetVersion ||
          i.launchTemplate.launchTemplateId !== this.resolve(target).launchTemplateId,
      )
      .sort((a, b) => a.launchedAt.getTime() - b.launchedAt.getTime());
    const refresh: InstanceRefresh = {
      instanceRefreshId: this.uuid(),
      groupName: name,
      status: 'Pending',
      startTime: this.now(),
      preferences,
      desiredConfiguration: desiredConfiguration && { ...target, version: targetVersion },
      remaining: live.map((i) => i.instanceId),
      total: live.length,
      percentageComplete: 0,
    };
    this.refreshes.push(refresh);
    this.sync();
    return refresh;
  }

  /** A group's refreshes, newest first, optionally only those with the given ids. */
  describeRefreshes(name: string, ids: readonly string[]): InstanceRefresh[] {
    this.get(name);
    return this.refreshes
      .filter((r) => r.groupName === name && (!ids.length || ids.includes(r.instanceRefreshId)))
      .reverse();
  }

  /** Whether anything is still moving: an instance launching or terminating, or a refresh running. */
  busy(): boolean {
    return (
      [...this.groups.values()].some((g) => g.instances.some((i) => i.lifecycleState !== 'InService')) ||
      this.refreshes.some((r) => ACTIVE.includes(r.status))
    );
  }

  /** Brings every group up to the clock: lifecycle transitions, refresh batches, then the desired capacity. */
  sync(): void {
    const now = this.now().getTime();
    for (const group of this.groups.values()) {
      for (const instance of [...group.instances]) {
        const age = (now - instance.stateSince.getTime()) / 1000;
        if (instance.lifecycleState === 'Pending' && age >= this.timings.instanceReadySeconds) {
          instance.lifecycleState = 'InService';
          instance.stateSince = new Date(now);
        } else if (instance.lifecycleState === 'Terminating' && age >= this.timings.instanceTerminateSeconds) {
          group.instances.splice(group.instances.indexOf(instance), 1);
        }
      }
      const refresh = this.activeRefresh(group.name);
      if (refresh) this.stepRefresh(group, refresh);
      this.reconcile(group, this.activeRefresh(group.name)?.desiredConfiguration ?? group.launchTemplate);
    }
  }

  private stepRefresh(group: Group, refresh: InstanceRefresh): void {
    refresh.status = 'InProgress';
    const byId = new Map(group.instances.map((i) => [i.instanceId, i]));
    refresh.remaining = refresh.remaining.filter(
      (id) => byId.get(id) && byId.get(id)!.lifecycleState !== 'Terminating',
    );
    const inFlight = group.instances.filter((i) => i.lifecycleState !== 'InService').length;
    refresh.percentageComplete = percentageComplete(refresh.total, refresh.remaining.length + inFlight);
    if (inFlight > 0) return;
    if (!refresh.remaining.length) {
      refresh.status = 'Successful';
      refresh.endTime = this.now();
      refresh.percentageComplete = 100;
      if (refresh.desiredConfiguration) group.launchTemplate = refresh.desiredConfiguration;
      return;
    }
    const batch = refreshBatchSize({
      desiredCapacity: group.desiredCapacity,
      healthyInstances: this.live(group).length,
      minHealthyPercentage: refresh.preferences.minHealthyPercentage,
      remaining: refresh.remaining.length,
    });
    for (const id of refresh.remaining.splice(0, batch)) this.startTerminating(byId.get(id)!);
  }

  /** Launches or terminates until the instances not terminating match the desired capacity. */
  private reconcile(group: Group, spec: LaunchTemplateSpec): void {
    const live = this.live(group);
    if (live.length < group.desiredCapacity) {
      const resolved = this.resolve(spec);
      const instanceType = this.launchTemplates.describeVersions({ launchTemplateId: resolved.launchTemplateId }, [
        resolved.version,
      ])[0]?.data.instanceType;
      for (let n = live.length; n < group.desiredCapacity; n++) {
        const zone = this.leastUsedZone(group);
        group.instances.push({
          instanceId: `i-${hex(++this.counter, 17)}`,
          availabilityZone: zone,
          instanceType: instanceType ?? 't3.micro',
          lifecycleState: 'Pending',
          stateSince: this.now(),
          launchedAt: this.now(),
          launchTemplate: resolved,
        });
      }
    } else if (live.length > group.desiredCapacity) {
      const current = this.resolve(group.launchTemplate).version;
      const victims = [...live].sort(
        (a, b) =>
          Number(a.launchTemplate.version === current) - Number(b.launchTemplate.version === current) ||
          a.launchedAt.getTime() - b.launchedAt.getTime(),
      );
      for (const instance of victims.slice(0, live.length - group.desiredCapacity)) this.startTerminating(instance);
    }
  }

  private leastUsedZone(group: Group): string {
    const live = this.live(group);
    const count = (zone: string) => live.filter((i) => i.availabilityZone === zone).length;
    return group.availabilityZones.reduce((best, zone) => (count(zone) < count(best) ? zone : best));
  }

  private startTerminating(instance: Instance): void {
    instance.lifecycleState = 'Terminating';
    instance.stateSince = this.now();
  }

  private live(group: Group): Instance[] {
    return group.instances.filter((i) => i.lifecycleState !== 'Terminating');
  }

  private activeRefresh(name: string): InstanceRefresh | undefined {
    return this.refreshes.find((r) => r.groupName === name && ACTIVE.includes(r.status));
  }

  private get(name: string): Group {
    const group = this.groups.get(name);
    if (!group) throw groupNotFound(name);
    return group;
  }

  private checkSizes(min: number, max: number, desired: number): void {
    if (min < 0 || max < min)
      throw new QueryError('ValidationError', `MinSize (${min}) must be at least 0 and not above MaxSize (${max}).`);
    if (desired < min || desired > max)
      throw new QueryError(
        'ValidationError',
        `Desired capacity:${desired} must be between the specified min size:${min} and max size:${max}`,
      );
  }

  /** The spec with `$Default` filled in, once the template and version are known to exist. */
  private checkTemplate(spec: LaunchTemplateSpec): LaunchTemplateSpec {
    const checked = { ...spec, version: spec.version ?? '$Default' };
    this.resolve(checked);
    return checked;
  }

  private resolve(spec: LaunchTemplateSpec): Instance['launchTemplate'] {
    try {
      const template = this.launchTemplates.find(spec);
      const version = this.launchTemplates.resolve(template, spec.version ?? '$Default');
      return {
        launchTemplateId: template.launchTemplateId,
        launchTemplateName: template.launchTemplateName,
        version: String(version.versionNumber),
      };
    } catch (error) {
      if (error instanceof QueryError)
        throw new QueryError('ValidationError', `You must use a valid fully-formed launch template. ${error.message}`);
      throw error;
    }
  }

  private uuid(): string {
    return randomUUID();
  }
}

// Auto Scaling Query actions (Version=2011-01-01): `.member.N` request lists, answers wrapped in `<ActionResult>`
// with `<member>` lists.
import { QueryError, type QueryParams } from '../wire/query-params.js';
import { children, type XmlValue } from '../wire/xml.js';
import type { AutoScalingGroups, Group, InstanceRefresh, LaunchTemplateSpec } from './groups.js';

export const AUTOSCALING_VERSION = '2011-01-01';
export const AUTOSCALING_NAMESPACE = `http://autoscaling.amazonaws.com/doc/${AUTOSCALING_VERSION}/`;
export const AUTOSCALING_ACTIONS = [
  'CreateAutoScalingGroup',
  'UpdateAutoScalingGroup',
  'DescribeAutoScalingGroups',
  'StartInstanceRefresh',
  'DescribeInstanceRefreshes',
  'TerminateInstanceInAutoScalingGroup',
  'SetDesiredCapacity',
];

const DEFAULT_MAX_RECORDS = 50;

function launchTemplateSpec(params: QueryParams, prefix: string): LaunchTemplateSpec | undefined {
  if (!params.has(prefix)) return undefined;
  return {
    launchTemplateId: params.string(`${prefix}.LaunchTemplateId`),
    launchTemplateName: params.string(`${prefix}.LaunchTemplateName`),
    version: params.string(`${prefix}.Version`),
  };
}

const templateXml = (spec: LaunchTemplateSpec): XmlValue => ({
  LaunchTemplateId: spec.launchTemplateId,
  LaunchTemplateName: spec.launchTemplateName,
  Version: spec.version,
});

function groupSettings(params: QueryParams) {
  const zones = params.list('AvailabilityZones', 'member');
  return {
    launchTemplate: launchTemplateSpec(params, 'LaunchTemplate'),
    minSize: params.integer('MinSize'),
    maxSize: params.integer('MaxSize'),
    desiredCapacity: params.integer('DesiredCapacity'),
    defaultCooldown: params.integer('DefaultCooldown'),
    availabilityZones: zones.length ? zones : undefined,
    healthCheckType: params.string('HealthCheckType'),
    healthCheckGracePeriod: params.integer('HealthCheckGracePeriod'),
  };
}

const groupXml = (group: Group): XmlValue => ({
  AutoScalingGroupName: group.name,
  AutoScalingGroupARN: group.arn,
  LaunchTemplate: templateXml(group.launchTemplate),
  MinSize: group.minSize,
  MaxSize: group.maxSize,
  DesiredCapacity: group.desiredCapacity,
  DefaultCooldown: group.defaultCooldown,
  AvailabilityZones: group.availabilityZones,
  LoadBalancerNames: [],
  TargetGroupARNs: [],
  HealthCheckType: group.healthCheckType,
  HealthCheckGracePeriod: group.healthCheckGracePeriod,
  Instances: group.instances.map((i) => ({
    InstanceId: i.instanceId,
    InstanceType: i.instanceType,
    AvailabilityZone: i.availabilityZone,
    LifecycleState: i.lifecycleState,
    HealthStatus: 'Healthy',
    LaunchTemplate: templateXml(i.launchTemplate),
    ProtectedFromScaleIn: false,
  })),
  CreatedTime: group.createdTime,
  SuspendedProcesses: [],
  EnabledMetrics: [],
  Tags: group.tags.map((t) => ({
    ResourceId: group.name,
    ResourceType: 'auto-scaling-group',
    Key: t.key,
    Value: t.value,
    PropagateAtLaunch: true,
  })),
  TerminationPolicies: ['Default'],
  NewInstancesProtectedFromScaleIn: false,
  ServiceLinkedRoleARN: group.arn.replace(
    /^arn:aws:autoscaling:[^:]+:(\d+):.*$/,
    'arn:aws:iam::$1:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling',
  ),
  CapacityRebalance: false,
});

const refreshXml = (refresh: InstanceRefresh): XmlValue => ({
  InstanceRefreshId: refresh.instanceRefreshId,
  AutoScalingGroupName: refresh.groupName,
  Status: refresh.status,
  StatusReason: refresh.statusReason,
  StartTime: refresh.startTime,
  EndTime: refresh.endTime,
  PercentageComplete: refresh.percentageComplete,
  InstancesToUpdate: refresh.remaining.length,
  ProgressDetails: {
    LivePoolProgress: { PercentageComplete: refresh.percentageComplete, InstancesToUpdate: refresh.remaining.length },
  },
  Preferences: {
    MinHealthyPercentage: refresh.preferences.minHealthyPercentage,
    MaxHealthyPercentage: refresh.preferences.maxHealthyPercentage,
    InstanceWarmup: refresh.preferences.instanceWarmup,
    SkipMatching: refresh.preferences.skipMatching,
    AutoRollback: false,
  },
  DesiredConfiguration: refresh.desiredConfiguration && { LaunchTemplate: templateXml(refresh.desiredConfiguration) },
});

/** Answers a page of `items` from `NextToken` (an index) and `MaxRecords`. */
function page<T>(params: QueryParams, items: readonly T[]): { items: T[]; nextToken?: string } {
  const maxRecords = params.integer('MaxRecords') ?? DEFAULT_MAX_RECORDS;
  if (maxRecords < 1 || maxRecords > 100)
    throw new QueryError('ValidationError', `MaxRecords must be from 1 to 100, not ${maxRecords}.`);
  const token = params.string('NextToken');
  const start = token === undefined ? 0 : Number(token);
  if (!Number.isInteger(start) || start < 0 || start > items.length)
    throw new QueryError('InvalidNextToken', 'The token is invalid: pass the NextToken of the previous answer.');
  const end = start + maxRecords;
  return { items: items.slice(start, end), nextToken: end < items.length ? String(end) : undefined };
}

/** The XML inside `<ActionResult>` for one Auto Scaling action ('' for actions without output). */
export function handleAutoScaling(groups: AutoScalingGroups, action: string, params: QueryParams): string {
  switch (action) {
    case 'CreateAutoScalingGroup': {
      const name = params.requiredString('AutoScalingGroupName');
      const tags = params.indexed('Tags.member.').map((n) => ({
        key: params.requiredString(`Tags.member.${n}.Key`),
        value: params.string(`Tags.member.${n}.Value`) ?? '',
      }));
      groups.create(name, { ...groupSettings(params), tags });
      return '';
    }
    case 'UpdateAutoScalingGroup':
      groups.update(params.requiredString('AutoScalingGroupName'), groupSettings(params));
      return '';
    case 'DescribeAutoScalingGroups': {
      const found = page(params, groups.describe(params.list('AutoScalingGroupNames', 'member')));
      return children({ AutoScalingGroups: found.items.map(groupXml), NextToken: found.nextToken }, 'member');
    }
    case 'SetDesiredCapacity':
      groups.setDesiredCapacity(
        params.requiredString('AutoScalingGroupName'),
        params.requiredInteger('DesiredCapacity'),
      );
      return '';
    case 'TerminateInstanceInAutoScalingGroup': {
      const decrement = params.boolean('ShouldDecrementDesiredCapacity');
      if (decrement === undefined) params.requiredString('ShouldDecrementDesiredCapacity');
      const activity = groups.terminateInstance(params.requiredString('InstanceId'), decrement!);
      return children(
        {
          Activity: {
            ActivityId: activity.activityId,
            AutoScalingGroupName: activity.groupName,
            Description: activity.description,
            Cause: activity.cause,
            StartTime: activity.startTime,
            StatusCode: 'InProgress',
            Progress: 0,
            Details: '{}',
          },
        },
        'member',
      );
    }
    case 'StartInstanceRefresh': {
      const strategy = params.string('Strategy') ?? 'Rolling';
      if (strategy !== 'Rolling')
        throw new QueryError('ValidationError', `Strategy ${strategy} is not supported: the only strategy is Rolling.`);
      const refresh = groups.startRefresh(
        params.requiredString('AutoScalingGroupName'),
        {
          minHealthyPercentage: params.integer('Preferences.MinHealthyPercentage') ?? 90,
          maxHealthyPercentage: params.integer('Preferences.MaxHealthyPercentage'),
          instanceWarmup: params.integer('Preferences.InstanceWarmup'),
          skipMatching: params.boolean('Preferences.SkipMatching') ?? false,
        },
        launchTemplateSpec(params, 'DesiredConfiguration.LaunchTemplate'),
      );
      return children({ InstanceRefreshId: refresh.instanceRefreshId }, 'member');
    }
    case 'DescribeInstanceRefreshes': {
      const found = page(
        params,
        groups.describeRefreshes(
          params.requiredString('AutoScalingGroupName'),
          params.list('InstanceRefreshIds', 'member'),
        ),
      );
      return children({ InstanceRefreshes: found.items.map(refreshXml), NextToken: found.nextToken }, 'member');
    }
    default:
      throw new QueryError('InvalidAction', `Could not find operation ${action} for version ${AUTOSCALING_VERSION}`);
  }
}

// Auto Scaling groups on the AWS Query emulator for the `asg` tests: launch templates and groups made with the official
// SDK clients, the connection an `asg` infrastructure uses, and readings of the emulator's call log.
import {
  AutoScalingClient,
  CreateAutoScalingGroupCommand,
  DescribeAutoScalingGroupsCommand,
  SetDesiredCapacityCommand,
  type AutoScalingGroup,
} from '@aws-sdk/client-auto-scaling';
import { CreateLaunchTemplateCommand, EC2Client } from '@aws-sdk/client-ec2';
import type { LoggedRequest } from '../../src/aws-query-emulator/aws-query-emulator.server.js';

/** Where the emulator is and the key it takes (in process or standalone). */
export interface AwsEndpoint {
  url: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

export interface AsgSdk {
  autoscaling: AutoScalingClient;
  ec2: EC2Client;
  destroy(): void;
}

export function asgSdk(endpoint: AwsEndpoint): AsgSdk {
  const config = { endpoint: endpoint.url, region: endpoint.region, credentials: endpoint.credentials, maxAttempts: 1 };
  const autoscaling = new AutoScalingClient(config);
  const ec2 = new EC2Client(config);
  return {
    autoscaling,
    ec2,
    destroy() {
      autoscaling.destroy();
      ec2.destroy();
    },
  };
}

/** The connection of an `asg` infrastructure on the emulator (the secret key is the emulator's). */
export function asgConnection(endpoint: AwsEndpoint) {
  return {
    region: endpoint.region,
    accessKeyId: endpoint.credentials.accessKeyId,
    secretAccessKey: endpoint.credentials.secretAccessKey,
    endpoint: endpoint.url,
  };
}

let made = 0;

/**
 * A launch template (version 1 runs `amiId`) and a group of `size` instances on version 1, named after `prefix`.
 * The instances still have to launch: settle the emulator afterwards.
 */
export async function makeGroup(
  sdk: AsgSdk,
  prefix: string,
  size: number,
  amiId = 'ami-00000001',
): Promise<{ group: string; template: string; templateId: string }> {
  const n = ++made;
  const template = `${prefix}-lt-${n}-${process.pid}`;
  const group = `${prefix}-${n}-${process.pid}`;
  const created = await sdk.ec2.send(
    new CreateLaunchTemplateCommand({
      LaunchTemplateName: template,
      LaunchTemplateData: { ImageId: amiId, InstanceType: 't3.small' },
    }),
  );
  const templateId = created.LaunchTemplate!.LaunchTemplateId!;
  await sdk.autoscaling.send(
    new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: group,
      LaunchTemplate: { LaunchTemplateId: templateId, Version: '1' },
      MinSize: 0,
      MaxSize: 30,
      DesiredCapacity: size,
      AvailabilityZones: ['us-east-1a', 'us-east-1b'],
    }),
  );
  return { group, template, templateId };
}

export async function readGroup(sdk: AsgSdk, name: string): Promise<AutoScalingGroup> {
  const answer = await sdk.autoscaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }));
  return answer.AutoScalingGroups![0]!;
}

export async function scaleTo(sdk: AsgSdk, name: string, desired: number): Promise<void> {
  await sdk.autoscaling.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: name, DesiredCapacity: desired }));
}

/** The launch template versions the group's live instances run, counted ("1": 8). */
export async function versionsRunning(sdk: AsgSdk, name: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const i of (await readGroup(sdk, name)).Instances ?? []) {
    if (i.LifecycleState?.startsWith('Terminat')) continue;
    const v = i.LaunchTemplate?.Version ?? '?';
    counts[v] = (counts[v] ?? 0) + 1;
  }
  return counts;
}

const WRITES = new Set([
  'CreateLaunchTemplateVersion',
  'UpdateAutoScalingGroup',
  'TerminateInstanceInAutoScalingGroup',
  'StartInstanceRefresh',
  'SetDesiredCapacity',
]);

/** The calls that change something, in order. */
export const writesOf = (log: readonly LoggedRequest[]) => log.filter((r) => WRITES.has(r.action));

/** How many times each action was called. */
export function countActions(log: readonly LoggedRequest[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of log) counts[r.action] = (counts[r.action] ?? 0) + 1;
  return counts;
}

/** The terminations in runs of consecutive calls (a phase sends its terminations one after another): their sizes. */
export function terminationRuns(log: readonly LoggedRequest[]): number[] {
  const runs: number[] = [];
  let current = 0;
  for (const r of log) {
    if (r.action === 'TerminateInstanceInAutoScalingGroup') current++;
    else if (current) {
      runs.push(current);
      current = 0;
    }
  }
  if (current) runs.push(current);
  return runs;
}

/** The instance ids terminated, in order (each should appear once). */
export const terminatedIds = (log: readonly LoggedRequest[]) =>
  log.filter((r) => r.action === 'TerminateInstanceInAutoScalingGroup').map((r) => r.instanceId!);

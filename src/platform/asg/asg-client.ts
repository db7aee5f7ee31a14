// The one file that talks to AWS for the `asg` provider, through @aws-sdk/client-auto-scaling and @aws-sdk/client-ec2.
// Contract: every method is one API call (no retries here: maxAttempts 1, so the provider decides what a failure
// means); reads return null for what does not exist; failures become AsgCallError, `transient` when the outcome is
// unknown (no answer, a timeout, a 5xx or throttling) — a write that failed so may or may not have been applied.
// The SDKs are imported on first use (loadAsgSdk() before new AsgClient): their classes come from `sdk`.
import type { AutoScalingClient, AutoScalingGroup } from '@aws-sdk/client-auto-scaling';
import type { EC2Client, LaunchTemplateVersion } from '@aws-sdk/client-ec2';
import { awsClientOptions, type AwsConnection } from '../aws/aws-connection.js';
import { autoScalingSdk, ec2Sdk } from '../aws/aws-sdk.js';
import { templateRef } from './asg-spec.js';
import type { GroupState } from './phase-plan.js';

/** A launch template version as the provider needs it. */
export interface VersionFacts {
  launchTemplateId: string;
  launchTemplateName: string;
  version: string;
  amiId: string | null;
  description: string | null;
}

export interface RefreshFacts {
  instanceRefreshId: string;
  status: string;
  statusReason: string | null;
  percentageComplete: number;
}

/** An AWS call that failed; `transient`: the outcome is unknown (retry after reading back). */
export class AsgCallError extends Error {
  override readonly name = 'AsgCallError';
  constructor(
    readonly action: string,
    readonly code: string,
    readonly transient: boolean,
    message: string,
  ) {
    super(message);
  }
}

export interface AsgClientOptions {
  /** Milliseconds an API call may take before it is given up (its outcome then unknown); default 20 000. */
  requestTimeoutMs?: number;
}

/** Imports the SDKs an AsgClient is made of (once; the first `asg` stage pays for it). */
export async function loadAsgSdk(): Promise<void> {
  await Promise.all([autoScalingSdk.load(), ec2Sdk.load()]);
}

export class AsgClient {
  private readonly autoscaling: AutoScalingClient;
  private readonly ec2: EC2Client;
  private readonly asSdk = autoScalingSdk.get();
  private readonly ec2Sdk = ec2Sdk.get();

  /** `loadAsgSdk()` must have been awaited. */
  constructor(connection: AwsConnection, options: AsgClientOptions = {}) {
    const config = {
      ...awsClientOptions(connection),
      maxAttempts: 1,
      requestHandler: {
        requestTimeout: options.requestTimeoutMs ?? 20_000,
        throwOnRequestTimeout: true,
        connectionTimeout: 5_000,
      },
    };
    this.autoscaling = new this.asSdk.AutoScalingClient(config);
    this.ec2 = new this.ec2Sdk.EC2Client(config);
  }

  destroy(): void {
    this.autoscaling.destroy();
    this.ec2.destroy();
  }

  async group(name: string, signal: AbortSignal): Promise<GroupState | null> {
    const answer = await this.call('DescribeAutoScalingGroups', () =>
      this.autoscaling.send(new this.asSdk.DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }), {
        abortSignal: signal,
      }),
    );
    const found = answer.AutoScalingGroups?.find((g) => g.AutoScalingGroupName === name);
    return found ? groupState(found) : null;
  }

  /** Versions of a template by number, `$Latest` or `$Default` (in the order asked); unknown ones are left out. */
  async versions(template: string, versions: string[], signal: AbortSignal): Promise<VersionFacts[]> {
    const answer = await this.call('DescribeLaunchTemplateVersions', () =>
      this.ec2.send(
        new this.ec2Sdk.DescribeLaunchTemplateVersionsCommand({ ...templateRef(template), Versions: versions }),
        {
          abortSignal: signal,
        },
      ),
    );
    return (answer.LaunchTemplateVersions ?? []).map(versionFacts);
  }

  /** The versions of a template from `minVersion` on (a resumed deploy looks for the one it may have created). */
  async versionsFrom(template: string, minVersion: number, signal: AbortSignal): Promise<VersionFacts[]> {
    const answer = await this.call('DescribeLaunchTemplateVersions', () =>
      this.ec2.send(
        new this.ec2Sdk.DescribeLaunchTemplateVersionsCommand({
          ...templateRef(template),
          MinVersion: String(minVersion),
        }),
        { abortSignal: signal },
      ),
    );
    return (answer.LaunchTemplateVersions ?? []).map(versionFacts);
  }

  async createVersion(
    template: string,
    request: { sourceVersion: string | null; amiId: string; description: string; clientToken: string },
    signal: AbortSignal,
  ): Promise<VersionFacts> {
    const answer = await this.call('CreateLaunchTemplateVersion', () =>
      this.ec2.send(
        new this.ec2Sdk.CreateLaunchTemplateVersionCommand({
          ...templateRef(template),
          ...(request.sourceVersion ? { SourceVersion: request.sourceVersion } : {}),
          VersionDescription: request.description,
          ClientToken: request.clientToken,
          LaunchTemplateData: { ImageId: request.amiId },
        }),
        { abortSignal: signal },
      ),
    );
    if (!answer.LaunchTemplateVersion)
      throw new AsgCallError('CreateLaunchTemplateVersion', 'EmptyAnswer', true, 'the answer held no version');
    return versionFacts(answer.LaunchTemplateVersion);
  }

  async setGroupTemplate(
    name: string,
    template: { launchTemplateId: string; version: string },
    signal: AbortSignal,
  ): Promise<void> {
    await this.call('UpdateAutoScalingGroup', () =>
      this.autoscaling.send(
        new this.asSdk.UpdateAutoScalingGroupCommand({
          AutoScalingGroupName: name,
          LaunchTemplate: { LaunchTemplateId: template.launchTemplateId, Version: template.version },
        }),
        { abortSignal: signal },
      ),
    );
  }

  /** Terminates one instance; the group launches its replacement (the desired capacity stays). */
  async terminate(instanceId: string, signal: AbortSignal): Promise<void> {
    await this.call('TerminateInstanceInAutoScalingGroup', () =>
      this.autoscaling.send(
        new this.asSdk.TerminateInstanceInAutoScalingGroupCommand({
          InstanceId: instanceId,
          ShouldDecrementDesiredCapacity: false,
        }),
        { abortSignal: signal },
      ),
    );
  }

  /** A rolling refresh of the instances not on the group's launch template (SkipMatching). */
  async startRefresh(name: string, minHealthyPercentage: number, signal: AbortSignal): Promise<string> {
    const answer = await this.call('StartInstanceRefresh', () =>
      this.autoscaling.send(
        new this.asSdk.StartInstanceRefreshCommand({
          AutoScalingGroupName: name,
          Strategy: 'Rolling',
          Preferences: { MinHealthyPercentage: minHealthyPercentage, SkipMatching: true },
        }),
        { abortSignal: signal },
      ),
    );
    if (!answer.InstanceRefreshId)
      throw new AsgCallError('StartInstanceRefresh', 'EmptyAnswer', true, 'the answer held no refresh id');
    return answer.InstanceRefreshId;
  }

  /** The group's instance refreshes, newest first. */
  async refreshes(name: string, signal: AbortSignal): Promise<RefreshFacts[]> {
    const answer = await this.call('DescribeInstanceRefreshes', () =>
      this.autoscaling.send(new this.asSdk.DescribeInstanceRefreshesCommand({ AutoScalingGroupName: name }), {
        abortSignal: signal,
      }),
    );
    return (answer.InstanceRefreshes ?? []).map((r) => ({
      instanceRefreshId: r.InstanceRefreshId ?? '',
      status: r.Status ?? 'Pending',
      statusReason: r.StatusReason ?? null,
      percentageComplete: r.PercentageComplete ?? 0,
    }));
  }

  private async call<T>(action: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      throw asCallError(action, error);
    }
  }
}

function groupState(group: AutoScalingGroup): GroupState {
  const template = group.LaunchTemplate ?? group.MixedInstancesPolicy?.LaunchTemplate?.LaunchTemplateSpecification;
  return {
    name: group.AutoScalingGroupName ?? '',
    launchTemplate: template
      ? {
          launchTemplateId: template.LaunchTemplateId ?? null,
          launchTemplateName: template.LaunchTemplateName ?? null,
          version: template.Version ?? null,
        }
      : null,
    desiredCapacity: group.DesiredCapacity ?? 0,
    instances: (group.Instances ?? []).map((i) => ({
      instanceId: i.InstanceId ?? '',
      lifecycleState: i.LifecycleState ?? 'Pending',
      healthy: (i.HealthStatus ?? 'Healthy') === 'Healthy',
      launchTemplateId: i.LaunchTemplate?.LaunchTemplateId ?? null,
      version: i.LaunchTemplate?.Version ?? null,
    })),
  };
}

function versionFacts(v: LaunchTemplateVersion): VersionFacts {
  return {
    launchTemplateId: v.LaunchTemplateId ?? '',
    launchTemplateName: v.LaunchTemplateName ?? '',
    version: String(v.VersionNumber ?? ''),
    amiId: v.LaunchTemplateData?.ImageId ?? null,
    description: v.VersionDescription ?? null,
  };
}

const THROTTLING = new Set(['Throttling', 'ThrottlingException', 'RequestLimitExceeded', 'ResourceContention']);

/** An SDK failure as an AsgCallError; the message names the code and AWS's sentence, never a credential. */
export function asCallError(action: string, error: unknown): AsgCallError {
  if (error instanceof AsgCallError) return error;
  const e = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number }; Code?: string };
  const status = e.$metadata?.httpStatusCode;
  const code = e.Code ?? e.name ?? 'Error';
  const transient = status === undefined || status >= 500 || THROTTLING.has(code);
  const said = (e.message ?? '').slice(0, 300);
  return new AsgCallError(
    action,
    code,
    transient,
    status === undefined
      ? `${action} got no answer (${said || code})`
      : `${action} answered ${code} (HTTP ${status}): ${said}`,
  );
}

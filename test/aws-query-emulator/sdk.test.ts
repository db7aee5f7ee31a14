// The official AWS SDK v3 clients (Auto Scaling, EC2) against the emulator over HTTP: every emulated action, the error
// shapes the SDK parses into its typed exceptions, SigV4, simulated time and fault injection.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import {
  AlreadyExistsFault,
  AutoScalingClient,
  CreateAutoScalingGroupCommand,
  DescribeAutoScalingGroupsCommand,
  DescribeInstanceRefreshesCommand,
  InstanceRefreshInProgressFault,
  ResourceContentionFault,
  SetDesiredCapacityCommand,
  StartInstanceRefreshCommand,
  TerminateInstanceInAutoScalingGroupCommand,
  UpdateAutoScalingGroupCommand,
  type AutoScalingGroup,
} from '@aws-sdk/client-auto-scaling';
import {
  CreateLaunchTemplateCommand,
  CreateLaunchTemplateVersionCommand,
  DescribeLaunchTemplateVersionsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import {
  startAwsQueryEmulator,
  type AwsQueryEmulatorHandle,
} from '../../src/aws-query-emulator/aws-query-emulator.server.js';

let emulator: AwsQueryEmulatorHandle;
let autoscaling: AutoScalingClient;
let ec2: EC2Client;
let groupCount = 0;

const clientConfig = (credentials = emulator.credentials) => ({
  endpoint: emulator.url,
  region: emulator.region,
  credentials,
  maxAttempts: 1,
});

/** The error a call failed with (it must fail). */
async function failure(call: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  try {
    await call;
  } catch (error) {
    return error as Error;
  }
  throw new Error('the call succeeded');
}

async function newTemplate(imageId = 'ami-00000001'): Promise<string> {
  const created = await ec2.send(
    new CreateLaunchTemplateCommand({
      LaunchTemplateName: `web-${++groupCount}`,
      LaunchTemplateData: { ImageId: imageId, InstanceType: 't3.small', SecurityGroupIds: ['sg-1', 'sg-2'] },
    }),
  );
  return created.LaunchTemplate!.LaunchTemplateId!;
}

async function newGroup(size: number, templateId: string, version = '1'): Promise<string> {
  const name = `asg-${++groupCount}`;
  await autoscaling.send(
    new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: name,
      LaunchTemplate: { LaunchTemplateId: templateId, Version: version },
      MinSize: 0,
      MaxSize: 20,
      DesiredCapacity: size,
      AvailabilityZones: ['us-east-1a', 'us-east-1b'],
    }),
  );
  return name;
}

async function group(name: string): Promise<AutoScalingGroup> {
  const answer = await autoscaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }));
  expect(answer.AutoScalingGroups).toHaveLength(1);
  return answer.AutoScalingGroups![0]!;
}

beforeAll(async () => {
  emulator = await startAwsQueryEmulator({
    instanceReadySeconds: 30,
    instanceTerminateSeconds: 10,
    syncIntervalMs: 60_000,
  });
  autoscaling = new AutoScalingClient(clientConfig());
  ec2 = new EC2Client(clientConfig());
});

afterAll(async () => {
  autoscaling.destroy();
  ec2.destroy();
  await emulator.close();
});

afterEach(() => emulator.admin.clearFaults());

describe('EC2 launch templates', () => {
  it('creates a template and numbered versions that inherit from their source version', async () => {
    const created = await ec2.send(
      new CreateLaunchTemplateCommand({
        LaunchTemplateName: 'api-template',
        VersionDescription: 'first',
        LaunchTemplateData: { ImageId: 'ami-1', InstanceType: 'm5.large' },
      }),
    );
    expect(created.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.LaunchTemplate).toMatchObject({
      LaunchTemplateName: 'api-template',
      DefaultVersionNumber: 1,
      LatestVersionNumber: 1,
    });
    expect(created.LaunchTemplate!.CreateTime).toBeInstanceOf(Date);
    const id = created.LaunchTemplate!.LaunchTemplateId!;

    const v2 = await ec2.send(
      new CreateLaunchTemplateVersionCommand({
        LaunchTemplateId: id,
        SourceVersion: '1',
        VersionDescription: 'new AMI',
        LaunchTemplateData: { ImageId: 'ami-2' },
      }),
    );
    expect(v2.LaunchTemplateVersion).toMatchObject({
      LaunchTemplateId: id,
      VersionNumber: 2,
      DefaultVersion: false,
      LaunchTemplateData: { ImageId: 'ami-2', InstanceType: 'm5.large' },
    });
    const v3 = await ec2.send(
      new CreateLaunchTemplateVersionCommand({
        LaunchTemplateName: 'api-template',
        LaunchTemplateData: { ImageId: 'ami-3', SecurityGroupIds: ['sg-9'] },
      }),
    );
    expect(v3.LaunchTemplateVersion?.VersionNumber).toBe(3);
    expect(v3.LaunchTemplateVersion?.LaunchTemplateData).toEqual({ ImageId: 'ami-3', SecurityGroupIds: ['sg-9'] });

    const some = await ec2.send(
      new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: id, Versions: ['$Latest', '$Default', '2'] }),
    );
    expect(
      some.LaunchTemplateVersions?.map((v) => [v.VersionNumber, v.DefaultVersion, v.LaunchTemplateData?.ImageId]),
    ).toEqual([
      [3, false, 'ami-3'],
      [1, true, 'ami-1'],
      [2, false, 'ami-2'],
    ]);
    const all = await ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateName: 'api-template' }));
    expect(all.LaunchTemplateVersions?.map((v) => v.VersionNumber)).toEqual([1, 2, 3]);
    const ranged = await ec2.send(
      new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: id, MinVersion: '2', MaxVersion: '2' }),
    );
    expect(ranged.LaunchTemplateVersions?.map((v) => v.VersionNumber)).toEqual([2]);
  });

  it('treats a repeated client token as the same request', async () => {
    const id = await newTemplate();
    const request = { LaunchTemplateId: id, ClientToken: 'same-token', LaunchTemplateData: { ImageId: 'ami-x' } };
    const first = await ec2.send(new CreateLaunchTemplateVersionCommand(request));
    const again = await ec2.send(new CreateLaunchTemplateVersionCommand(request));
    expect(again.LaunchTemplateVersion?.VersionNumber).toBe(first.LaunchTemplateVersion?.VersionNumber);
    const all = await ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: id }));
    expect(all.LaunchTemplateVersions).toHaveLength(2);
  });

  it('answers EC2-shaped errors the SDK names by their code', async () => {
    const missing = await failure(
      ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: 'lt-0000000000000dead' })),
    );
    expect(missing.name).toBe('InvalidLaunchTemplateId.NotFound');
    expect(missing.message).toContain('lt-0000000000000dead');
    expect(missing.$metadata?.httpStatusCode).toBe(400);
    const id = await newTemplate();
    const version = await failure(
      ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: id, Versions: ['7'] })),
    );
    expect(version.name).toBe('InvalidLaunchTemplateId.VersionNotFound');
    const [existing] = (await ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: id })))
      .LaunchTemplateVersions!;
    const duplicate = await failure(
      ec2.send(
        new CreateLaunchTemplateCommand({
          LaunchTemplateName: existing!.LaunchTemplateName,
          LaunchTemplateData: { ImageId: 'ami-1' },
        }),
      ),
    );
    expect(duplicate.name).toBe('InvalidLaunchTemplateName.AlreadyExistsException');
  });
});

describe('Auto Scaling groups', () => {
  it('launches instances Pending, then InService over simulated time, recording their template version', async () => {
    const templateId = await newTemplate();
    const name = await newGroup(3, templateId);
    const launching = await group(name);
    expect(launching).toMatchObject({ MinSize: 0, MaxSize: 20, DesiredCapacity: 3, HealthCheckType: 'EC2' });
    expect(launching.LaunchTemplate).toMatchObject({ LaunchTemplateId: templateId, Version: '1' });
    expect(launching.CreatedTime).toBeInstanceOf(Date);
    expect(launching.AvailabilityZones).toEqual(['us-east-1a', 'us-east-1b']);
    expect(launching.Instances?.map((i) => i.LifecycleState)).toEqual(['Pending', 'Pending', 'Pending']);
    expect(new Set(launching.Instances?.map((i) => i.AvailabilityZone))).toEqual(new Set(['us-east-1a', 'us-east-1b']));

    emulator.admin.tick(29);
    expect((await group(name)).Instances?.every((i) => i.LifecycleState === 'Pending')).toBe(true);
    emulator.admin.tick(1);
    const running = await group(name);
    expect(running.Instances?.map((i) => i.LifecycleState)).toEqual(['InService', 'InService', 'InService']);
    expect(running.Instances?.[0]).toMatchObject({
      InstanceType: 't3.small',
      HealthStatus: 'Healthy',
      LaunchTemplate: { LaunchTemplateId: templateId, Version: '1' },
    });
  });

  it('scales with SetDesiredCapacity and refuses capacities outside the group limits', async () => {
    const name = await newGroup(1, await newTemplate());
    emulator.admin.settle();
    await autoscaling.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: name, DesiredCapacity: 3 }));
    expect((await group(name)).Instances?.map((i) => i.LifecycleState).sort()).toEqual([
      'InService',
      'Pending',
      'Pending',
    ]);
    emulator.admin.settle();
    await autoscaling.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: name, DesiredCapacity: 1 }));
    const shrinking = await group(name);
    expect(shrinking.Instances?.filter((i) => i.LifecycleState === 'Terminating')).toHaveLength(2);
    emulator.admin.settle();
    expect((await group(name)).Instances).toHaveLength(1);

    const above = await failure(
      autoscaling.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: name, DesiredCapacity: 21 })),
    );
    expect(above.name).toBe('ValidationError');
    expect(above.message).toBe('New SetDesiredCapacity value 21 is above max value 20 for the AutoScalingGroup.');
  });

  it('updates only the fields given; running instances keep the version they were launched from', async () => {
    const templateId = await newTemplate();
    const name = await newGroup(2, templateId);
    emulator.admin.settle();
    await ec2.send(
      new CreateLaunchTemplateVersionCommand({
        LaunchTemplateId: templateId,
        LaunchTemplateData: { ImageId: 'ami-2' },
      }),
    );
    await autoscaling.send(
      new UpdateAutoScalingGroupCommand({
        AutoScalingGroupName: name,
        LaunchTemplate: { LaunchTemplateId: templateId, Version: '$Latest' },
        MaxSize: 5,
      }),
    );
    const updated = await group(name);
    expect(updated).toMatchObject({ MinSize: 0, MaxSize: 5, DesiredCapacity: 2 });
    expect(updated.LaunchTemplate?.Version).toBe('$Latest');
    expect(updated.Instances?.map((i) => i.LaunchTemplate?.Version)).toEqual(['1', '1']);
    await autoscaling.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: name, DesiredCapacity: 3 }));
    expect((await group(name)).Instances?.map((i) => i.LaunchTemplate?.Version)).toEqual(['1', '1', '2']);

    const unknown = await failure(
      autoscaling.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: 'nope', MinSize: 1 })),
    );
    expect(unknown.name).toBe('ValidationError');
    expect(unknown.message).toContain('nope');
  });

  it('terminates one instance, with or without a replacement', async () => {
    const name = await newGroup(2, await newTemplate());
    emulator.admin.settle();
    const [first, second] = (await group(name)).Instances!;
    const kept = await autoscaling.send(
      new TerminateInstanceInAutoScalingGroupCommand({
        InstanceId: first!.InstanceId,
        ShouldDecrementDesiredCapacity: false,
      }),
    );
    expect(kept.Activity).toMatchObject({ AutoScalingGroupName: name, StatusCode: 'InProgress' });
    expect(kept.Activity?.Description).toContain(first!.InstanceId);
    const replacing = await group(name);
    expect(replacing.DesiredCapacity).toBe(2);
    expect(replacing.Instances?.map((i) => i.LifecycleState)).toEqual(['Terminating', 'InService', 'Pending']);

    await autoscaling.send(
      new TerminateInstanceInAutoScalingGroupCommand({
        InstanceId: second!.InstanceId,
        ShouldDecrementDesiredCapacity: true,
      }),
    );
    emulator.admin.settle();
    const after = await group(name);
    expect(after.DesiredCapacity).toBe(1);
    expect(after.Instances?.map((i) => i.InstanceId)).not.toContain(second!.InstanceId);
    expect(after.Instances).toHaveLength(1);

    const missing = await failure(
      autoscaling.send(
        new TerminateInstanceInAutoScalingGroupCommand({
          InstanceId: 'i-0000000000000dead',
          ShouldDecrementDesiredCapacity: false,
        }),
      ),
    );
    expect(missing.name).toBe('ValidationError');
    expect(missing.message).toContain('i-0000000000000dead');
  });

  it('answers AlreadyExists as the typed AlreadyExistsFault', async () => {
    const templateId = await newTemplate();
    const name = await newGroup(0, templateId);
    const error = await failure(
      autoscaling.send(
        new CreateAutoScalingGroupCommand({
          AutoScalingGroupName: name,
          LaunchTemplate: { LaunchTemplateId: templateId },
          MinSize: 0,
          MaxSize: 1,
        }),
      ),
    );
    expect(error).toBeInstanceOf(AlreadyExistsFault);
    expect(error.$metadata?.httpStatusCode).toBe(400);
  });

  it('lists all groups a page at a time', async () => {
    const first = await autoscaling.send(new DescribeAutoScalingGroupsCommand({ MaxRecords: 2 }));
    expect(first.AutoScalingGroups).toHaveLength(2);
    expect(first.NextToken).toBeDefined();
    const rest = await autoscaling.send(
      new DescribeAutoScalingGroupsCommand({ MaxRecords: 100, NextToken: first.NextToken }),
    );
    const names = [...first.AutoScalingGroups!, ...rest.AutoScalingGroups!].map((g) => g.AutoScalingGroupName);
    expect(new Set(names).size).toBe(names.length);
    expect(names.length).toBeGreaterThan(2);
    expect(rest.NextToken).toBeUndefined();
  });
});

describe('instance refresh', () => {
  it('replaces instances in batches that keep MinHealthyPercentage in service, then adopts the new version', async () => {
    const templateId = await newTemplate('ami-old');
    const name = await newGroup(4, templateId);
    emulator.admin.settle();
    await ec2.send(
      new CreateLaunchTemplateVersionCommand({
        LaunchTemplateId: templateId,
        SourceVersion: '1',
        LaunchTemplateData: { ImageId: 'ami-new' },
      }),
    );
    const started = await autoscaling.send(
      new StartInstanceRefreshCommand({
        AutoScalingGroupName: name,
        DesiredConfiguration: { LaunchTemplate: { LaunchTemplateId: templateId, Version: '2' } },
        Preferences: { MinHealthyPercentage: 50 },
      }),
    );
    expect(started.InstanceRefreshId).toMatch(/^[0-9a-f-]{36}$/);

    const second = await failure(autoscaling.send(new StartInstanceRefreshCommand({ AutoScalingGroupName: name })));
    expect(second).toBeInstanceOf(InstanceRefreshInProgressFault);

    // 50% of 4: two in service at all times, so two are replaced at a time.
    const firstBatch = await group(name);
    expect(firstBatch.Instances?.filter((i) => i.LifecycleState === 'Terminating')).toHaveLength(2);
    expect(firstBatch.Instances?.filter((i) => i.LifecycleState === 'InService')).toHaveLength(2);
    const pending = firstBatch.Instances!.filter((i) => i.LifecycleState === 'Pending');
    expect(pending.map((i) => i.LaunchTemplate?.Version)).toEqual(['2', '2']);

    const [inProgress] = (await autoscaling.send(new DescribeInstanceRefreshesCommand({ AutoScalingGroupName: name })))
      .InstanceRefreshes!;
    expect(inProgress).toMatchObject({
      InstanceRefreshId: started.InstanceRefreshId,
      Status: 'InProgress',
      InstancesToUpdate: 2,
    });
    expect(inProgress!.Preferences?.MinHealthyPercentage).toBe(50);
    expect(inProgress!.DesiredConfiguration?.LaunchTemplate?.Version).toBe('2');
    expect(inProgress!.StartTime).toBeInstanceOf(Date);

    emulator.admin.tick(30);
    const secondBatch = await group(name);
    expect(
      secondBatch.Instances?.filter((i) => i.LifecycleState === 'InService').map((i) => i.LaunchTemplate?.Version),
    ).toEqual(['2', '2']);
    expect(secondBatch.Instances?.filter((i) => i.LifecycleState === 'Terminating')).toHaveLength(2);

    emulator.admin.settle();
    const done = await group(name);
    expect(done.Instances?.map((i) => [i.LifecycleState, i.LaunchTemplate?.Version])).toEqual([
      ['InService', '2'],
      ['InService', '2'],
      ['InService', '2'],
      ['InService', '2'],
    ]);
    expect(done.LaunchTemplate?.Version).toBe('2');
    const [finished] = (
      await autoscaling.send(
        new DescribeInstanceRefreshesCommand({
          AutoScalingGroupName: name,
          InstanceRefreshIds: [started.InstanceRefreshId!],
        }),
      )
    ).InstanceRefreshes!;
    expect(finished).toMatchObject({ Status: 'Successful', PercentageComplete: 100, InstancesToUpdate: 0 });
    expect(finished!.EndTime).toBeInstanceOf(Date);
  });

  it('replaces one instance at a time at 100% minimum healthy', async () => {
    const templateId = await newTemplate();
    const name = await newGroup(3, templateId);
    emulator.admin.settle();
    await autoscaling.send(
      new StartInstanceRefreshCommand({ AutoScalingGroupName: name, Preferences: { MinHealthyPercentage: 100 } }),
    );
    for (let batch = 0; batch < 3; batch++) {
      const now = await group(name);
      expect(now.Instances?.filter((i) => i.LifecycleState === 'Terminating')).toHaveLength(1);
      emulator.admin.tick(30);
    }
    emulator.admin.settle();
    const [refresh, ...older] = (
      await autoscaling.send(new DescribeInstanceRefreshesCommand({ AutoScalingGroupName: name }))
    ).InstanceRefreshes!;
    expect(older).toEqual([]);
    expect(refresh?.Status).toBe('Successful');
  });
});

describe('SigV4', () => {
  it('refuses another access key, a wrong secret and an unsigned request', async () => {
    const stranger = new AutoScalingClient(clientConfig({ accessKeyId: 'AKIASTRANGER', secretAccessKey: 'x' }));
    const unknown = await failure(stranger.send(new DescribeAutoScalingGroupsCommand({})));
    expect(unknown.name).toBe('InvalidClientTokenId');
    expect(unknown.$metadata?.httpStatusCode).toBe(403);
    stranger.destroy();

    const wrongSecret = new EC2Client(clientConfig({ ...emulator.credentials, secretAccessKey: 'not-the-secret' }));
    const mismatch = await failure(
      wrongSecret.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateName: 'api-template' })),
    );
    expect(mismatch.name).toBe('SignatureDoesNotMatch');
    wrongSecret.destroy();

    const unsigned = await fetch(emulator.url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'Action=DescribeAutoScalingGroups&Version=2011-01-01',
    });
    expect(unsigned.status).toBe(403);
    const xml = await unsigned.text();
    expect(xml).toContain('<Code>MissingAuthenticationToken</Code>');
    expect(xml).toContain('<ErrorResponse xmlns="http://autoscaling.amazonaws.com/doc/2011-01-01/">');
  });
});

describe('fault injection', () => {
  it('fails the next call of an action with a typed AWS error, then serves it again', async () => {
    const name = await newGroup(0, await newTemplate());
    emulator.admin.failRequests({
      action: 'SetDesiredCapacity',
      code: 'ResourceContention',
      status: 500,
      message: 'busy',
    });
    const error = await failure(
      autoscaling.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: name, DesiredCapacity: 1 })),
    );
    expect(error).toBeInstanceOf(ResourceContentionFault);
    expect(error.message).toBe('busy');
    expect(error.$metadata?.httpStatusCode).toBe(500);
    await autoscaling.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: name, DesiredCapacity: 1 }));
    expect((await group(name)).DesiredCapacity).toBe(1);
  });

  it('drops the connection mid-request without applying the call', async () => {
    const name = await newGroup(0, await newTemplate());
    emulator.admin.dropConnections({ action: 'SetDesiredCapacity' });
    const error = await failure(
      autoscaling.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: name, DesiredCapacity: 2 })),
    );
    expect(error.$metadata?.httpStatusCode).toBeUndefined();
    expect((await group(name)).DesiredCapacity).toBe(0);
    expect(emulator.admin.faults().drops).toEqual([]);
  });

  it('answers late when latency is added: a client with a shorter request timeout gives up', async () => {
    const impatient = new AutoScalingClient({
      ...clientConfig(),
      requestHandler: { requestTimeout: 300, throwOnRequestTimeout: true },
    });
    emulator.admin.addLatency({ action: 'DescribeAutoScalingGroups', ms: 3000 });
    const error = await failure(impatient.send(new DescribeAutoScalingGroupsCommand({})));
    expect(error.name).toBe('TimeoutError');
    emulator.admin.clearFaults();
    expect((await impatient.send(new DescribeAutoScalingGroupsCommand({}))).AutoScalingGroups).toBeDefined();
    impatient.destroy();
  });

  it('logs which instance a termination names and which version an update sets', async () => {
    const templateId = await newTemplate();
    const name = await newGroup(1, templateId);
    const instanceId = (await group(name)).Instances![0]!.InstanceId!;
    emulator.admin.resetRequests();
    await autoscaling.send(
      new UpdateAutoScalingGroupCommand({
        AutoScalingGroupName: name,
        LaunchTemplate: { LaunchTemplateId: templateId, Version: '1' },
      }),
    );
    await autoscaling.send(
      new TerminateInstanceInAutoScalingGroupCommand({ InstanceId: instanceId, ShouldDecrementDesiredCapacity: false }),
    );
    expect(emulator.admin.requests()).toEqual([
      { service: 'autoscaling', action: 'UpdateAutoScalingGroup', launchTemplateVersion: '1' },
      { service: 'autoscaling', action: 'TerminateInstanceInAutoScalingGroup', instanceId },
    ]);
  });

  it('logs the calls it served, and the admin HTTP routes need the admin key', async () => {
    const templateId = await newTemplate();
    emulator.admin.resetRequests();
    await ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: templateId }));
    await autoscaling.send(new DescribeAutoScalingGroupsCommand({}));
    expect(emulator.admin.requests()).toEqual([
      { service: 'ec2', action: 'DescribeLaunchTemplateVersions' },
      { service: 'autoscaling', action: 'DescribeAutoScalingGroups' },
    ]);

    const refused = await fetch(`${emulator.url}/_emulator/faults/latency`, { method: 'POST', body: '{"ms":1}' });
    expect(refused.status).toBe(401);
    const armed = await fetch(`${emulator.url}/_emulator/faults/api-error`, {
      method: 'POST',
      headers: { 'x-emulator-admin': emulator.adminKey },
      body: JSON.stringify({ action: 'DescribeAutoScalingGroups', code: 'Throttling', status: 400, times: 1 }),
    });
    expect(armed.status).toBe(204);
    const throttled = await failure(autoscaling.send(new DescribeAutoScalingGroupsCommand({})));
    expect(throttled.name).toBe('Throttling');
    const bad = await fetch(`${emulator.url}/_emulator/faults/api-error`, {
      method: 'POST',
      headers: { 'x-emulator-admin': emulator.adminKey },
      body: JSON.stringify({ code: 'Throttling', status: 200 }),
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/status/);
  });
});

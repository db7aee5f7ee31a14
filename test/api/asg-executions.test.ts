// An `asg` infrastructure and pipeline through the HTTP API (supertest), on the AWS Query emulator with fast instance
// launches: v1 then v2 of an AMI, Instances, the rollback of v2, bad input named by field, the secret never shown.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  startAwsQueryEmulator,
  type AwsQueryEmulatorHandle,
} from '../../src/aws-query-emulator/aws-query-emulator.server.js';
import { startHarness, type Harness } from '../helpers/backtrack.harness.js';
import { asgConnection, asgSdk, makeGroup, readGroup, versionsRunning, type AsgSdk } from '../helpers/asg-groups.js';
import { createPipeline, createService, rollBack, runPipeline } from '../helpers/executions.js';
import { closeStarted } from '../helpers/lifecycle.js';

describe('asg executions through the API', () => {
  let h: Harness;
  let aws: AwsQueryEmulatorHandle;
  let sdk: AsgSdk;
  let fixture: { group: string; template: string };
  const bodies: string[] = [];
  /** Every answer is kept, to check that the secret key never appears in one. */
  const api: Harness['api'] = async (method, route, options) => {
    const res = await h.api(method, route, options);
    bodies.push(JSON.stringify(res.body ?? null));
    return res;
  };

  beforeAll(async () => {
    aws = await startAwsQueryEmulator({ instanceReadySeconds: 1, instanceTerminateSeconds: 1, syncIntervalMs: 50 });
    sdk = asgSdk(aws);
    fixture = await makeGroup(sdk, 'api', 4);
    aws.admin.settle();
    h = await startHarness();
    await createService(h, 'web-ami');
  });
  afterAll(async () => {
    sdk.destroy();
    await closeStarted(h);
    await aws.close();
  });

  it('refuses a bad connection with a 400 naming the field, without repeating the secret', async () => {
    const res = await api('POST', '/api/infrastructures', {
      body: {
        name: 'Bad AWS',
        environment: 'dev',
        kind: 'asg',
        connection: { ...asgConnection(aws), region: 'Mars-1' },
      },
    });
    expect(res.status).toBe(400);
    expect(res.body.message).toContain('connection: region');
    const missing = await api('POST', '/api/infrastructures', {
      body: {
        name: 'Bad AWS',
        environment: 'dev',
        kind: 'asg',
        connection: { region: 'us-east-1', accessKeyId: aws.credentials.accessKeyId },
      },
    });
    expect(missing.status).toBe(400);
    expect(missing.body.message).toContain('secretAccessKey: is required');
  });

  it('deploys v1 and v2 of an AMI phase by phase, shows v2 in Instances, and rolls v2 back to v1', async () => {
    const created = await api('POST', '/api/infrastructures', {
      body: { name: 'AWS Emulator', environment: 'dev', kind: 'asg', connection: asgConnection(aws) },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      kind: 'asg',
      connection: { type: 'aws', region: aws.region, accessKeyId: aws.credentials.accessKeyId, endpoint: aws.url },
    });

    const stage = (spec: Record<string, unknown>) => ({
      name: 'fleet',
      service: 'web-ami',
      infrastructure: 'AWS Emulator',
      spec,
    });
    const badSpec = await api('POST', '/api/pipelines', {
      body: {
        name: 'bad-asg',
        definition: { stages: [stage({ launchTemplate: fixture.template, amiId: '<+artifact.image>' })] },
      },
    });
    expect(badSpec.status).toBe(400);
    expect(badSpec.body.message).toContain('autoScalingGroupName: is required');
    const badPhases = await api('POST', '/api/pipelines', {
      body: {
        name: 'bad-asg',
        definition: {
          stages: [
            stage({
              autoScalingGroupName: fixture.group,
              launchTemplate: fixture.template,
              amiId: '<+artifact.image>',
              strategy: 'canary',
              phases: [50, 90],
            }),
          ],
        },
      },
    });
    expect(badPhases.status).toBe(400);
    expect(badPhases.body.message).toContain('phases: must end with 100');

    const pipelineId = await createPipeline(h, 'ami-rollout', {
      stages: [
        stage({
          autoScalingGroupName: fixture.group,
          launchTemplate: fixture.template,
          amiId: '<+artifact.image>',
          strategy: 'canary',
          phases: [50, 100],
        }),
      ],
    });
    const v1 = await runPipeline(h, pipelineId, { artifacts: { 'web-ami': 'ami-0000000a' } });
    expect(v1.status).toBe('Completed');
    expect(v1.stages[0]).toMatchObject({ kind: 'asg', artifact: 'ami-0000000a', firstDeployment: false });
    expect(v1.stages[0].outputs).toMatchObject({ image: 'ami-0000000a', revision: '2', phases: [2, 2] });
    const v2 = await runPipeline(h, pipelineId, { artifacts: { 'web-ami': 'ami-0000000b' } });
    expect(v2.status).toBe('Completed');
    expect(v2.stages[0].outputs).toMatchObject({ image: 'ami-0000000b', revision: '3' });
    expect(await versionsRunning(sdk, fixture.group)).toEqual({ '3': 4 });

    const serviceId = v2.stages[0].service.id as string;
    const instances = await api('GET', `/api/services/${serviceId}/instances`);
    expect(instances.status).toBe(200);
    expect(instances.body.instances).toEqual([
      expect.objectContaining({
        infrastructure: expect.objectContaining({ name: 'AWS Emulator', kind: 'asg' }),
        artifact: 'ami-0000000b',
        current: expect.objectContaining({ executionId: v2.id }),
        previous: expect.objectContaining({ executionId: v1.id, artifact: 'ami-0000000a' }),
      }),
    ]);

    const offer = await api('GET', `/api/executions/${v2.id}/rollback`);
    expect(offer.body).toMatchObject({ available: true });
    const rollback = await rollBack(h, v2.id);
    expect(rollback).toMatchObject({ kind: 'Rollback', status: 'Completed' });
    expect(rollback.stages[0].outputs).toMatchObject({ image: 'ami-0000000a', revision: '2', phases: [2, 2] });
    const after = await api('GET', `/api/services/${serviceId}/instances`);
    expect(after.body.instances[0]).toMatchObject({ artifact: 'ami-0000000a', current: { executionId: v1.id } });
    expect(await versionsRunning(sdk, fixture.group)).toEqual({ '2': 4 });
    expect((await readGroup(sdk, fixture.group)).LaunchTemplate).toMatchObject({ Version: '2' });

    const logs = await api('GET', `/api/executions/${rollback.id}/logs`);
    expect(logs.status).toBe(200);
    expect(JSON.stringify(logs.body)).toContain('the phases, last deployed first, replace 2, 2');
    for (const id of [v1.id, v2.id, rollback.id]) await api('GET', `/api/executions/${id}`);
    await api('GET', '/api/infrastructures');
    await api('GET', `/api/infrastructures/${created.body.id}`);
  }, 120_000);

  it('never shows the connection’s secret key in any answer', () => {
    expect(bodies.length).toBeGreaterThan(5);
    for (const body of bodies) expect(body).not.toContain(aws.credentials.secretAccessKey);
  });
});

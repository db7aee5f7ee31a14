// The official Salesforce CLI against the emulator: sf project deploy start|validate|quick|report|resume|cancel,
// and a failed deploy that reports line and column.
import { describe, it, beforeAll, afterAll, expect } from '@jest/globals';
import { closeStarted } from '../helpers/lifecycle.js';
import {
  apexClassFiles,
  apexClassMeta,
  expectSuccess,
  startLoggedInSandbox,
  storedComponents,
  type CliSandbox,
} from './sf-cli.helper.js';

interface DeployJson {
  id: string;
  status: string;
  success: boolean;
  checkOnly?: boolean;
  files?: {
    fullName: string;
    type: string;
    state: string;
    lineNumber?: number;
    columnNumber?: number;
    error?: string;
  }[];
  details?: { componentFailures?: unknown };
}

describe('the official CLI: project deploy commands', () => {
  let sandbox: CliSandbox;
  let validationId: string;

  beforeAll(async () => {
    sandbox = await startLoggedInSandbox();
    await sandbox.writeSource(apexClassFiles('Greeter'));
  });
  afterAll(() => closeStarted(sandbox));

  const stored = () => storedComponents(sandbox);

  it('deploys source with sf project deploy start', async () => {
    const deployed = await sandbox.sfOrg<DeployJson>('project', 'deploy', 'start', '-d', 'force-app');
    expectSuccess(deployed);
    expect(deployed.json.result).toMatchObject({ status: 'Succeeded', success: true });
    expect(stored()).toContain('ApexClass:Greeter');
  });

  it('validates with sf project deploy validate without changing the org', async () => {
    await sandbox.writeSource(apexClassFiles('Validated'));
    const { exitCode, json } = await sandbox.sfOrg<DeployJson>('project', 'deploy', 'validate', '-d', 'force-app');
    expect(exitCode).toBe(0);
    expect(json.result).toMatchObject({ status: 'Succeeded', checkOnly: true });
    validationId = json.result?.id as string;
    expect(stored()).not.toContain('ApexClass:Validated');
  });

  it('quick-deploys the validation with sf project deploy quick, once', async () => {
    const quick = await sandbox.sfOrg<DeployJson>('project', 'deploy', 'quick', '--job-id', validationId);
    expectSuccess(quick);
    expect(quick.json.result).toMatchObject({ status: 'Succeeded', success: true });
    expect(quick.json.result?.id).not.toBe(validationId);
    expect(stored()).toContain('ApexClass:Validated');
    const again = await sandbox.sfOrg('project', 'deploy', 'quick', '--job-id', validationId);
    expect(again.exitCode).not.toBe(0);
    expect(JSON.stringify(again.json)).toContain('INVALID_ID_FIELD');
  });

  it('reports a finished deploy with sf project deploy report', async () => {
    const { exitCode, json } = await sandbox.sfOrg<DeployJson>('project', 'deploy', 'report', '--job-id', validationId);
    expect(exitCode).toBe(0);
    expect(json.result).toMatchObject({ id: validationId, status: 'Succeeded', checkOnly: true });
  });

  it('deploys through the REST Metadata API when org-metadata-rest-deploy is on', async () => {
    await sandbox.writeSource(apexClassFiles('ViaRest'));
    const restDeploy = { SF_ORG_METADATA_REST_DEPLOY: 'true' };
    const deployed = await sandbox.sfWithEnv<DeployJson>(
      restDeploy,
      'project',
      'deploy',
      'start',
      '-m',
      'ApexClass:ViaRest',
      '-o',
      sandbox.alias,
    );
    expectSuccess(deployed);
    expect(deployed.json.result).toMatchObject({ status: 'Succeeded', success: true });
    expect(stored()).toContain('ApexClass:ViaRest');
  });

  it('resumes an async deploy with sf project deploy resume until it is done', async () => {
    const started = await sandbox.sfOrg<DeployJson>('project', 'deploy', 'start', '-d', 'force-app', '--async');
    expect(started.exitCode).toBe(0);
    const resumed = await sandbox.sf<DeployJson>(
      'project',
      'deploy',
      'resume',
      '--job-id',
      started.json.result?.id as string,
    );
    expect(resumed.exitCode).toBe(0);
    expect(resumed.json.result).toMatchObject({ id: started.json.result?.id, status: 'Succeeded' });
  });

  it('cancels a running deploy with sf project deploy cancel, and refuses to cancel a finished one', async () => {
    const orgId = sandbox.emulator.defaultOrg.id;
    sandbox.emulator.admin.pauseDeploys(orgId);
    await sandbox.writeSource(apexClassFiles('NeverDeployed'));
    try {
      const started = await sandbox.sfOrg<DeployJson>('project', 'deploy', 'start', '-d', 'force-app', '--async');
      const id = started.json.result?.id as string;
      const canceled = await sandbox.sfOrg<DeployJson>('project', 'deploy', 'cancel', '--job-id', id);
      expect(canceled.json.message).toBeUndefined();
      expect(canceled.json.result).toMatchObject({ id, status: 'Canceled' });
    } finally {
      sandbox.emulator.admin.releaseDeploys(orgId);
    }
    expect(stored()).not.toContain('ApexClass:NeverDeployed');
    const finished = await sandbox.sfOrg('project', 'deploy', 'cancel', '--job-id', validationId);
    expect(finished.exitCode).not.toBe(0);
    expect(JSON.stringify(finished.json)).toContain('Deployment already completed');
  });

  it('fails a deploy of broken Apex and reports the line and column', async () => {
    await sandbox.writeSource({
      'classes/Broken.cls': 'public class Broken {\n    public void run() {\n}\n',
      'classes/Broken.cls-meta.xml': apexClassMeta,
    });
    const { exitCode, json } = await sandbox.sfOrg<DeployJson>('project', 'deploy', 'start', '-m', 'ApexClass:Broken');
    expect(exitCode).not.toBe(0);
    const text = JSON.stringify(json);
    expect(text).toContain('"lineNumber":4');
    expect(text).toContain('"columnNumber":1');
    expect(text).toContain('Broken');
  });
});

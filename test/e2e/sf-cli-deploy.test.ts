// The official Salesforce CLI against the emulator: sf project deploy start|validate|quick|report|resume|cancel,
// and a failed deploy that reports line and column.
import { describe, it, beforeAll, afterAll, expect } from '@jest/globals';
import { apexClassMeta, apexClassSource, login, startCliSandbox, type CliSandbox } from './sf-cli.helper.js';

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
    sandbox = await startCliSandbox();
    const logged = await login(sandbox);
    if (logged.exitCode !== 0) throw new Error(`login failed: ${logged.json.message}`);
    await sandbox.writeSource({
      'classes/Greeter.cls': apexClassSource('Greeter'),
      'classes/Greeter.cls-meta.xml': apexClassMeta,
    });
  });
  afterAll(() => sandbox.close());

  const stored = () =>
    sandbox.emulator.admin.listComponents(sandbox.emulator.defaultOrg.id).map((c) => `${c.type}:${c.fullName}`);

  it('deploys source with sf project deploy start', async () => {
    const { exitCode, json } = await sandbox.sf<DeployJson>(
      'project',
      'deploy',
      'start',
      '-d',
      'force-app',
      '-o',
      sandbox.alias,
    );
    expect(json.message).toBeUndefined();
    expect(exitCode).toBe(0);
    expect(json.result).toMatchObject({ status: 'Succeeded', success: true });
    expect(stored()).toContain('ApexClass:Greeter');
  });

  it('validates with sf project deploy validate without changing the org', async () => {
    await sandbox.writeSource({
      'classes/Validated.cls': apexClassSource('Validated'),
      'classes/Validated.cls-meta.xml': apexClassMeta,
    });
    const { exitCode, json } = await sandbox.sf<DeployJson>(
      'project',
      'deploy',
      'validate',
      '-d',
      'force-app',
      '-o',
      sandbox.alias,
    );
    expect(exitCode).toBe(0);
    expect(json.result).toMatchObject({ status: 'Succeeded', checkOnly: true });
    validationId = json.result?.id as string;
    expect(stored()).not.toContain('ApexClass:Validated');
  });

  it('quick-deploys the validation with sf project deploy quick, once', async () => {
    const { exitCode, json } = await sandbox.sf<DeployJson>(
      'project',
      'deploy',
      'quick',
      '--job-id',
      validationId,
      '-o',
      sandbox.alias,
    );
    expect(json.message).toBeUndefined();
    expect(exitCode).toBe(0);
    expect(json.result).toMatchObject({ status: 'Succeeded', success: true });
    expect(json.result?.id).not.toBe(validationId);
    expect(stored()).toContain('ApexClass:Validated');
    const again = await sandbox.sf('project', 'deploy', 'quick', '--job-id', validationId, '-o', sandbox.alias);
    expect(again.exitCode).not.toBe(0);
    expect(JSON.stringify(again.json)).toContain('INVALID_ID_FIELD');
  });

  it('reports a finished deploy with sf project deploy report', async () => {
    const { exitCode, json } = await sandbox.sf<DeployJson>(
      'project',
      'deploy',
      'report',
      '--job-id',
      validationId,
      '-o',
      sandbox.alias,
    );
    expect(exitCode).toBe(0);
    expect(json.result).toMatchObject({ id: validationId, status: 'Succeeded', checkOnly: true });
  });

  it('deploys through the REST Metadata API when org-metadata-rest-deploy is on', async () => {
    await sandbox.writeSource({
      'classes/ViaRest.cls': apexClassSource('ViaRest'),
      'classes/ViaRest.cls-meta.xml': apexClassMeta,
    });
    const { exitCode, json } = await sandbox.sfWithEnv<DeployJson>(
      { SF_ORG_METADATA_REST_DEPLOY: 'true' },
      'project',
      'deploy',
      'start',
      '-m',
      'ApexClass:ViaRest',
      '-o',
      sandbox.alias,
    );
    expect(json.message).toBeUndefined();
    expect(exitCode).toBe(0);
    expect(json.result).toMatchObject({ status: 'Succeeded', success: true });
    expect(stored()).toContain('ApexClass:ViaRest');
  });

  it('resumes an async deploy with sf project deploy resume until it is done', async () => {
    const started = await sandbox.sf<DeployJson>(
      'project',
      'deploy',
      'start',
      '-d',
      'force-app',
      '--async',
      '-o',
      sandbox.alias,
    );
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
    await sandbox.writeSource({
      'classes/NeverDeployed.cls': apexClassSource('NeverDeployed'),
      'classes/NeverDeployed.cls-meta.xml': apexClassMeta,
    });
    try {
      const started = await sandbox.sf<DeployJson>(
        'project',
        'deploy',
        'start',
        '-d',
        'force-app',
        '--async',
        '-o',
        sandbox.alias,
      );
      const id = started.json.result?.id as string;
      const canceled = await sandbox.sf<DeployJson>('project', 'deploy', 'cancel', '--job-id', id, '-o', sandbox.alias);
      expect(canceled.json.message).toBeUndefined();
      expect(canceled.json.result).toMatchObject({ id, status: 'Canceled' });
    } finally {
      sandbox.emulator.admin.releaseDeploys(orgId);
    }
    expect(stored()).not.toContain('ApexClass:NeverDeployed');
    const finished = await sandbox.sf('project', 'deploy', 'cancel', '--job-id', validationId, '-o', sandbox.alias);
    expect(finished.exitCode).not.toBe(0);
    expect(JSON.stringify(finished.json)).toContain('Deployment already completed');
  });

  it('fails a deploy of broken Apex and reports the line and column', async () => {
    await sandbox.writeSource({
      'classes/Broken.cls': 'public class Broken {\n    public void run() {\n}\n',
      'classes/Broken.cls-meta.xml': apexClassMeta,
    });
    const { exitCode, json } = await sandbox.sf<DeployJson>(
      'project',
      'deploy',
      'start',
      '-m',
      'ApexClass:Broken',
      '-o',
      sandbox.alias,
    );
    expect(exitCode).not.toBe(0);
    const text = JSON.stringify(json);
    expect(text).toContain('"lineNumber":4');
    expect(text).toContain('"columnNumber":1');
    expect(text).toContain('Broken');
  });
});

// The official Salesforce CLI against the emulator: sf org login access-token, org display,
// org list metadata, org list metadata-types.
import { describe, it, beforeAll, afterAll, expect } from '@jest/globals';
import { closeStarted } from '../helpers/lifecycle.js';
import { apexClassFiles, expectSuccess, login, startCliSandbox, type CliSandbox } from './sf-cli.helper.js';

describe('the official CLI: org commands', () => {
  let sandbox: CliSandbox;

  beforeAll(async () => {
    sandbox = await startCliSandbox();
    await sandbox.emulator.admin.seed(sandbox.emulator.defaultOrg.id, {
      components: [{ type: 'ApexClass', fullName: 'Seeded', files: apexClassFiles('Seeded') }],
    });
  });
  afterAll(() => closeStarted(sandbox));

  it('logs in with sf org login access-token against an instance URL with a trailing slash', async () => {
    const logged = await login(sandbox);
    expectSuccess(logged);
    expect(logged.json.result).toMatchObject({
      username: sandbox.emulator.defaultOrg.username,
      orgId: sandbox.emulator.defaultOrg.id,
    });
  });

  it('displays the org as Connected with a current API version', async () => {
    const { exitCode, json } = await sandbox.sfOrg<{ connectedStatus: string; apiVersion: string; id: string }>(
      'org',
      'display',
    );
    expect(exitCode).toBe(0);
    expect(json.result).toMatchObject({ connectedStatus: 'Connected', id: sandbox.emulator.defaultOrg.id });
    expect(Number(json.result?.apiVersion)).toBeGreaterThanOrEqual(65);
  });

  it('lists the components of a type with sf org list metadata', async () => {
    type Listed = { fullName: string; type: string }[];
    const { exitCode, json } = await sandbox.sfOrg<Listed>('org', 'list', 'metadata', '-m', 'ApexClass');
    expect(exitCode).toBe(0);
    expect(json.result).toEqual([expect.objectContaining({ fullName: 'Seeded', type: 'ApexClass' })]);
  });

  it('lists the metadata types SDR knows, including ones beyond the classic set', async () => {
    const { exitCode, json } = await sandbox.sfOrg<{ metadataObjects: { xmlName: string; inFolder: boolean }[] }>(
      'org',
      'list',
      'metadata-types',
    );
    expect(exitCode).toBe(0);
    const names = new Map(json.result?.metadataObjects.map((o) => [o.xmlName, o]));
    for (const name of [
      'ApexClass',
      'CustomObject',
      'LightningMessageChannel',
      'ExperienceBundle',
      'ContentAsset',
      'Report',
    ]) {
      expect(names.has(name)).toBe(true);
    }
    expect(names.get('Report')?.inFolder).toBe(true);
  });
});

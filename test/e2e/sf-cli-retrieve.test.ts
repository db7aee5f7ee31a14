// The official Salesforce CLI against the emulator: sf project retrieve start (source format and
// --target-metadata-dir) and sf project delete source.
import { describe, it, beforeAll, afterAll, expect } from '@jest/globals';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { customObject, field } from '../emulator/emulator.helper.js';
import { unzip } from '../emulator/zip.helper.js';
import { closeStarted } from '../helpers/lifecycle.js';
import {
  apexClassFiles,
  apexClassSource,
  expectSuccess,
  startLoggedInSandbox,
  storedComponents,
  type CliSandbox,
} from './sf-cli.helper.js';

const objectXml = customObject(field('Amount__c', 'Number'));

describe('the official CLI: project retrieve and delete commands', () => {
  let sandbox: CliSandbox;

  beforeAll(async () => {
    sandbox = await startLoggedInSandbox();
    await sandbox.emulator.admin.seed(sandbox.emulator.defaultOrg.id, {
      components: [{ files: apexClassFiles('Stored') }, { files: { 'objects/Invoice__c.object': objectXml } }],
    });
  });
  afterAll(() => closeStarted(sandbox));

  const sourceDir = () => join(sandbox.projectDir, 'force-app', 'main', 'default');

  it('retrieves into source format with sf project retrieve start', async () => {
    expectSuccess(
      await sandbox.sfOrg('project', 'retrieve', 'start', '-m', 'ApexClass:Stored', '-m', 'CustomObject:Invoice__c'),
    );
    expect(await readFile(join(sourceDir(), 'classes', 'Stored.cls'), 'utf8')).toBe(apexClassSource('Stored'));
    const field = await readFile(
      join(sourceDir(), 'objects', 'Invoice__c', 'fields', 'Amount__c.field-meta.xml'),
      'utf8',
    );
    expect(field).toContain('<fullName>Amount__c</fullName>');
  });

  it('retrieves a metadata-format zip with --target-metadata-dir', async () => {
    const { exitCode } = await sandbox.sfOrg(
      'project',
      'retrieve',
      'start',
      '-m',
      'ApexClass:Stored',
      '--target-metadata-dir',
      'mdapi-out',
    );
    expect(exitCode).toBe(0);
    const dir = join(sandbox.projectDir, 'mdapi-out');
    const zips = (await readdir(dir)).filter((name) => name.endsWith('.zip'));
    expect(zips).toHaveLength(1);
    const files = await unzip(await readFile(join(dir, zips[0] as string)));
    const names = [...files.keys()];
    expect(names).toEqual(
      expect.arrayContaining([expect.stringMatching(/classes\/Stored\.cls$/), expect.stringMatching(/package\.xml$/)]),
    );
  });

  it('deletes a component from the org and the project with sf project delete source', async () => {
    expectSuccess(await sandbox.sfOrg('project', 'delete', 'source', '-m', 'ApexClass:Stored', '--no-prompt'));
    const left = storedComponents(sandbox);
    expect(left).not.toContain('ApexClass:Stored');
    expect(left).toContain('CustomObject:Invoice__c');
  });
});

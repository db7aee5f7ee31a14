// The REST Metadata API deploy (…/metadata/deployRequest) through jsforce, as `sf` uses it with
// org-metadata-rest-deploy.
import { describe, it, beforeAll, afterAll, expect } from '@jest/globals';
import type jsforce from 'jsforce';
import { startEmulator, type EmulatorHandle } from '../../src/emulator/emulator.server.js';
import { connect, starterFiles, type DeployAnswer } from './emulator.helper.js';
import { makeZip } from './zip.helper.js';

async function untilDone(conn: jsforce.Connection, id: string): Promise<DeployAnswer> {
  for (;;) {
    const result = await conn.metadata.checkDeployStatus(id, true, true);
    if (String(result.done) === 'true') return result;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('REST Metadata API deploy', () => {
  let emulator: EmulatorHandle;
  let conn: jsforce.Connection;

  beforeAll(async () => {
    emulator = await startEmulator({ latencyMs: 0 });
    conn = connect(emulator.url, emulator.defaultOrg.accessToken);
  });
  afterAll(() => emulator.close());

  it('deploys a multipart zip and reports the result as JSON with details', async () => {
    const started = await conn.metadata.deployRest(await makeZip(starterFiles()), {
      singlePackage: true,
      rollbackOnError: true,
    });
    const result = await untilDone(conn, started.id);
    expect(result).toMatchObject({ status: 'Succeeded', success: true, numberComponentErrors: 0 });
    const names = (result.details?.componentSuccesses as { fullName: string }[]).map((m) => m.fullName);
    expect(names).toEqual(expect.arrayContaining(['InvoiceService', 'Invoice__c', 'invoiceCard']));
    expect(emulator.admin.listComponents(emulator.defaultOrg.id, 'ApexClass').map((c) => c.fullName)).toEqual([
      'InvoiceService',
    ]);
  });

  it('quick-deploys a validation through deployRequest with validatedDeployRequestId', async () => {
    emulator.admin.resetOrg(emulator.defaultOrg.id);
    const validation = await conn.metadata.deployRest(await makeZip(starterFiles()), {
      singlePackage: true,
      checkOnly: true,
    });
    expect((await untilDone(conn, validation.id)).status).toBe('Succeeded');
    expect(emulator.admin.listComponents(emulator.defaultOrg.id)).toEqual([]);
    const quickId = await conn.metadata.deployRecentValidation({ id: validation.id, rest: true });
    expect(quickId).not.toBe(validation.id);
    expect((await untilDone(conn, quickId)).status).toBe('Succeeded');
    expect(emulator.admin.listComponents(emulator.defaultOrg.id, 'ApexClass').map((c) => c.fullName)).toEqual([
      'InvoiceService',
    ]);
  });
});

import { describe, it, beforeAll, afterAll, expect } from '@jest/globals';
import { startEmulator, type EmulatorHandle } from '../../src/emulator/emulator.server.js';
import { classMeta, connect, deployAndWait, packageXml, retrieveAndWait } from './emulator.helper.js';
import { writeZip } from '../../src/emulator/zip-io.js';

// Not a timing test (the benchmark measures speed): it checks that a deploy at the size limit works end to end.
describe('a deploy at the 10,000-file limit', () => {
  let emulator: EmulatorHandle;

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, latencyMs: 0 });
  });
  afterAll(() => emulator.close());

  it('creates 4,999 classes and retrieves them all', async () => {
    const org = emulator.admin.createOrg();
    const conn = connect(org.instanceUrl, org.accessToken);
    const files: Record<string, string> = { 'package.xml': packageXml({ ApexClass: ['*'] }) };
    const body = `    // ${'x'.repeat(400)}\n`;
    for (let i = 0; i < 4999; i++) {
      files[`classes/Big${i}.cls`] = `public class Big${i} {\n${body}}\n`;
      files[`classes/Big${i}.cls-meta.xml`] = classMeta;
    }
    const result = await deployAndWait(
      conn,
      writeZip(Object.entries(files).map(([path, text]) => [path, Buffer.from(text)] as const)),
    );
    expect(result.status).toBe('Succeeded');
    expect(result.numberComponentsDeployed).toBe(4999);
    const { result: retrieved, files: zip } = await retrieveAndWait(conn, [{ name: 'ApexClass', members: ['*'] }]);
    expect(retrieved.success).toBe(true);
    expect(zip.size).toBe(9999);
  });
});

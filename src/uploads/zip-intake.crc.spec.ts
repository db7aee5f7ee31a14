import { describe, it, expect } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { flipFirstEntryByte, wrongFirstCrc } from '../../test/fixtures/corrupt-zip.js';
import { writeZipSync } from '../common/zip.js';
import { DEFAULT_UPLOAD_LIMITS, extractUpload, UploadRejectedError } from './zip-intake.js';

async function refusal(zip: Buffer): Promise<UploadRejectedError> {
  const base = await mkdtemp(join(tmpdir(), 'bt-crc-'));
  try {
    const error = await extractUpload(zip, join(base, 'x'), DEFAULT_UPLOAD_LIMITS).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UploadRejectedError);
    return error as UploadRejectedError;
  } finally {
    await rm(base, { recursive: true, force: true });
  }
}

describe('an uploaded zip with a corrupt entry', () => {
  it('is refused with 400 and a sentence naming the entry when a stored byte changed', async () => {
    const zip = writeZipSync([{ path: 'classes/A.cls', content: Buffer.from('public class A {}') }], { level: 0 });
    const error = await refusal(flipFirstEntryByte(zip));
    expect(error.status).toBe(400);
    expect(error.message).toMatch(
      /^The entry classes\/A\.cls is damaged \(its CRC-32 is [0-9a-f]{8}, not .*\): create the zip again\.$/,
    );
  });

  it('is refused with 400 when the recorded CRC-32 of a deflated entry is wrong', async () => {
    const zip = writeZipSync([{ path: 'package.xml', content: Buffer.from('<Package/>'.repeat(30)) }]);
    const error = await refusal(wrongFirstCrc(zip));
    expect(error.status).toBe(400);
    expect(error.message).toContain('package.xml is damaged');
  });
});

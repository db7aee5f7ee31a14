import { describe, it, expect } from '@jest/globals';
import { exitCodeForStatus, ExitCode } from './api-client.js';

describe('exitCodeForStatus', () => {
  it('answers 3 when the caller cannot authenticate or the server failed', () => {
    for (const status of [401, 403, 500, 503]) expect(exitCodeForStatus(status)).toBe(ExitCode.Unreachable);
  });

  it('answers 2 for any other refusal', () => {
    for (const status of [400, 404, 409, 410, 413, 422]) expect(exitCodeForStatus(status)).toBe(ExitCode.Usage);
  });
});

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { exitCodeForStatus, ExitCode } from './api-client.js';

describe('exitCodeForStatus', () => {
  it('answers 3 when the caller cannot authenticate or the server failed', () => {
    for (const status of [401, 403, 500, 503]) assert.equal(exitCodeForStatus(status), ExitCode.Unreachable, String(status));
  });

  it('answers 2 for any other refusal', () => {
    for (const status of [400, 404, 409, 410, 413, 422]) assert.equal(exitCodeForStatus(status), ExitCode.Usage, String(status));
  });
});

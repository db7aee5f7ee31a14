import { describe, it, expect } from '@jest/globals';
import { formatBytes, jsonTooLargeMessage, uploadTooLargeMessage } from './sizes.js';

describe('formatBytes', () => {
  it('uses the largest unit that keeps the number at least 1', () => {
    expect(formatBytes(512)).toBe('512 bytes');
    expect(formatBytes(64 * 1024)).toBe('64 KB');
    expect(formatBytes(100 * 1024 * 1024)).toBe('100 MB');
    expect(formatBytes(1.5 * 1024 * 1024)).toBe('1.5 MB');
  });
});

describe('too-large messages', () => {
  it('say which limit a zip crossed', () => {
    expect(uploadTooLargeMessage(64 * 1024)).toMatch(
      /larger than the 64 KB UPLOAD_MAX_BYTES allows: send a smaller zip/,
    );
  });
  it('do not talk about zips for a JSON body', () => {
    expect(jsonTooLargeMessage(2 * 1024 * 1024)).toMatch(
      /^The request body is larger than the 2 MB a JSON request may be/,
    );
  });
});

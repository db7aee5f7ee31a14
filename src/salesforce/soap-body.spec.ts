import { randomBytes } from 'node:crypto';
import { describe, it, expect } from '@jest/globals';
import { spliceBase64 } from './soap-body.js';

describe('spliceBase64', () => {
  const envelope = '<?xml version="1.0"?><deploy><ZipFile>@@ZIP@@</ZipFile><name>Größe — 名前</name></deploy>';

  it('gives the bytes of the text with the base64 of the data in place of the marker, for every length', () => {
    // around the slice size (49,152 bytes) and its padding: 0, 1 or 2 bytes left over
    for (const size of [0, 1, 2, 3, 4, 49_151, 49_152, 49_153, 98_305, 1_000_003]) {
      const data = randomBytes(size);
      const expected = Buffer.from(envelope.replace('@@ZIP@@', data.toString('base64')), 'utf8');
      expect(spliceBase64(envelope, '@@ZIP@@', data).equals(expected)).toBe(true);
    }
  });

  it('refuses a text without the marker, or with it twice', () => {
    expect(() => spliceBase64('<a/>', '@@ZIP@@', Buffer.from('x'))).toThrow('exactly once');
    expect(() => spliceBase64('@@ZIP@@ @@ZIP@@', '@@ZIP@@', Buffer.from('x'))).toThrow('exactly once');
    expect(() => spliceBase64('<a/>', '', Buffer.from('x'))).toThrow('exactly once');
  });
});

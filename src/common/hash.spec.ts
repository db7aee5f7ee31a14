import { createHash } from 'node:crypto';
import { describe, it, expect } from '@jest/globals';
import { sha256 } from './hash.js';

describe('sha256', () => {
  it('gives the standard digest (FIPS 180-2 test vector)', () => {
    expect(sha256('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256(Buffer.from('abc'))).toBe(sha256('abc'));
  });

  it('hashes a string as UTF-8, and buffers of any size, as a Hash object does', () => {
    for (const data of ['Ünïcödé — 名前', Buffer.alloc(0), Buffer.alloc(3 * 1024 * 1024, 7)]) {
      expect(sha256(data)).toBe(createHash('sha256').update(data).digest('hex'));
    }
  });
});

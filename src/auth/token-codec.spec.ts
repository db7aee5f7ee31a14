import { describe, it, expect } from '@jest/globals';
import { bearerToken, generateToken, hashToken, tokenPrefix } from './token-codec.js';

describe('token codec', () => {
  it('generates distinct bt_ tokens of 43 characters', () => {
    const a = generateToken();
    expect(a).toMatch(/^bt_[A-Za-z0-9]{40}$/);
    expect(a).not.toBe(generateToken());
  });
  it('hashes deterministically to 64 hex characters', () => {
    expect(hashToken('x')).toBe(hashToken('x'));
    expect(hashToken('x')).toMatch(/^[0-9a-f]{64}$/);
    expect(hashToken('x')).not.toBe(hashToken('y'));
  });
  it('shows only a prefix', () => {
    expect(tokenPrefix('bt_abcdefghijk')).toBe('bt_abcdefg');
  });
  it('reads a bearer header and nothing else', () => {
    expect(bearerToken('Bearer abc')).toBe('abc');
    expect(bearerToken('bearer  abc ')).toBe('abc');
    expect(bearerToken('Basic abc')).toBe(null);
    expect(bearerToken(undefined)).toBe(null);
  });
});

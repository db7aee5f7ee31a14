import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bearerToken, generateToken, hashToken, tokenPrefix } from './token-codec.js';

describe('token codec', () => {
  it('generates distinct bt_ tokens of 43 characters', () => {
    const a = generateToken();
    assert.match(a, /^bt_[A-Za-z0-9]{40}$/);
    assert.notEqual(a, generateToken());
  });
  it('hashes deterministically to 64 hex characters', () => {
    assert.equal(hashToken('x'), hashToken('x'));
    assert.match(hashToken('x'), /^[0-9a-f]{64}$/);
    assert.notEqual(hashToken('x'), hashToken('y'));
  });
  it('shows only a prefix', () => {
    assert.equal(tokenPrefix('bt_abcdefghijk'), 'bt_abcdefg');
  });
  it('reads a bearer header and nothing else', () => {
    assert.equal(bearerToken('Bearer abc'), 'abc');
    assert.equal(bearerToken('bearer  abc '), 'abc');
    assert.equal(bearerToken('Basic abc'), null);
    assert.equal(bearerToken(undefined), null);
  });
});

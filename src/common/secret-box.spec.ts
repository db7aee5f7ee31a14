import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { SecretBox } from './secret-box.js';

describe('SecretBox', () => {
  const box = new SecretBox(crypto.randomBytes(32));

  it('opens what it sealed, and the sealed text does not contain the secret', () => {
    const sealed = box.seal('{"password":"hunter2"}');
    assert.doesNotMatch(sealed, /hunter2/);
    assert.equal(box.open(sealed), '{"password":"hunter2"}');
  });

  it('seals the same text differently each time', () => {
    assert.notEqual(box.seal('x'), box.seal('x'));
  });

  it('refuses to open with another key', () => {
    const other = new SecretBox(crypto.randomBytes(32));
    assert.throws(() => other.open(box.seal('x')));
  });

  it('refuses altered text', () => {
    const parts = box.seal('secret').split('.');
    parts[3] = Buffer.from('tampered').toString('base64url');
    assert.throws(() => box.open(parts.join('.')));
  });
});

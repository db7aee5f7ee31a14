import { describe, it, expect } from '@jest/globals';
import crypto from 'node:crypto';
import { SecretBox } from './secret-box.js';

describe('SecretBox', () => {
  const box = new SecretBox(crypto.randomBytes(32));

  it('opens what it sealed, and the sealed text does not contain the secret', () => {
    const sealed = box.seal('{"password":"hunter2"}');
    expect(sealed).not.toMatch(/hunter2/);
    expect(box.open(sealed)).toBe('{"password":"hunter2"}');
  });

  it('seals the same text differently each time', () => {
    expect(box.seal('x')).not.toBe(box.seal('x'));
  });

  it('refuses to open with another key', () => {
    const other = new SecretBox(crypto.randomBytes(32));
    expect(() => other.open(box.seal('x'))).toThrow();
  });

  it('refuses altered text', () => {
    const parts = box.seal('secret').split('.');
    parts[3] = Buffer.from('tampered').toString('base64url');
    expect(() => box.open(parts.join('.'))).toThrow();
  });
});

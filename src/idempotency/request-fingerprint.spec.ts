import { describe, it, expect } from '@jest/globals';
import { requestFingerprint } from './request-fingerprint.js';

const base = { method: 'POST', url: '/api/branches', body: { name: 'main', description: 'x' } };

describe('the fingerprint of a write', () => {
  it('is the same for the same request, whatever the order of its JSON keys', () => {
    expect(requestFingerprint(base)).toBe(requestFingerprint({ ...base, body: { description: 'x', name: 'main' } }));
  });

  it('differs when the body, the URL or the method differs', () => {
    const fingerprint = requestFingerprint(base);
    expect(requestFingerprint({ ...base, body: { name: 'other', description: 'x' } })).not.toBe(fingerprint);
    expect(requestFingerprint({ ...base, url: '/api/branches?x=1' })).not.toBe(fingerprint);
    expect(requestFingerprint({ ...base, method: 'PUT' })).not.toBe(fingerprint);
  });

  it('compares uploaded bytes by content, for a raw body and for a multipart file', () => {
    const zip = (s: string) => Buffer.from(s);
    expect(requestFingerprint({ ...base, body: zip('a') })).toBe(requestFingerprint({ ...base, body: zip('a') }));
    expect(requestFingerprint({ ...base, body: zip('a') })).not.toBe(requestFingerprint({ ...base, body: zip('b') }));
    const file = (s: string) => ({ fieldname: 'file', buffer: zip(s) });
    expect(requestFingerprint({ ...base, body: {}, file: file('a') })).toBe(
      requestFingerprint({ ...base, body: {}, file: file('a') }),
    );
    expect(requestFingerprint({ ...base, body: {}, file: file('a') })).not.toBe(
      requestFingerprint({ ...base, body: {}, file: file('b') }),
    );
  });

  it('treats a missing body like an empty one (null)', () => {
    expect(requestFingerprint({ ...base, body: undefined })).toBe(requestFingerprint({ ...base, body: null }));
  });
});

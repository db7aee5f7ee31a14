import { describe, expect, it } from '@jest/globals';
import { expectedSignature, parseAuthorization, verifySignature, type SignedRequest } from './sigv4.js';

// The worked example of the AWS General Reference, "Create a signed AWS API request" (IAM ListUsers).
const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
const SIGNATURE = '5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7';
const request = (signature = SIGNATURE, accessKeyId = 'AKIDEXAMPLE'): SignedRequest => ({
  method: 'GET',
  url: '/?Action=ListUsers&Version=2010-05-08',
  headers: {
    host: 'iam.amazonaws.com',
    'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
    'x-amz-date': '20150830T123600Z',
    authorization: `AWS4-HMAC-SHA256 Credential=${accessKeyId}/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=${signature}`,
  },
  body: Buffer.alloc(0),
});

describe('SigV4', () => {
  it("computes the AWS documentation example's signature", () => {
    const auth = parseAuthorization(String(request().headers.authorization))!;
    expect(auth).toMatchObject({ accessKeyId: 'AKIDEXAMPLE', region: 'us-east-1', service: 'iam' });
    expect(expectedSignature(request(), auth, SECRET)).toBe(SIGNATURE);
  });

  it('accepts only the configured key with the right signature', () => {
    const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: SECRET };
    expect(verifySignature(request(), credentials)).toBeUndefined();
    expect(verifySignature(request('0'.repeat(64)), credentials)).toBe('mismatch');
    expect(verifySignature(request(SIGNATURE, 'AKIDOTHER'), credentials)).toBe('unknown-key');
    expect(verifySignature({ ...request(), headers: { host: 'x' } }, credentials)).toBe('missing');
    expect(verifySignature({ ...request(), headers: { authorization: 'Bearer abc' } }, credentials)).toBe('malformed');
  });

  it('refuses a body that is not the one signed', () => {
    const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: SECRET };
    expect(verifySignature({ ...request(), body: Buffer.from('Action=Other') }, credentials)).toBe('mismatch');
  });
});

import { describe, expect, it } from '@jest/globals';
import { EcsError } from './ecs-error.js';
import { checkSignature, parseAuthorization } from './sigv4.js';

const signature = 'a'.repeat(64);
const header = (key: string, service = 'ecs', date = '20261202') =>
  `AWS4-HMAC-SHA256 Credential=${key}/${date}/eu-west-1/${service}/aws4_request, ` +
  `SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=${signature}`;

function typeOf(call: () => unknown): string {
  try {
    call();
  } catch (error) {
    if (error instanceof EcsError) return error.type;
    throw error;
  }
  throw new Error('the check passed');
}

describe('parseAuthorization', () => {
  it('reads the key id, date, region and service of the credential scope', () => {
    expect(parseAuthorization(header('AKIDEXAMPLE'))).toEqual({
      accessKeyId: 'AKIDEXAMPLE',
      date: '20261202',
      region: 'eu-west-1',
      service: 'ecs',
    });
  });

  it('answers undefined for other schemes and truncated headers', () => {
    expect(parseAuthorization('Bearer abc')).toBeUndefined();
    expect(parseAuthorization(header('AKIDEXAMPLE').replace(/, Signature=.*$/, ''))).toBeUndefined();
    expect(parseAuthorization(undefined)).toBeUndefined();
  });
});

describe('checkSignature', () => {
  const amzDate = '20261202T054500Z';

  it('accepts a request signed for ecs by a known key', () => {
    expect(checkSignature(header('AKIDEXAMPLE'), amzDate, ['AKIDEXAMPLE']).accessKeyId).toBe('AKIDEXAMPLE');
  });

  it('answers the AWS exception for each way a signature is wrong', () => {
    expect(typeOf(() => checkSignature(undefined, amzDate, ['AKIDEXAMPLE']))).toBe(
      'MissingAuthenticationTokenException',
    );
    expect(typeOf(() => checkSignature('Basic Zm9v', amzDate, ['AKIDEXAMPLE']))).toBe('IncompleteSignatureException');
    expect(typeOf(() => checkSignature(header('OTHERKEY'), amzDate, ['AKIDEXAMPLE']))).toBe(
      'UnrecognizedClientException',
    );
    expect(typeOf(() => checkSignature(header('AKIDEXAMPLE', 's3'), amzDate, ['AKIDEXAMPLE']))).toBe(
      'InvalidSignatureException',
    );
    expect(typeOf(() => checkSignature(header('AKIDEXAMPLE', 'ecs', '20261201'), amzDate, ['AKIDEXAMPLE']))).toBe(
      'InvalidSignatureException',
    );
  });
});

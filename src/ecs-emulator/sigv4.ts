// Who signed a request: the SigV4 Authorization header parsed and checked against the access key ids the emulator
// accepts. The signature itself is not verified (that would need the secret key); the key id, scope and date are.
import { EcsError } from './ecs-error.js';

export interface SigV4Credential {
  readonly accessKeyId: string;
  readonly date: string;
  readonly region: string;
  readonly service: string;
}

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256\s+Credential=([^/\s,]+)\/(\d{8})\/([^/\s,]+)\/([^/\s,]+)\/aws4_request,\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})$/;

/** The credential scope of a SigV4 Authorization header, or undefined when the header is not one. */
export function parseAuthorization(header: string | undefined): SigV4Credential | undefined {
  const match = AUTHORIZATION.exec(header?.trim() ?? '');
  if (!match) return undefined;
  return { accessKeyId: match[1]!, date: match[2]!, region: match[3]!, service: match[4]! };
}

/**
 * Checks that a request is signed for ECS by one of `accessKeyIds`, throwing the error AWS answers otherwise:
 * MissingAuthenticationTokenException without a signature, UnrecognizedClientException for an unknown key id,
 * InvalidSignatureException for a scope that names another service or a date unlike X-Amz-Date.
 */
export function checkSignature(
  authorization: string | undefined,
  amzDate: string | undefined,
  accessKeyIds: readonly string[],
  signingName = 'ecs',
): SigV4Credential {
  if (!authorization) throw new EcsError('MissingAuthenticationTokenException', 'Missing Authentication Token', 403);
  const credential = parseAuthorization(authorization);
  if (!credential)
    throw new EcsError(
      'IncompleteSignatureException',
      'Authorization header requires Credential, SignedHeaders and Signature (AWS4-HMAC-SHA256).',
      403,
    );
  if (!accessKeyIds.includes(credential.accessKeyId))
    throw new EcsError('UnrecognizedClientException', 'The security token included in the request is invalid.', 403);
  if (credential.service !== signingName)
    throw new EcsError(
      'InvalidSignatureException',
      `Credential should be scoped to correct service: '${signingName}'.`,
      403,
    );
  if (!amzDate?.startsWith(credential.date))
    throw new EcsError(
      'InvalidSignatureException',
      'Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP.',
      403,
    );
  return credential;
}

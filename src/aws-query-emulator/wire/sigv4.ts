// SigV4 checking: the Authorization header's credential must be the configured access key, and its signature must
// be the one the configured secret gives for this request (canonical request, string to sign, derived key).
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export interface SignedRequest {
  readonly method: string;
  /** Path and query as received (`/` or `/?a=b`). */
  readonly url: string;
  /** Lower-case names, as node:http gives them. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Buffer;
}

export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export interface AuthorizationHeader {
  readonly accessKeyId: string;
  readonly date: string;
  readonly region: string;
  readonly service: string;
  readonly signedHeaders: readonly string[];
  readonly signature: string;
}

/** Why a request was refused; `undefined` from `verifySignature` means it is signed with the configured key. */
export type SignatureProblem = 'missing' | 'malformed' | 'unknown-key' | 'mismatch';

const ALGORITHM = 'AWS4-HMAC-SHA256';

export function parseAuthorization(header: string): AuthorizationHeader | undefined {
  const match =
    /^AWS4-HMAC-SHA256\s+Credential=([^/\s,]+)\/(\d{8})\/([^/\s,]+)\/([^/\s,]+)\/aws4_request,\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})$/.exec(
      header.trim(),
    );
  if (!match) return undefined;
  const [, accessKeyId, date, region, service, signedHeaders, signature] = match;
  return {
    accessKeyId: accessKeyId!,
    date: date!,
    region: region!,
    service: service!,
    signedHeaders: signedHeaders!.split(';'),
    signature: signature!,
  };
}

const sha256Hex = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();

/** RFC 3986 encoding, the way SigV4 wants query names and values. */
const uriEncode = (text: string) =>
  encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

function headerValue(value: string | string[] | undefined): string {
  const joined = Array.isArray(value) ? value.join(',') : (value ?? '');
  return joined.trim().replace(/\s+/g, ' ');
}

export function canonicalRequest(request: SignedRequest, signedHeaders: readonly string[]): string {
  const url = new URL(request.url, 'http://host');
  const path = url.pathname
    .split('/')
    .map((segment) => uriEncode(decodeURIComponent(segment)))
    .map((segment) => uriEncode(segment))
    .join('/');
  const query = [...url.searchParams]
    .map(([k, v]) => [uriEncode(k), uriEncode(v)] as const)
    .sort(([a, x], [b, y]) => (a === b ? (x < y ? -1 : 1) : a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const headers = signedHeaders.map((name) => `${name}:${headerValue(request.headers[name])}\n`).join('');
  const declared = headerValue(request.headers['x-amz-content-sha256']);
  const payloadHash = declared === 'UNSIGNED-PAYLOAD' ? declared : sha256Hex(request.body);
  return [request.method, path, query, headers, signedHeaders.join(';'), payloadHash].join('\n');
}

export function expectedSignature(request: SignedRequest, auth: AuthorizationHeader, secretAccessKey: string): string {
  const amzDate = headerValue(request.headers['x-amz-date']);
  const scope = `${auth.date}/${auth.region}/${auth.service}/aws4_request`;
  const stringToSign = [ALGORITHM, amzDate, scope, sha256Hex(canonicalRequest(request, auth.signedHeaders))].join('\n');
  let key = hmac(`AWS4${secretAccessKey}`, auth.date);
  for (const part of [auth.region, auth.service, 'aws4_request']) key = hmac(key, part);
  return createHmac('sha256', key).update(stringToSign).digest('hex');
}

export function verifySignature(request: SignedRequest, credentials: Credentials): SignatureProblem | undefined {
  const header = headerValue(request.headers.authorization);
  if (!header) return 'missing';
  const auth = parseAuthorization(header);
  if (!auth || !auth.signedHeaders.includes('host')) return 'malformed';
  if (auth.accessKeyId !== credentials.accessKeyId) return 'unknown-key';
  const declared = headerValue(request.headers['x-amz-content-sha256']);
  if (declared && declared !== 'UNSIGNED-PAYLOAD' && declared !== sha256Hex(request.body)) return 'mismatch';
  const expected = Buffer.from(expectedSignature(request, auth, credentials.secretAccessKey), 'hex');
  const given = Buffer.from(auth.signature, 'hex');
  return expected.length === given.length && timingSafeEqual(expected, given) ? undefined : 'mismatch';
}

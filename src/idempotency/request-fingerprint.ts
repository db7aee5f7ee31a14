import { sha256 } from '../common/hash.js';

/** What identifies a write for `Idempotency-Key`: the same key must come back with the same request. */
export interface FingerprintInput {
  method: string;
  /** Path and query, as the client sent them. */
  url: string;
  /** The parsed body: JSON, a raw Buffer (application/zip) or multipart's text fields. */
  body: unknown;
  /** A multipart upload's file. */
  file?: { fieldname: string; buffer: Buffer };
}

/**
 * SHA-256 of the request: method, URL, body and uploaded file. JSON objects are compared by value (key order does
 * not matter); bytes (a zip) by their hash, so a repeated upload of the same zip is the same request.
 */
export function requestFingerprint(input: FingerprintInput): string {
  const file = input.file ? { field: input.file.fieldname, sha256: sha256(input.file.buffer) } : null;
  return sha256(JSON.stringify([input.method.toUpperCase(), input.url, canonical(input.body), file]));
}

function canonical(value: unknown): unknown {
  if (Buffer.isBuffer(value)) return { sha256: sha256(value) };
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    const object = value as Record<string, unknown>;
    return Object.fromEntries(
      Object.keys(object)
        .sort()
        .map((k) => [k, canonical(object[k])]),
    );
  }
  return value ?? null;
}

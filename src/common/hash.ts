import { hash } from 'node:crypto';

/**
 * Hex SHA-256 of a buffer or string (a string as UTF-8). The one hashing helper of the code base: reuse it. One call
 * (`crypto.hash`), not a `Hash` object per input: jobs hash tens of thousands of small files and components.
 */
export function sha256(data: Buffer | string): string {
  return hash('sha256', data, 'hex');
}

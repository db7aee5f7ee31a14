import { createHash } from 'node:crypto';

/** Hex SHA-256 of a buffer or string. The one hashing helper of the code base: reuse it. */
export function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

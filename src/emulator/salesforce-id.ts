import { randomBytes } from 'node:crypto';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';

/** The three-character case-safe suffix Salesforce appends to a 15-character id. */
export function caseSafeSuffix(id15: string): string {
  let suffix = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    let flags = 0;
    for (let i = 0; i < 5; i++) {
      const c = id15.charAt(chunk * 5 + i);
      if (c >= 'A' && c <= 'Z') flags |= 1 << i;
    }
    suffix += SUFFIX_ALPHABET.charAt(flags);
  }
  return suffix;
}

/** A new 18-character Salesforce-style id with the given three-character key prefix. */
export function newSalesforceId(prefix: string): string {
  const bytes = randomBytes(12);
  let body = '';
  for (const b of bytes) body += BASE62.charAt(b % 62);
  const id15 = `${prefix}${body}`.slice(0, 15);
  return id15 + caseSafeSuffix(id15);
}

/** An opaque token: letters, digits and `!`, never three dot-separated parts (not JWT-shaped). */
export function newOpaqueToken(orgId: string): string {
  return `${orgId.slice(0, 15)}!${randomBytes(36).toString('base64url')}`;
}

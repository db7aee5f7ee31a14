import { describe, it, expect } from '@jest/globals';
import { pickRestoreApiVersion } from './restore-api-version.js';

describe('pickRestoreApiVersion', () => {
  it('packages a restore with the API version the backup was retrieved with', () => {
    expect(pickRestoreApiVersion('62.0', '58.0', '61.0')).toBe('62.0');
  });

  it("falls back to the revision's sourceApiVersion for snapshots that did not record it", () => {
    expect(pickRestoreApiVersion(null, '58.0', '61.0')).toBe('58.0');
  });

  it("falls back to the org's version when the revision has none", () => {
    expect(pickRestoreApiVersion(null, null, '61.0')).toBe('61.0');
  });

  it('refuses to guess when no version is known', () => {
    expect(() => pickRestoreApiVersion(null, null, null)).toThrow('No API version is known');
  });
});

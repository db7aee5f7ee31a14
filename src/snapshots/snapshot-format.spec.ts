import { describe, expect, it } from '@jest/globals';
import { isStoredExactly, retrieveFormatOf } from './snapshot-format.js';

describe('the form a snapshot keeps', () => {
  it('reads the org as stored bytes for metadata-format snapshots and as source for older ones', () => {
    expect(retrieveFormatOf({ filesFormat: 'metadata' })).toBe('stored');
    expect(retrieveFormatOf({ filesFormat: 'source' })).toBe('source');
  });

  it('holds exact bytes only for types with files of their own, in metadata-format snapshots', () => {
    expect(isStoredExactly({ filesFormat: 'metadata' }, 'StaticResource')).toBe(true);
    expect(isStoredExactly({ filesFormat: 'metadata' }, 'CustomField')).toBe(false);
    expect(isStoredExactly({ filesFormat: 'source' }, 'StaticResource')).toBe(false);
  });
});

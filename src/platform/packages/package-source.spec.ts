import { describe, expect, it } from '@jest/globals';
import { GoneError } from '../../common/errors.js';
import { StageFailed } from '../provider.js';
import { packageSource } from './package-source.js';
import type { PackageVersion } from './package-version.entity.js';

const stored = { id: 'p1', sha256: 'ab'.repeat(32), format: 'zip' } as PackageVersion;

describe('packageSource', () => {
  it('hands over the stored bytes with their checksum and format', async () => {
    const source = packageSource({
      find: (name, version) => Promise.resolve(name === 'shop' && version === '1.0.0' ? stored : null),
      content: () => Promise.resolve(Buffer.from('PK')),
    });
    expect(await source.bytes('shop', '1.0.0')).toEqual({
      content: Buffer.from('PK'),
      sha256: stored.sha256,
      format: 'zip',
    });
  });

  it('says a missing version is not in the store, as a stage failure', async () => {
    const source = packageSource({ find: () => Promise.resolve(null), content: () => Promise.reject(new Error('x')) });
    const error = await source.bytes('shop', '9.9.9').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StageFailed);
    expect((error as Error).message).toBe('Package shop version 9.9.9 is not in the package store.');
  });

  it('turns a pruned or damaged version into a stage failure naming why', async () => {
    const source = packageSource({
      find: () => Promise.resolve(stored),
      content: () => Promise.reject(new GoneError('Package shop 1.0.0 was pruned by retention.')),
    });
    const error = await source.bytes('shop', '1.0.0').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StageFailed);
    expect((error as Error).message).toBe('Package shop 1.0.0 cannot be read: Package shop 1.0.0 was pruned by retention.');
  });
});

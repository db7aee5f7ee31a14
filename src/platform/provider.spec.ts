import { expect, test } from '@jest/globals';
import { pinnedVersion, type StageRelease } from './provider.js';

test('a release pins a package whatever the case its stage spells the name in, and nothing else', () => {
  const release: StageRelease = {
    id: 'r',
    version: '1.1.21',
    mode: 'deploy',
    packages: { Web: { version: '1.1.21', sha256: 'a'.repeat(64), packageVersionId: 'p' } },
    environment: { currentRelease: null, previousRelease: null, previousSuccessfulDeploymentId: null },
  };
  expect(pinnedVersion(release, 'web')?.version).toBe('1.1.21');
  expect(pinnedVersion(release, 'Web')?.version).toBe('1.1.21');
  expect(pinnedVersion(release, 'api')).toBeNull();
});

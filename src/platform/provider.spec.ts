import { expect, test } from '@jest/globals';
import { pinnedVersion, stagePackageVersion, StageFailed, type StageRelease } from './provider.js';

const release: StageRelease = {
  id: 'r',
  version: '1.1.21',
  mode: 'deploy',
  packages: { Web: { version: '1.1.21', sha256: 'a'.repeat(64), packageVersionId: 'p' } },
  environment: { currentRelease: null, previousRelease: null, previousSuccessfulDeploymentId: null },
};

test('a release pins a package whatever the case its stage spells the name in, and nothing else', () => {
  expect(pinnedVersion(release, 'web')?.version).toBe('1.1.21');
  expect(pinnedVersion(release, 'Web')?.version).toBe('1.1.21');
  expect(pinnedVersion(release, 'api')).toBeNull();
});

test('a package stage deploys the release’s pin (over its own version), else its own version, else says what is missing', () => {
  expect(stagePackageVersion(release, 'web', '9.9.9', 'helm')).toBe('1.1.21');
  expect(stagePackageVersion(null, 'web', '2.0.0', 'cf')).toBe('2.0.0');
  expect(() => stagePackageVersion(release, 'api', '2.0.0', 'cf')).toThrow(
    new StageFailed('Release 1.1.21 pins no version of package "api", which this stage deploys.'),
  );
  expect(() => stagePackageVersion(null, 'chart', null, 'helm')).toThrow(
    new StageFailed(
      'A helm stage run outside a release needs spec.version (the version of package "chart" to deploy).',
    ),
  );
});

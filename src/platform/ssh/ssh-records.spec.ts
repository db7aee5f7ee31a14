import { describe, expect, test } from '@jest/globals';
import { releaseEnvironment, rollbackTarget, type HostRelease } from './ssh-records.js';

const live = (release: string, path = `/srv/web/releases/${release}`): HostRelease => ({
  release,
  path,
  package: 'web',
  packageVersion: release,
  checksum: `sum-${release}`,
  filesChecksum: `files-${release}`,
  deploymentId: `exec-${release}`,
});

describe('what a rollback goes back to on each host', () => {
  test('a host goes back to what it ran itself', () => {
    const data = { hosts: { a: { live: live('1.1.20') }, b: { live: live('1.1.19') } } };
    expect(rollbackTarget(data, 'b')?.release).toBe('1.1.19');
  });

  test('a host added since goes to the release most hosts ran, without a folder of its own', () => {
    const data = {
      hosts: {
        a: { live: live('1.1.20') },
        b: { live: live('1.1.20') },
        c: { live: live('1.1.19') },
        d: { live: null },
      },
    };
    expect(rollbackTarget(data, 'd')).toMatchObject({ release: '1.1.20', path: '' });
    expect(rollbackTarget(data, 'unknown')).toMatchObject({ release: '1.1.20', path: '' });
  });

  test('nothing anywhere before: a first deployment', () => {
    expect(rollbackTarget({ hosts: { a: { live: null } } }, 'a')).toBeNull();
  });
});

test('the step variables carry the previous deployment as empty strings when there is none', () => {
  const env = releaseEnvironment({
    release: '1.1.21',
    folder: '/srv/web/releases/1.1.21',
    packageName: 'web',
    packageVersion: '1.1.21',
    environment: 'qa',
    previousSuccessfulDeploymentId: null,
    previousForEnvironment: '1.1.20',
    currentForEnvironment: '1.1.20',
    previousInstallationPath: null,
    previousPackageVersion: null,
    rollback: false,
  });
  expect(env).toMatchObject({
    BACKTRACK_RELEASE_PREVIOUS_FOR_ENVIRONMENT: '1.1.20',
    BACKTRACK_PREVIOUS_SUCCESSFUL_DEPLOYMENT_ID: '',
    BACKTRACK_PREVIOUS_INSTALLATION_PATH: '',
    BACKTRACK_ROLLBACK: 'false',
  });
});

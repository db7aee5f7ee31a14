import { describe, it, expect } from '@jest/globals';
import type { Scope } from '../../auth/permissions.js';
import {
  noStageIn,
  redeployability,
  RELEASE_VERSION,
  stagePackage,
  stageRelease,
  unpinnedPackage,
  type RedeployFacts,
} from './release-rules.js';

const now = new Date('2026-12-02T12:00:00Z');
const r20 = { id: 'rel-20', version: '1.1.20' };
const r21 = { id: 'rel-21', version: '1.1.21' };
const facts: RedeployFacts = {
  release: r20,
  environment: 'qa',
  lastCompletedHere: new Date('2026-12-01T12:00:00Z'),
  current: { executionId: 'ex-21', release: r21, finishedAt: new Date('2026-12-02T10:00:00Z'), claimedBy: null },
  running: null,
};
const admin: Scope = { permissions: ['admin'], environments: null };
const verdict = (f: Partial<RedeployFacts>, scope: Scope = admin) =>
  redeployability({ ...facts, ...f }, scope, 30, now);

describe('redeployability (mode rollback)', () => {
  it('offers redeploying an earlier release over the current one', () => {
    expect(verdict({})).toEqual({ available: true });
  });

  it('refuses (403) unless the token holds deploy and rollback in the environment, before anything else', () => {
    expect(
      verdict(
        { running: { id: 'x', kind: 'Deploy', status: 'In Progress' } },
        { permissions: ['deploy'], environments: null },
      ),
    ).toMatchObject({
      status: 403,
      reason: expect.stringMatching(/^Redeploying release 1\.1\.20 as a rollback .*"rollback" permission/),
    });
    expect(verdict({}, { permissions: ['rollback'], environments: null })).toMatchObject({
      status: 403,
      reason: expect.stringContaining('"deploy"'),
    });
    expect(verdict({}, { permissions: ['deploy', 'rollback'], environments: ['dev'] })).toMatchObject({
      status: 403,
      reason: expect.stringContaining('not for the "qa" environment'),
    });
    expect(verdict({}, { permissions: ['deploy', 'rollback'], environments: ['QA'] })).toEqual({ available: true });
  });

  it('refuses (409) while a job of the pipeline runs in the environment, naming it', () => {
    expect(verdict({ running: { id: 'ex-22', kind: 'Deploy', status: 'In Progress' } })).toEqual({
      available: false,
      status: 409,
      reason: 'Deploy ex-22 of this pipeline is In Progress in qa: wait until it is Completed, then redeploy 1.1.20.',
    });
  });

  it('refuses (409) a release that never completed a deployment there', () => {
    expect(verdict({ lastCompletedHere: null })).toMatchObject({
      status: 409,
      reason: expect.stringContaining('Release 1.1.20 never completed a deployment to qa'),
    });
  });

  it('refuses (410) a release whose last deployment there is older than the retention', () => {
    expect(verdict({ lastCompletedHere: new Date('2026-11-01T11:59:00Z') })).toMatchObject({
      status: 410,
      reason: expect.stringContaining('more than 30 days ago (SNAPSHOT_RETENTION_DAYS)'),
    });
    expect(verdict({ lastCompletedHere: new Date('2026-11-02T12:01:00Z') })).toEqual({ available: true });
  });

  it('refuses (409) when nothing stands there to roll back from', () => {
    expect(verdict({ current: null })).toMatchObject({
      status: 409,
      reason: expect.stringContaining('nothing to roll back from'),
    });
  });

  it('refuses (409) the release that is current there, naming its execution', () => {
    const current = { ...facts.current!, release: r20, executionId: 'ex-20b' };
    expect(verdict({ current })).toEqual({
      available: false,
      status: 409,
      reason: '1.1.20 is already the current release in qa (execution ex-20b); there is nothing to roll back.',
      currentExecutionId: 'ex-20b',
    });
  });

  it('refuses (409) a current deployment another job claimed already, naming it', () => {
    expect(verdict({ current: { ...facts.current!, claimedBy: 'rb-1' } })).toMatchObject({
      status: 409,
      rollbackJobId: 'rb-1',
      currentExecutionId: 'ex-21',
      reason: expect.stringContaining('was already rolled back (by job rb-1)'),
    });
  });

  it('rolls back from a current execution that deployed no release', () => {
    expect(verdict({ current: { ...facts.current!, release: null } })).toEqual({ available: true });
  });
});

describe('stageRelease', () => {
  const release = {
    id: 'rel-22',
    version: '1.1.22',
    packages: [{ name: 'web', version: '1.1.22', sha256: 'ab'.repeat(32), packageVersionId: 'pv-1' }],
  };

  it('gives the pins by name and the environment as it stands', () => {
    const current = { executionId: 'ex-21', release: r21, finishedAt: now };
    expect(stageRelease(release, 'deploy', current, current)).toEqual({
      id: 'rel-22',
      version: '1.1.22',
      mode: 'deploy',
      packages: { web: { version: '1.1.22', sha256: 'ab'.repeat(32), packageVersionId: 'pv-1' } },
      environment: { currentRelease: '1.1.21', previousRelease: '1.1.21', previousSuccessfulDeploymentId: 'ex-21' },
    });
  });

  it('has nulls before the first deployment, and no current release after an execution of no release', () => {
    expect(stageRelease(release, 'rollback', null, null)).toMatchObject({
      mode: 'rollback',
      environment: { currentRelease: null, previousRelease: null, previousSuccessfulDeploymentId: null },
    });
    const plain = { executionId: 'ex-9', release: null, finishedAt: now };
    const older = { executionId: 'ex-8', release: r20, finishedAt: now };
    expect(stageRelease(release, 'deploy', plain, older).environment).toEqual({
      currentRelease: null,
      previousRelease: '1.1.20',
      previousSuccessfulDeploymentId: 'ex-9',
    });
  });
});

describe('packages of ssh stages', () => {
  const ssh = (name: string, spec: Record<string, unknown>) => ({ name, kind: 'ssh', spec });

  it('reads spec.package of ssh stages only', () => {
    expect(stagePackage(ssh('web', { package: ' web ' }))).toBe('web');
    expect(stagePackage(ssh('web', { package: 3 }))).toBeNull();
    expect(stagePackage({ kind: 'kubernetes', spec: { package: 'web' } })).toBeNull();
  });

  it('names the first stage whose package is not pinned, matching names case-insensitively', () => {
    const stages = [ssh('api', { package: 'API' }), ssh('web', { package: 'web' })];
    expect(unpinnedPackage(stages, ['api', 'web'])).toBeNull();
    expect(unpinnedPackage(stages, ['api'])).toBe(
      'packages: stage "web" deploys package "web", which the release does not pin; send packages: {"web": "VERSION"} (an uploaded version).',
    );
    expect(unpinnedPackage([{ name: 'k', kind: 'kubernetes', spec: {} }], [])).toBeNull();
  });
});

describe('release versions and environments', () => {
  it('takes versions like package versions', () => {
    for (const ok of ['1.1.21', '2026.03.1-rc.1+build.7', 'v2', 'a_b']) expect(RELEASE_VERSION.test(ok)).toBe(true);
    for (const bad of ['', '-1', '1 2', '../1', 'x'.repeat(65), '1/2']) expect(RELEASE_VERSION.test(bad)).toBe(false);
  });

  it('says which environments a release can go to', () => {
    expect(noStageIn('1.1.21', 'shop', 'prod', ['dev', 'qa'])).toBe(
      'environment: release 1.1.21 of pipeline shop has no stage in "prod"; its stages deploy to dev, qa: pick one of those.',
    );
  });
});

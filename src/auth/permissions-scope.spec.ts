import { describe, it, expect } from '@jest/globals';
import { can, canGrant, grantRefusal, holds, normalizeEnvironments, reaches, type Scope } from './permissions.js';

const scope = (permissions: Scope['permissions'], environments: string[] | null = null): Scope => ({
  permissions,
  environments,
});

describe('holds', () => {
  it('lets deploy and rollback read the jobs they start', () => {
    expect(holds(scope(['deploy']), 'read')).toBe(true);
    expect(holds(scope(['rollback']), 'read')).toBe(true);
  });
  it('does not let read, deploy or rollback stand in for one another otherwise', () => {
    expect(holds(scope(['read']), 'deploy')).toBe(false);
    expect(holds(scope(['deploy']), 'rollback')).toBe(false);
    expect(holds(scope(['rollback']), 'deploy')).toBe(false);
    expect(holds(scope(['deploy', 'rollback']), 'admin')).toBe(false);
  });
});

describe('reaches', () => {
  it('reaches everything without an environment, even from a limited token', () => {
    expect(reaches(scope(['read'], ['uat']), null)).toBe(true);
    expect(reaches(scope(['read'], ['uat']), undefined)).toBe(true);
  });
  it('limits an environment-bound thing to the token environments, case-insensitively', () => {
    expect(reaches(scope(['read'], ['UAT']), 'uat')).toBe(true);
    expect(reaches(scope(['read'], ['uat']), 'production')).toBe(false);
  });
});

describe('can', () => {
  it('scopes reads to the token environments', () => {
    expect(can(scope(['read'], ['uat']), 'read', 'production')).toBe(false);
    expect(can(scope(['deploy'], ['uat']), 'read', 'uat')).toBe(true);
  });
});

describe('grantRefusal', () => {
  it('lets an unlimited admin grant anything', () => {
    expect(grantRefusal(scope(['admin']), scope(['admin']))).toBeNull();
    expect(grantRefusal(scope(['admin']), scope(['read'], ['production']))).toBeNull();
  });
  it('refuses an unlimited token to a limited admin', () => {
    expect(grantRefusal(scope(['admin'], ['uat']), scope(['admin']))).toMatch(
      /limited to uat, so it can only grant tokens limited to them too/,
    );
  });
  it('refuses an environment outside the holder environments, naming it', () => {
    expect(grantRefusal(scope(['admin'], ['uat']), scope(['deploy'], ['uat', 'production']))).toMatch(
      /cannot grant access to "production"/,
    );
  });
  it('accepts a subset of the holder environments, case-insensitively', () => {
    expect(grantRefusal(scope(['admin'], ['UAT', 'qa']), scope(['admin', 'deploy'], ['uat']))).toBeNull();
  });
  it('refuses a permission the holder lacks, naming it', () => {
    expect(grantRefusal(scope(['deploy']), scope(['deploy', 'rollback']))).toMatch(/cannot grant "rollback"/);
  });
  it('treats read as held by a deploy token', () => {
    expect(canGrant(scope(['deploy'], ['uat']), scope(['read'], ['uat']))).toBe(true);
  });
});

describe('normalizeEnvironments', () => {
  it('trims and keeps one spelling per name', () => {
    expect(normalizeEnvironments([' uat', 'UAT', 'production '])).toEqual(['uat', 'production']);
  });
});

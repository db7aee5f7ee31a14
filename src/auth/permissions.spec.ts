import { describe, it, expect } from '@jest/globals';
import { can, missingPermissionMessage, type Principal } from './permissions.js';

const principal = (permissions: Principal['permissions'], environments: string[] | null = null): Principal => ({
  tokenId: 't',
  name: 'ci',
  permissions,
  environments,
});

describe('can', () => {
  it('grants a held permission everywhere when the token is not limited', () => {
    expect(can(principal(['deploy']), 'deploy', 'production')).toBe(true);
  });
  it('refuses a permission the token does not hold', () => {
    expect(can(principal(['read']), 'rollback')).toBe(false);
  });
  it('lets admin do everything', () => {
    expect(can(principal(['admin']), 'rollback', 'production')).toBe(true);
  });
  it('limits a permission to the token environments, case-insensitively', () => {
    const uatOnly = principal(['rollback'], ['UAT']);
    expect(can(uatOnly, 'rollback', 'uat')).toBe(true);
    expect(can(uatOnly, 'rollback', 'production')).toBe(false);
  });
});

describe('missingPermissionMessage', () => {
  it('names the missing permission', () => {
    expect(missingPermissionMessage(principal(['read']), 'deploy')).toMatch(/lacks the "deploy" permission/);
  });
  it('names the environment when the permission is held elsewhere', () => {
    expect(missingPermissionMessage(principal(['deploy'], ['uat']), 'deploy', 'production')).toMatch(
      /only for uat, not for the "production"/,
    );
  });
});

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { can, missingPermissionMessage, type Principal } from './permissions.js';

const principal = (permissions: Principal['permissions'], environments: string[] | null = null): Principal => ({
  tokenId: 't', name: 'ci', permissions, environments,
});

describe('can', () => {
  it('grants a held permission everywhere when the token is not limited', () => {
    assert.equal(can(principal(['deploy']), 'deploy', 'production'), true);
  });
  it('refuses a permission the token does not hold', () => {
    assert.equal(can(principal(['read']), 'rollback'), false);
  });
  it('lets admin do everything', () => {
    assert.equal(can(principal(['admin']), 'rollback', 'production'), true);
  });
  it('limits a permission to the token environments, case-insensitively', () => {
    const uatOnly = principal(['rollback'], ['UAT']);
    assert.equal(can(uatOnly, 'rollback', 'uat'), true);
    assert.equal(can(uatOnly, 'rollback', 'production'), false);
  });
});

describe('missingPermissionMessage', () => {
  it('names the missing permission', () => {
    assert.match(missingPermissionMessage(principal(['read']), 'deploy'), /lacks the "deploy" permission/);
  });
  it('names the environment when the permission is held elsewhere', () => {
    assert.match(missingPermissionMessage(principal(['deploy'], ['uat']), 'deploy', 'production'), /only for uat, not for the "production"/);
  });
});

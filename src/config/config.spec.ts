import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, decodeKey, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('defaults to the embedded database, queue and emulator when nothing is set', () => {
    const config = loadConfig({});
    assert.equal(config.PORT, 3000);
    assert.equal(config.ROLE, 'all');
    assert.equal(config.embeddedDatabase, true);
    assert.equal(config.embeddedQueue, true);
    assert.equal(config.emulatorEnabled, true);
    assert.ok(config.dataDir.endsWith('.backtrack'));
  });

  it('uses PostgreSQL and Redis when their URLs are set and then starts no emulator by default', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://u@127.0.0.1:5432/test',
      REDIS_URL: 'redis://127.0.0.1:6379',
      SECRET_KEY: 'ab'.repeat(32),
    });
    assert.equal(config.embeddedDatabase, false);
    assert.equal(config.embeddedQueue, false);
    assert.equal(config.emulatorEnabled, false);
  });

  it('names the variable and what it expects when DATABASE_URL is not a postgres URL', () => {
    assert.throws(() => loadConfig({ DATABASE_URL: 'mysql://x' }), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.match(error.message, /^Invalid DATABASE_URL="mysql:\/\/x": expected a postgres:\/\/ or postgresql:\/\/ URL\.$/);
      return true;
    });
  });

  it('requires a shared SECRET_KEY when DATABASE_URL is set', () => {
    assert.throws(() => loadConfig({ DATABASE_URL: 'postgres://u@127.0.0.1/test' }), /^ConfigError: Missing SECRET_KEY: with DATABASE_URL set/);
  });

  it('never echoes a bad SECRET_KEY', () => {
    assert.throws(() => loadConfig({ SECRET_KEY: 'tooshort-secret' }), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.match(error.message, /^Invalid SECRET_KEY=\(hidden\): expected 32 bytes/);
      assert.doesNotMatch(error.message, /tooshort-secret/);
      return true;
    });
  });

  it('rejects an unknown ROLE with the allowed values', () => {
    assert.throws(() => loadConfig({ ROLE: 'boss' }), /Invalid ROLE="boss": expected one of "all", "api", "worker"\./);
  });

  it('rejects a port out of range', () => {
    assert.throws(() => loadConfig({ PORT: '70000' }), /Invalid PORT="70000": expected a value <= 65535\./);
  });
});

describe('decodeKey', () => {
  it('accepts 64 hex characters and 32 bytes of base64', () => {
    assert.equal(decodeKey('ab'.repeat(32))?.length, 32);
    assert.equal(decodeKey(Buffer.alloc(32, 7).toString('base64'))?.length, 32);
  });
  it('refuses anything else', () => {
    assert.equal(decodeKey('ab'.repeat(16)), null);
    assert.equal(decodeKey(Buffer.alloc(16).toString('base64')), null);
  });
});

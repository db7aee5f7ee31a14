import { describe, it, expect } from '@jest/globals';
import { thrownBy } from '../../test/helpers/thrown.js';
import { ConfigError, decodeKey, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('defaults to the embedded database, queue and emulator when nothing is set', () => {
    const config = loadConfig({});
    expect(config.PORT).toBe(3000);
    expect(config.ROLE).toBe('all');
    expect(config.embeddedDatabase).toBe(true);
    expect(config.embeddedQueue).toBe(true);
    expect(config.emulatorEnabled).toBe(true);
    expect(config.dataDir.endsWith('.backtrack')).toBeTruthy();
  });

  it('uses PostgreSQL and Redis when their URLs are set and then starts no emulator by default', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://u@127.0.0.1:5432/test',
      REDIS_URL: 'redis://127.0.0.1:6379',
      SECRET_KEY: 'ab'.repeat(32),
    });
    expect(config.embeddedDatabase).toBe(false);
    expect(config.embeddedQueue).toBe(false);
    expect(config.emulatorEnabled).toBe(false);
    expect(config.REDIS_PREFIX).toBe('bull');
  });

  it('takes a REDIS_PREFIX of its own and refuses one that would split or glob Redis keys', () => {
    expect(loadConfig({ REDIS_PREFIX: 'backtrack-staging' }).REDIS_PREFIX).toBe('backtrack-staging');
    expect(() => loadConfig({ REDIS_PREFIX: 'a:b*' })).toThrow(
      /^Invalid REDIS_PREFIX="a:b\*": expected letters, digits, "_", "\." or "-" \(1 to 64 of them\)\.$/,
    );
  });

  it('names the variable and what it expects when DATABASE_URL is not a postgres URL', () => {
    const error = thrownBy(() => loadConfig({ DATABASE_URL: 'mysql://x' }));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toMatch(
      /^Invalid DATABASE_URL="mysql:\/\/x": expected a postgres:\/\/ or postgresql:\/\/ URL\.$/,
    );
  });

  it('requires a shared SECRET_KEY when DATABASE_URL is set', () => {
    const load = () => loadConfig({ DATABASE_URL: 'postgres://u@127.0.0.1/test' });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/^Missing SECRET_KEY: with DATABASE_URL set/);
  });

  it('never echoes a bad SECRET_KEY', () => {
    const error = thrownBy(() => loadConfig({ SECRET_KEY: 'tooshort-secret' }));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toMatch(/^Invalid SECRET_KEY=\(hidden\): expected 32 bytes/);
    expect(error.message).not.toMatch(/tooshort-secret/);
  });

  it('rejects an unknown ROLE with the allowed values', () => {
    expect(() => loadConfig({ ROLE: 'boss' })).toThrow(/Invalid ROLE="boss": expected one of "all", "api", "worker"\./);
  });

  it('rejects a port out of range', () => {
    expect(() => loadConfig({ PORT: '70000' })).toThrow(/Invalid PORT="70000": expected a value <= 65535\./);
  });
});

describe('decodeKey', () => {
  it('accepts 64 hex characters and 32 bytes of base64', () => {
    expect(decodeKey('ab'.repeat(32))?.length).toBe(32);
    expect(decodeKey(Buffer.alloc(32, 7).toString('base64'))?.length).toBe(32);
  });
  it('refuses anything else', () => {
    expect(decodeKey('ab'.repeat(16))).toBe(null);
    expect(decodeKey(Buffer.alloc(16).toString('base64'))).toBe(null);
  });
});

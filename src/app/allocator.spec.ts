import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it, expect, afterAll } from '@jest/globals';
import { ALLOCATOR_SETTINGS, allocatorRestart, type Runtime } from './allocator.js';

const linux: Runtime = { platform: 'linux', glibc: '2.36', env: {}, canExec: true };

describe('allocatorRestart', () => {
  it('asks for one trimmed arena on Linux with glibc when nobody chose', () => {
    expect(allocatorRestart(linux)).toEqual({ MALLOC_ARENA_MAX: '1', MALLOC_TRIM_THRESHOLD_: '131072' });
  });

  it('leaves the process as it is once MALLOC_ARENA_MAX is set, whatever its value (no second restart)', () => {
    expect(allocatorRestart({ ...linux, env: { MALLOC_ARENA_MAX: '1' } })).toBeUndefined();
    expect(allocatorRestart({ ...linux, env: { MALLOC_ARENA_MAX: '8' } })).toBeUndefined();
  });

  it("keeps an operator's own trim threshold", () => {
    expect(allocatorRestart({ ...linux, env: { MALLOC_TRIM_THRESHOLD_: '0' } })).toEqual({
      MALLOC_ARENA_MAX: '1',
      MALLOC_TRIM_THRESHOLD_: '0',
    });
  });

  it('does nothing without glibc, off Linux, or without process.execve', () => {
    expect(allocatorRestart({ ...linux, glibc: undefined })).toBeUndefined();
    expect(allocatorRestart({ ...linux, platform: 'darwin' })).toBeUndefined();
    expect(allocatorRestart({ ...linux, canExec: false })).toBeUndefined();
  });
});

describe('restartWithAllocatorSettings', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'allocator-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const script = path.join(dir, 'entry.mjs');
  writeFileSync(
    script,
    `import { restartWithAllocatorSettings } from ${JSON.stringify(new URL('./allocator.js', import.meta.url).href)};\n` +
      `const before = process.env.STARTED_AS ?? '';\n` +
      `process.env.STARTED_AS = before + process.pid + ';';\n` +
      `restartWithAllocatorSettings();\n` +
      `console.log(JSON.stringify({ started: process.env.STARTED_AS, pid: process.pid, args: process.argv.slice(2),` +
      ` execArgv: process.execArgv, arena: process.env.MALLOC_ARENA_MAX, trim: process.env.MALLOC_TRIM_THRESHOLD_ }));\n`,
  );
  const run = (env: Record<string, string>) => {
    const result = spawnSync(process.execPath, ['--no-warnings', script, 'a b', '--flag'], {
      env: { PATH: process.env.PATH!, ...env },
      encoding: 'utf8',
    });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    return JSON.parse(result.stdout) as Record<string, unknown>;
  };
  const onGlibc = process.platform === 'linux' && typeof process.execve === 'function';

  it('runs the same process again, once, with the settings, its arguments and its Node options', () => {
    const out = run({});
    if (!onGlibc) return expect(out.arena).toBeUndefined();
    const pid = String(out.pid);
    // The first start set STARTED_AS and restarted; the second saw the settings and went on: the same PID twice.
    expect(out.started).toBe(`${pid};${pid};`);
    expect(out).toMatchObject({ args: ['a b', '--flag'], execArgv: ['--no-warnings'] });
    expect({ arena: out.arena, trim: out.trim }).toEqual({
      arena: ALLOCATOR_SETTINGS.MALLOC_ARENA_MAX,
      trim: ALLOCATOR_SETTINGS.MALLOC_TRIM_THRESHOLD_,
    });
  });

  it('is not restarted when MALLOC_ARENA_MAX is given', () => {
    const out = run({ MALLOC_ARENA_MAX: '4' });
    expect(out.started).toBe(`${String(out.pid)};`);
    expect(out.arena).toBe('4');
    expect(out.trim).toBeUndefined();
  });
});

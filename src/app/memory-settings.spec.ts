import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it, expect, afterAll } from '@jest/globals';
import { ALLOCATOR_SETTINGS, memoryRestart, YOUNG_GENERATION_FLAG, type Runtime } from './memory-settings.js';

const linux: Runtime = { platform: 'linux', glibc: '2.36', env: {}, execArgv: [], canExec: true };
const allocator = { MALLOC_ARENA_MAX: '1', MALLOC_TRIM_THRESHOLD_: '131072' };

describe('memoryRestart', () => {
  it('asks for one trimmed arena and 8 MB semi-spaces on Linux with glibc when nobody chose', () => {
    expect(memoryRestart(linux)).toEqual({ env: allocator, flags: ['--max-semi-space-size=8'] });
  });

  it('leaves the allocator as it is once MALLOC_ARENA_MAX is set, whatever its value', () => {
    expect(memoryRestart({ ...linux, env: { MALLOC_ARENA_MAX: '1' } })).toEqual({
      env: {},
      flags: [YOUNG_GENERATION_FLAG],
    });
    expect(memoryRestart({ ...linux, env: { MALLOC_ARENA_MAX: '8' } })?.env).toEqual({});
  });

  it("keeps an operator's own trim threshold", () => {
    expect(memoryRestart({ ...linux, env: { MALLOC_TRIM_THRESHOLD_: '0' } })?.env).toEqual({
      MALLOC_ARENA_MAX: '1',
      MALLOC_TRIM_THRESHOLD_: '0',
    });
  });

  it('keeps a young generation size given on the command line or in NODE_OPTIONS, in either spelling', () => {
    for (const execArgv of [
      ['--max-semi-space-size=32'],
      ['--max_semi_space_size', '4'],
      ['--min-semi-space-size=16'],
    ]) {
      expect(memoryRestart({ ...linux, execArgv })).toEqual({ env: allocator, flags: [] });
    }
    expect(memoryRestart({ ...linux, env: { NODE_OPTIONS: '--max-semi-space-size=64' } })?.flags).toEqual([]);
    // other options are not a choice of size
    expect(
      memoryRestart({ ...linux, execArgv: ['--inspect'], env: { NODE_OPTIONS: '--max-old-space-size=900' } })?.flags,
    ).toEqual([YOUNG_GENERATION_FLAG]);
  });

  it('is not needed once both are there: a restarted process is never restarted again', () => {
    expect(memoryRestart({ ...linux, env: { ...allocator }, execArgv: [YOUNG_GENERATION_FLAG] })).toBeUndefined();
  });

  it('without glibc or off Linux sets only the flag; without process.execve nothing', () => {
    expect(memoryRestart({ ...linux, glibc: undefined })).toEqual({ env: {}, flags: [YOUNG_GENERATION_FLAG] });
    expect(memoryRestart({ ...linux, platform: 'darwin' })).toEqual({ env: {}, flags: [YOUNG_GENERATION_FLAG] });
    expect(memoryRestart({ ...linux, platform: 'darwin', execArgv: [YOUNG_GENERATION_FLAG] })).toBeUndefined();
    expect(memoryRestart({ ...linux, canExec: false })).toBeUndefined();
  });
});

describe('restartWithMemorySettings', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'memory-settings-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const script = path.join(dir, 'entry.mjs');
  writeFileSync(
    script,
    `import { restartWithMemorySettings } from ${JSON.stringify(new URL('./memory-settings.js', import.meta.url).href)};\nimport v8 from 'node:v8';\n` +
      `const before = process.env.STARTED_AS ?? '';\n` +
      `process.env.STARTED_AS = before + process.pid + ';';\n` +
      `restartWithMemorySettings();\n` +
      // enough short-lived objects for V8 to grow the young generation to its largest
      `let keep = [];\nfor (let i = 0; i < 3e6; i++) { keep.push({ i, s: 'x' + i }); if (keep.length > 200000) keep = []; }\n` +
      `const young = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size / 1048576;\n` +
      `console.log(JSON.stringify({ started: process.env.STARTED_AS, pid: process.pid, args: process.argv.slice(2),` +
      ` execArgv: process.execArgv, arena: process.env.MALLOC_ARENA_MAX, trim: process.env.MALLOC_TRIM_THRESHOLD_, young }));\n`,
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
    expect(out).toMatchObject({ args: ['a b', '--flag'], execArgv: [YOUNG_GENERATION_FLAG, '--no-warnings'] });
    expect({ arena: out.arena, trim: out.trim }).toEqual({
      arena: ALLOCATOR_SETTINGS.MALLOC_ARENA_MAX,
      trim: ALLOCATOR_SETTINGS.MALLOC_TRIM_THRESHOLD_,
    });
    // two semi-spaces of 8 MB at most (Node's own default lets them grow to 16 MB each)
    expect(out.young).toBeLessThanOrEqual(16);
  });

  it('with MALLOC_ARENA_MAX given, restarts for the flag only and keeps the allocator as given', () => {
    const out = run({ MALLOC_ARENA_MAX: '4' });
    if (!onGlibc) return expect(out.arena).toBe('4');
    expect(out.started).toBe(`${String(out.pid)};${String(out.pid)};`);
    expect(out).toMatchObject({ arena: '4', execArgv: [YOUNG_GENERATION_FLAG, '--no-warnings'] });
    expect(out.trim).toBeUndefined();
  });

  it('is not restarted when both are given', () => {
    const out = run({ MALLOC_ARENA_MAX: '4', NODE_OPTIONS: '--max-semi-space-size=32' });
    expect(out.started).toBe(`${String(out.pid)};`);
    expect(out).toMatchObject({ arena: '4', execArgv: ['--no-warnings'] });
    // what the operator chose: the generation grew past 16 MB
    expect(out.young).toBeGreaterThan(16);
  });
});

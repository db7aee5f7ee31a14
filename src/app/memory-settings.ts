/**
 * The memory settings the service runs with (ADR 0023, ADR 0024), which a running process cannot give itself:
 * - the C allocator's: glibc's malloc gives each thread that allocates its own arena of up to 64 MB and keeps freed
 *   memory for reuse; the service's threads (libuv's pool, PGlite's worker, V8's helpers) each grew one, and what a
 *   deploy freed stayed resident. One arena, trimmed once 128 KiB is free at its top, keeps the process about
 *   100–130 MB smaller and costs no time measured by `npm run bench`. glibc reads them when a process starts.
 * - V8's young generation: 8 MB semi-spaces instead of Node's 16 MB keep the idle service, the upload and the deploy
 *   about 30 MB smaller and cost no CPU seconds measured by `npm run bench`. V8 sizes the generation when the heap is
 *   made, so the flag must be on the command line.
 */
export const ALLOCATOR_SETTINGS: Readonly<Record<string, string>> = {
  MALLOC_ARENA_MAX: '1',
  MALLOC_TRIM_THRESHOLD_: '131072',
};

export const YOUNG_GENERATION_FLAG = '--max-semi-space-size=8';

export interface Runtime {
  platform: NodeJS.Platform;
  /** glibc's version when the process runs on glibc; undefined on musl and other systems. */
  glibc: string | undefined;
  env: NodeJS.ProcessEnv;
  /** The Node and V8 options on the command line (`process.execArgv`). */
  execArgv: readonly string[];
  /** Whether `process.execve` exists (Node 22.15 and later, not on Windows). */
  canExec: boolean;
}

/** What to add when the service starts again in place: variables for the environment, flags for Node. */
export interface MemoryRestart {
  env: Record<string, string>;
  flags: string[];
}

/**
 * What to add before the service starts, or undefined to start as it is. The settings are given by running the
 * service again in place (same PID, same arguments). Whoever chooses decides: MALLOC_ARENA_MAX set to any value (the
 * image sets both variables; an operator may set others) leaves the allocator alone, and a young generation size
 * given on the command line or in NODE_OPTIONS (`--max-semi-space-size`, `--min-semi-space-size`, either
 * spelling) is kept. A process that has them all is never restarted again.
 */
export function memoryRestart(runtime: Runtime): MemoryRestart | undefined {
  if (!runtime.canExec) return undefined;
  const env: Record<string, string> = {};
  if (runtime.platform === 'linux' && runtime.glibc !== undefined && runtime.env.MALLOC_ARENA_MAX === undefined) {
    for (const [name, value] of Object.entries(ALLOCATOR_SETTINGS)) env[name] = runtime.env[name] ?? value;
  }
  const sized = [...runtime.execArgv, runtime.env.NODE_OPTIONS ?? ''].some((option) => /semi[-_]space/.test(option));
  const flags = sized ? [] : [YOUNG_GENERATION_FLAG];
  if (Object.keys(env).length === 0 && flags.length === 0) return undefined;
  return { env, flags };
}

/** Runs this process again with the memory settings when `memoryRestart` asks for them; otherwise returns. */
export function restartWithMemorySettings(): void {
  const restart = memoryRestart({
    platform: process.platform,
    glibc: process.platform === 'linux' ? glibcVersion() : undefined,
    env: process.env,
    execArgv: process.execArgv,
    canExec: typeof process.execve === 'function',
  });
  if (restart === undefined) return;
  process.execve!(
    process.execPath,
    [process.execPath, ...restart.flags, ...process.execArgv, ...process.argv.slice(1)],
    { ...process.env, ...restart.env },
  );
}

function glibcVersion(): string | undefined {
  const header = (process.report.getReport() as { header?: { glibcVersionRuntime?: string } }).header;
  return header?.glibcVersionRuntime;
}

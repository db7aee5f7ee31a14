/**
 * The C allocator settings the service runs with (ADR 0023). glibc's malloc gives each thread that allocates its own
 * arena of up to 64 MB and keeps freed memory for reuse; the service's threads (libuv's pool, PGlite's worker, V8's
 * helpers) each grew one, and what a deploy freed stayed resident. One arena, trimmed once 128 KiB is free at its top,
 * keeps the process about 100–130 MB smaller and costs no time measured by `npm run bench`.
 */
export const ALLOCATOR_SETTINGS: Readonly<Record<string, string>> = {
  MALLOC_ARENA_MAX: '1',
  MALLOC_TRIM_THRESHOLD_: '131072',
};

export interface Runtime {
  platform: NodeJS.Platform;
  /** glibc's version when the process runs on glibc; undefined on musl and other systems. */
  glibc: string | undefined;
  env: NodeJS.ProcessEnv;
  /** Whether `process.execve` exists (Node 22.15 and later). */
  canExec: boolean;
}

/**
 * The variables to add before the service starts, or undefined to start as it is. glibc reads them only when a
 * process starts, so they are set by running the service again in place (same PID, same arguments). Whoever sets
 * MALLOC_ARENA_MAX chooses for themselves (the image sets both; an operator may set other values), and a process that
 * has them already is never restarted again.
 */
export function allocatorRestart(runtime: Runtime): Record<string, string> | undefined {
  if (runtime.platform !== 'linux' || runtime.glibc === undefined || !runtime.canExec) return undefined;
  if (runtime.env.MALLOC_ARENA_MAX !== undefined) return undefined;
  const settings: Record<string, string> = {};
  for (const [name, value] of Object.entries(ALLOCATOR_SETTINGS)) {
    settings[name] = runtime.env[name] ?? value;
  }
  return settings;
}

/** Runs this process again with the allocator settings when `allocatorRestart` asks for them; otherwise returns. */
export function restartWithAllocatorSettings(): void {
  const runtime: Runtime = {
    platform: process.platform,
    glibc: process.platform === 'linux' ? glibcVersion() : undefined,
    env: process.env,
    canExec: typeof process.execve === 'function',
  };
  const settings = allocatorRestart(runtime);
  if (settings === undefined) return;
  process.execve!(process.execPath, [process.execPath, ...process.execArgv, ...process.argv.slice(1)], {
    ...process.env,
    ...settings,
  });
}

function glibcVersion(): string | undefined {
  const header = (process.report.getReport() as { header?: { glibcVersionRuntime?: string } }).header;
  return header?.glibcVersionRuntime;
}

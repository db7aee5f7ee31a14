import v8 from 'node:v8';
import vm from 'node:vm';

/** From this many components on, a deploy starts from a collected heap (ADR 0023; a rollback does not, ADR 0031). */
export const FULL_COLLECTION_FROM_COMPONENTS = 1000;

/**
 * Whether a job of `components` components should start with a full garbage collection: a large deploy
 * allocates a few hundred MB while it runs, and whatever an upload or an earlier job left (100–150 MB of buffers and
 * objects nobody holds, not yet collected) would otherwise stay beside it and make the process's peak. A small job
 * allocates little; its pause (tens of milliseconds) would be all it gained.
 */
export function worthFullCollection(components: number): boolean {
  return components >= FULL_COLLECTION_FROM_COMPONENTS;
}

let gc: (() => void) | undefined;

/**
 * Runs a full garbage collection now, on this thread (about 60 ms for a 200 MB heap). Node exposes V8's `gc` only
 * with `--expose-gc`; set as a flag at run time it is installed in contexts created after it, as Jest does for its
 * leak detector. Does nothing when V8 does not provide it.
 */
export function collectGarbage(): void {
  gc ??= loadGc();
  gc();
}

function loadGc(): () => void {
  const exposed = globalThis.gc; // node --expose-gc
  if (exposed) {
    return () => {
      exposed();
    };
  }
  v8.setFlagsFromString('--expose-gc');
  const found: unknown = vm.runInNewContext('typeof gc === "function" ? gc : undefined');
  return typeof found === 'function' ? (found as () => void) : () => undefined;
}

/** `collectGarbage` when a job of `components` components is worth it (`worthFullCollection`). */
export function collectGarbageBefore(components: number): void {
  if (worthFullCollection(components)) collectGarbage();
}

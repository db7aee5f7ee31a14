import { LazyModule } from '../lazy-module.js';

/**
 * ssh2, imported when a key is first checked or a host first reached: importing it allocates about 20 MB (its
 * WebAssembly Poly1305 among it) that a service with no SSH infrastructure should not hold (ADR 0022).
 */
export const ssh2Module = new LazyModule('ssh2', async () => (await import('ssh2')).default);

import { fileURLToPath } from 'node:url';

/** Absolute path of a fixture under test/fixtures (specs run from dist/, fixtures stay in the source tree). */
export function fixturePath(name: string): string {
  return fileURLToPath(new URL(`../../../test/fixtures/${name}`, import.meta.url));
}

import type { PackageVersion } from '../packages/package-version.entity.js';

/**
 * What releases need of packages: one uploaded version by name (case-insensitive) and exact version, or null when
 * there is none. A version whose `prunedAt` is set lost its bytes to retention (the row stays). Bound to
 * `PackagesService` (src/platform/packages) in ReleasesModule.
 */
export interface PackageLookup {
  find(name: string, version: string): Promise<PackageVersion | null>;
}

export const PACKAGE_LOOKUP = Symbol('PACKAGE_LOOKUP');

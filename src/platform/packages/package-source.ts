import { StageFailed } from '../provider.js';
import type { PackagesService } from './packages.service.js';

/** A package version's bytes as a stage provider gets them, verified against their checksum. */
export interface PackageBytes {
  content: Buffer;
  sha256: string;
  format: 'tar.gz' | 'zip';
}

/** Where the ssh, helm and cf providers get a package's bytes: the package store. */
export interface PackageSource {
  bytes(name: string, version: string): Promise<PackageBytes>;
}

/**
 * The package store as a PackageSource: a missing, pruned (410) or damaged version is a StageFailed sentence the
 * stage shows, not a fault to retry.
 */
export function packageSource(packages: Pick<PackagesService, 'find' | 'content'>): PackageSource {
  return {
    async bytes(name, version) {
      const found = await packages.find(name, version);
      if (!found) throw new StageFailed(`Package ${name} version ${version} is not in the package store.`);
      try {
        return { content: await packages.content(found), sha256: found.sha256, format: found.format };
      } catch (error) {
        throw new StageFailed(`Package ${name} ${version} cannot be read: ${(error as Error).message}`);
      }
    },
  };
}

import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { PackageVersion } from '../packages/package-version.entity.js';

/**
 * What releases need of packages: one uploaded version by name (case-insensitive) and exact version, or null when
 * there is none. A version whose `prunedAt` is set lost its bytes to retention (the row stays). `PackagesService.find`
 * (src/platform/packages) answers the same way; the application may bind this token to it.
 */
export interface PackageLookup {
  find(name: string, version: string): Promise<PackageVersion | null>;
}

export const PACKAGE_LOOKUP = Symbol('PACKAGE_LOOKUP');

/** The lookup read straight from `package_versions`. */
@Injectable()
export class PackageVersionsLookup implements PackageLookup {
  constructor(@InjectRepository(PackageVersion) private readonly versions: Repository<PackageVersion>) {}

  find(name: string, version: string): Promise<PackageVersion | null> {
    return this.versions
      .createQueryBuilder('p')
      .where('lower(p.name) = lower(:name) AND p.version = :version', { name, version })
      .getOne();
  }
}

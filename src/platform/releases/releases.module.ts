import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ExecutionsModule } from '../executions/executions.module.js';
import { PackageVersion } from '../packages/package-version.entity.js';
import { PlatformModule } from '../platform.module.js';
import { PACKAGE_LOOKUP, PackageVersionsLookup } from './package-lookup.js';
import { ReleaseHistory } from './release-history.js';
import { Release } from './release.entity.js';
import { ReleasesController } from './releases.controller.js';
import { ReleasesService } from './releases.service.js';

/**
 * Releases (issue 14): snapshots of pipelines and their deployments, which are executions (ExecutionsModule). Packages
 * are read through PACKAGE_LOOKUP (here straight from `package_versions`; PackagesService answers the same way).
 */
@Module({
  imports: [TypeOrmModule.forFeature([Release, PackageVersion]), PlatformModule, ExecutionsModule],
  controllers: [ReleasesController],
  providers: [
    ReleasesService,
    ReleaseHistory,
    PackageVersionsLookup,
    { provide: PACKAGE_LOOKUP, useExisting: PackageVersionsLookup },
  ],
  exports: [ReleasesService],
})
export class ReleasesModule {}

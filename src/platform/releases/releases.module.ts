import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ExecutionsModule } from '../executions/executions.module.js';
import { PackageVersion } from '../packages/package-version.entity.js';
import { PlatformModule } from '../platform.module.js';
import { PackagesModule } from '../packages/packages.module.js';
import { PackagesService } from '../packages/packages.service.js';
import { PACKAGE_LOOKUP } from './package-lookup.js';
import { ReleaseHistory } from './release-history.js';
import { Release } from './release.entity.js';
import { ReleasesController } from './releases.controller.js';
import { ReleasesService } from './releases.service.js';

/**
 * Releases (issue 14): snapshots of pipelines and their deployments, which are executions (ExecutionsModule). Packages
 * are read through PACKAGE_LOOKUP, which is PackagesService.
 */
@Module({
  imports: [TypeOrmModule.forFeature([Release, PackageVersion]), PlatformModule, ExecutionsModule, PackagesModule],
  controllers: [ReleasesController],
  providers: [ReleasesService, ReleaseHistory, { provide: PACKAGE_LOOKUP, useExisting: PackagesService }],
  exports: [ReleasesService],
})
export class ReleasesModule {}

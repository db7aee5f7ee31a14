import { Module, type OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { SnapshotPruner } from '../../snapshots/snapshot-pruner.service.js';
import { SnapshotsModule } from '../../snapshots/snapshots.module.js';
import { PackageVersion } from './package-version.entity.js';
import { PackagesController } from './packages.controller.js';
import { PackagesService } from './packages.service.js';

/** Package versions (issue 14): upload, listing, and `PackagesService` for the SSH provider and releases. */
@Module({
  imports: [TypeOrmModule.forFeature([PackageVersion]), SnapshotsModule],
  controllers: [PackagesController],
  providers: [PackagesService],
  exports: [PackagesService],
})
export class PackagesModule implements OnModuleInit {
  constructor(
    private readonly pruner: SnapshotPruner,
    private readonly packages: PackagesService,
  ) {}

  /** Retention prunes package versions on the snapshots' schedule. */
  onModuleInit(): void {
    this.pruner.register({ name: 'package versions', prune: (now) => this.packages.prune(now) });
  }
}

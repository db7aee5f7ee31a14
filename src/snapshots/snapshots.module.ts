import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { JobsModule } from '../jobs/jobs.module.js';
import { SnapshotComponent } from './snapshot-component.entity.js';
import { Snapshot } from './snapshot.entity.js';
import { SnapshotsService } from './snapshots.service.js';
import { SnapshotPruner } from './snapshot-pruner.service.js';
import { SnapshotsController } from './snapshots.controller.js';
import { RetrievedBackups } from './retrieved-backups.js';

@Module({
  imports: [TypeOrmModule.forFeature([Snapshot, SnapshotComponent]), JobsModule],
  controllers: [SnapshotsController],
  providers: [SnapshotsService, SnapshotPruner, RetrievedBackups],
  exports: [SnapshotsService, SnapshotPruner, RetrievedBackups],
})
export class SnapshotsModule {}

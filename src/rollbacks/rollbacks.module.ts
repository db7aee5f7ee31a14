import { Module } from '@nestjs/common';
import { BranchesModule } from '../branches/branches.module.js';
import { JobsModule } from '../jobs/jobs.module.js';
import { OrgsModule } from '../orgs/orgs.module.js';
import { SnapshotsModule } from '../snapshots/snapshots.module.js';
import { RollbackJobHandler } from './rollback-job.handler.js';
import { RollbacksController } from './rollbacks.controller.js';
import { RollbacksService } from './rollbacks.service.js';

@Module({
  imports: [BranchesModule, JobsModule, OrgsModule, SnapshotsModule],
  controllers: [RollbacksController],
  providers: [RollbacksService, RollbackJobHandler],
})
export class RollbacksModule {}

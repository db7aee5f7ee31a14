import { Module } from '@nestjs/common';
import { BranchesModule } from '../branches/branches.module.js';
import { JobsModule } from '../jobs/jobs.module.js';
import { OrgsModule } from '../orgs/orgs.module.js';
import { SnapshotsModule } from '../snapshots/snapshots.module.js';
import { ComponentDiffController } from './component-diff.controller.js';
import { ComponentDiffService } from './component-diff.service.js';
import { LaterDeploys } from './later-deploys.service.js';
import { RollbackJobHandler } from './rollback-job.handler.js';
import { RollbacksController } from './rollbacks.controller.js';
import { RollbacksService } from './rollbacks.service.js';

@Module({
  imports: [BranchesModule, JobsModule, OrgsModule, SnapshotsModule],
  controllers: [RollbacksController, ComponentDiffController],
  providers: [RollbacksService, RollbackJobHandler, ComponentDiffService, LaterDeploys],
  exports: [RollbacksService],
})
export class RollbacksModule {}

import { Module } from '@nestjs/common';
import { BranchesModule } from '../branches/branches.module.js';
import { JobsModule } from '../jobs/jobs.module.js';
import { OrgsModule } from '../orgs/orgs.module.js';
import { SnapshotsModule } from '../snapshots/snapshots.module.js';
import { DeployJobHandler } from './deploy-job.handler.js';
import { DeploymentsController } from './deployments.controller.js';
import { DeploymentsService } from './deployments.service.js';
import { JobCancelController } from './job-cancel.controller.js';
import { JobCancellation } from './job-cancel.service.js';

@Module({
  imports: [BranchesModule, JobsModule, OrgsModule, SnapshotsModule],
  controllers: [DeploymentsController, JobCancelController],
  providers: [DeploymentsService, DeployJobHandler, JobCancellation],
  exports: [DeploymentsService],
})
export class DeploymentsModule {}

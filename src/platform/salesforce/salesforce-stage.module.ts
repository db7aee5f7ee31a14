import { Module } from '@nestjs/common';
import { DeploymentsModule } from '../../deployments/deployments.module.js';
import { JobsModule } from '../../jobs/jobs.module.js';
import { RollbacksModule } from '../../rollbacks/rollbacks.module.js';
import { PlatformModule } from '../platform.module.js';
import { SalesforceStageProvider } from './salesforce-stage.provider.js';

/** The `salesforce` stage kind: its provider, registered with PlatformProviders at start-up. */
@Module({
  imports: [PlatformModule, JobsModule, DeploymentsModule, RollbacksModule],
  providers: [SalesforceStageProvider],
  exports: [SalesforceStageProvider],
})
export class SalesforceStageModule {}

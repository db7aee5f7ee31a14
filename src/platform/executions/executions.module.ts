import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthModule } from '../../auth/auth.module.js';
import { Job } from '../../jobs/job.entity.js';
import { JobsModule } from '../../jobs/jobs.module.js';
import { PlatformModule } from '../platform.module.js';
import { ExecutionRollback, ExecutionStage } from './execution-stage.entity.js';
import { ExecutionRollbacksService } from './execution-rollbacks.service.js';
import { ExecutionStagesRepository } from './execution-stages.repository.js';
import { ExecutionsController } from './executions.controller.js';
import { ExecutionsService } from './executions.service.js';
import { InstancesController } from './instances.controller.js';
import { InstancesService } from './instances.service.js';
import { PipelineDeployHandler, PipelineRollbackHandler } from './pipeline-job.handlers.js';
import { StageEngineDeps } from './stage-engine.deps.js';

/**
 * Executions of pipelines and their rollbacks (ADR 0014): the engine's job handlers, the executions API and the
 * Instances view. Apart from PlatformModule (which it imports) so that the imports stay acyclic.
 */
@Module({
  imports: [TypeOrmModule.forFeature([Job, ExecutionStage, ExecutionRollback]), PlatformModule, JobsModule, AuthModule],
  controllers: [ExecutionsController, InstancesController],
  providers: [
    ExecutionStagesRepository,
    StageEngineDeps,
    ExecutionsService,
    ExecutionRollbacksService,
    InstancesService,
    PipelineDeployHandler,
    PipelineRollbackHandler,
  ],
  exports: [ExecutionsService, ExecutionRollbacksService],
})
export class ExecutionsModule {}

import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthModule } from '../auth/auth.module.js';
import { JobChangeFeed } from './job-change-feed.js';
import { JobComponent } from './job-component.entity.js';
import { JobHandlers } from './job-handlers.registry.js';
import { JobLeases } from './job-leases.repository.js';
import { JobRunner } from './job-runner.service.js';
import { Job } from './job.entity.js';
import { JobsController } from './jobs.controller.js';
import { JobsRepository } from './jobs.repository.js';
import { JobsService } from './jobs.service.js';
import { Reconciler } from './reconciler.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([Job, JobComponent]), AuthModule],
  controllers: [JobsController],
  providers: [JobsService, JobsRepository, JobChangeFeed, JobLeases, JobHandlers, JobRunner, Reconciler],
  exports: [JobsService, JobsRepository, JobChangeFeed, JobHandlers, JobRunner, Reconciler, JobLeases],
})
export class JobsModule {}

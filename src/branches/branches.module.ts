import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { JobsModule } from '../jobs/jobs.module.js';
import { Branch } from './branch.entity.js';
import { BranchesController } from './branches.controller.js';
import { BranchesService } from './branches.service.js';
import { RevisionComponent } from './revision-component.entity.js';
import { Revision } from './revision.entity.js';

@Module({
  imports: [TypeOrmModule.forFeature([Branch, Revision, RevisionComponent]), JobsModule],
  controllers: [BranchesController],
  providers: [BranchesService],
  exports: [BranchesService],
})
export class BranchesModule {}

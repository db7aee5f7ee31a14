import { Module } from '@nestjs/common';
import { MulterModule } from '@nestjs/platform-express';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CONFIG } from '../config/config.module.js';
import type { Config } from '../config/config.js';
import { uploadMulterOptions } from '../uploads/upload-intake.interceptor.js';
import { JobsModule } from '../jobs/jobs.module.js';
import { Branch } from './branch.entity.js';
import { BranchesController } from './branches.controller.js';
import { BranchesService } from './branches.service.js';
import { RevisionComponent } from './revision-component.entity.js';
import { Revision } from './revision.entity.js';

@Module({
  imports: [
    TypeOrmModule.forFeature([Branch, Revision, RevisionComponent]),
    JobsModule,
    MulterModule.registerAsync({ inject: [CONFIG], useFactory: (config: Config) => uploadMulterOptions(config) }),
  ],
  controllers: [BranchesController],
  providers: [BranchesService],
  exports: [BranchesService],
})
export class BranchesModule {}

import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { OrgsModule } from '../orgs/orgs.module.js';
import { Infrastructure } from './infrastructures/infrastructure.entity.js';
import { Pipeline, PipelineVersion } from './pipelines/pipeline.entity.js';
import { PipelinesController } from './pipelines/pipelines.controller.js';
import { PipelinesService } from './pipelines/pipelines.service.js';
import { PlatformProviders } from './provider-registry.js';
import { InfrastructuresController } from './infrastructures/infrastructures.controller.js';
import { InfrastructuresService } from './infrastructures/infrastructures.service.js';
import { Service } from './services/service.entity.js';
import { ServicesController } from './services/services.controller.js';
import { ServicesService } from './services/services.service.js';

/** The platform core (ADR 0014): services, infrastructures, pipelines and the provider registry. */
@Module({
  imports: [TypeOrmModule.forFeature([Service, Infrastructure, Pipeline, PipelineVersion]), OrgsModule],
  controllers: [ServicesController, InfrastructuresController, PipelinesController],
  providers: [ServicesService, InfrastructuresService, PipelinesService, PlatformProviders],
  exports: [ServicesService, InfrastructuresService, PipelinesService, PlatformProviders],
})
export class PlatformModule {}

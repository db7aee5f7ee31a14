import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { OrgsModule } from '../orgs/orgs.module.js';
import { Infrastructure } from './infrastructures/infrastructure.entity.js';
import { PlatformProviders } from './provider-registry.js';
import { InfrastructuresController } from './infrastructures/infrastructures.controller.js';
import { InfrastructuresService } from './infrastructures/infrastructures.service.js';
import { Service } from './services/service.entity.js';
import { ServicesController } from './services/services.controller.js';
import { ServicesService } from './services/services.service.js';

/** The platform core (ADR 0014): services and infrastructures so far. */
@Module({
  imports: [TypeOrmModule.forFeature([Service, Infrastructure]), OrgsModule],
  controllers: [ServicesController, InfrastructuresController],
  providers: [ServicesService, InfrastructuresService, PlatformProviders],
  exports: [ServicesService, InfrastructuresService, PlatformProviders],
})
export class PlatformModule {}

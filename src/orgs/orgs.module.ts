import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CONFIG } from '../config/config.module.js';
import { JobsModule } from '../jobs/jobs.module.js';
import type { Config } from '../config/config.js';
import { JsforceMetadataGateway } from '../salesforce/jsforce.gateway.js';
import { loadSecretBox } from './key-ring.js';
import { METADATA_API_GATEWAY, OrgConnections, SECRET_BOX } from './org-connections.service.js';
import { Org } from './org.entity.js';
import { OrgsController } from './orgs.controller.js';
import { OrgsService } from './orgs.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([Org]), JobsModule],
  controllers: [OrgsController],
  providers: [
    OrgsService,
    OrgConnections,
    {
      provide: METADATA_API_GATEWAY,
      inject: [CONFIG],
      useFactory: (config: Config) =>
        new JsforceMetadataGateway({ callTimeoutMs: config.METADATA_CALL_TIMEOUT_SECONDS * 1000 }),
    },
    { provide: SECRET_BOX, inject: [CONFIG], useFactory: (config: Config) => loadSecretBox(config) },
  ],
  exports: [OrgsService, OrgConnections, SECRET_BOX],
})
export class OrgsModule {}

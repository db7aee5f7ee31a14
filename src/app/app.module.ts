import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AuthModule } from '../auth/auth.module.js';
import { BlobsModule } from '../blobs/blobs.module.js';
import { BranchesModule } from '../branches/branches.module.js';
import { DeploymentsModule } from '../deployments/deployments.module.js';
import { IdempotencyModule } from '../idempotency/idempotency.module.js';
import { RollbacksModule } from '../rollbacks/rollbacks.module.js';
import { SloModule } from '../slo/slo.module.js';
import { SnapshotsModule } from '../snapshots/snapshots.module.js';
import { HttpExceptionFilter } from '../common/http-exception.filter.js';
import { NulCharactersInterceptor } from '../common/nul-characters.interceptor.js';
import { ConfigModule } from '../config/config.module.js';
import type { Config } from '../config/config.js';
import { HealthModule } from '../health/health.module.js';
import { JobsModule } from '../jobs/jobs.module.js';
import { OrgsModule } from '../orgs/orgs.module.js';
import { ExecutionsModule } from '../platform/executions/executions.module.js';
import { PlatformModule } from '../platform/platform.module.js';
import { ReleasesModule } from '../platform/releases/releases.module.js';
import { EcsProviderModule } from '../platform/ecs/ecs.module.js';
import { HelmProviderModule } from '../platform/helm/helm.module.js';
import { CfProviderModule } from '../platform/cf/cf.module.js';
import { KubernetesProviderModule } from '../platform/kubernetes/kubernetes.module.js';
import { AsgProviderModule } from '../platform/asg/asg.module.js';
import { PackagesModule } from '../platform/packages/packages.module.js';
import { SalesforceStageModule } from '../platform/salesforce/salesforce-stage.module.js';
import { SshProviderModule } from '../platform/ssh/ssh.module.js';
import { QueueModule } from '../queue/queue.module.js';
import { WebModule } from '../web/web.module.js';

/** The whole service; the same modules serve the API and worker roles. */
@Module({})
export class AppModule {
  static forRoot(config: Config, dataSource: DataSource): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        TypeOrmModule.forRootAsync({
          useFactory: () => dataSource.options,
          dataSourceFactory: () => Promise.resolve(dataSource),
        }),
        QueueModule.forRoot(config),
        BlobsModule,
        IdempotencyModule,
        AuthModule,
        HealthModule,
        OrgsModule,
        PlatformModule,
        KubernetesProviderModule,
        EcsProviderModule,
        HelmProviderModule,
        CfProviderModule,
        AsgProviderModule,
        SshProviderModule,
        PackagesModule,
        ExecutionsModule,
        ReleasesModule,
        JobsModule,
        BranchesModule,
        SnapshotsModule,
        DeploymentsModule,
        RollbacksModule,
        SalesforceStageModule,
        SloModule,
        WebModule,
      ],
      providers: [
        { provide: APP_FILTER, useClass: HttpExceptionFilter },
        { provide: APP_INTERCEPTOR, useClass: NulCharactersInterceptor },
      ],
    };
  }
}

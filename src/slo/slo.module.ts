import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthModule } from '../auth/auth.module.js';
import { OrgsModule } from '../orgs/orgs.module.js';
import { ExecutionsModule } from '../platform/executions/executions.module.js';
import { PlatformModule } from '../platform/platform.module.js';
import { AlertmanagerController } from './alertmanager.controller.js';
import { AlertmanagerReceiver } from './alertmanager-receiver.service.js';
import { SloConfigService } from './slo-config.service.js';
import { SloController } from './slo.controller.js';
import { SloEvaluator } from './slo-evaluator.service.js';
import { HealthSource, MonitoredService, RollbackPolicy, Slo, SloDecision } from './slo.entity.js';
import { SloRollbacksService } from './slo-rollbacks.service.js';

/**
 * SLO-driven automatic rollback (issue 16): health sources, monitored services, SLOs and rollback policies; the
 * Alertmanager webhook receiver and the evaluator both decide through SloRollbacksService.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([HealthSource, MonitoredService, Slo, RollbackPolicy, SloDecision]),
    AuthModule,
    OrgsModule,
    PlatformModule,
    ExecutionsModule,
  ],
  controllers: [SloController, AlertmanagerController],
  providers: [SloConfigService, SloRollbacksService, AlertmanagerReceiver, SloEvaluator],
  exports: [SloConfigService, SloRollbacksService, SloEvaluator],
})
export class SloModule {}

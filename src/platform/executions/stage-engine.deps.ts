import { Inject, Injectable } from '@nestjs/common';
import { CONFIG } from '../../config/config.module.js';
import type { Config } from '../../config/config.js';
import { InfrastructuresService } from '../infrastructures/infrastructures.service.js';
import { PlatformProviders } from '../provider-registry.js';
import { ExecutionStagesRepository } from './execution-stages.repository.js';
import type { EngineDeps } from './stage-engine.js';

/** A stage's status is read at most this often (DEPLOY_POLL_MAX_SECONDS when it is shorter). */
const STATUS_POLL_CEILING_MS = 1_000;

/** The execution engine's outside world in the running service: providers, stage rows, connections. */
@Injectable()
export class StageEngineDeps implements EngineDeps {
  readonly statusPollMs: number;

  constructor(
    readonly providers: PlatformProviders,
    readonly store: ExecutionStagesRepository,
    private readonly infrastructures: InfrastructuresService,
    @Inject(CONFIG) config: Pick<Config, 'DEPLOY_POLL_MAX_SECONDS'>,
  ) {
    this.statusPollMs = Math.min(STATUS_POLL_CEILING_MS, config.DEPLOY_POLL_MAX_SECONDS * 1000);
  }

  openTarget(infrastructureId: string) {
    return this.infrastructures.openConnection(infrastructureId);
  }
}

import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Response } from 'express';
import type { DataSource } from 'typeorm';
import { Public } from '../auth/auth.decorators.js';
import { CONFIG } from '../config/config.module.js';
import type { Config } from '../config/config.js';
import { JOB_QUEUE, type JobQueue } from '../queue/job-queue.js';
import { Metrics } from './metrics.js';
import { withTimeout } from '../common/retry.js';

/** /health answers within about a second whatever the database and the queue do. */
const HEALTH_TIMEOUT_MS = 1_000;

@ApiTags('operations')
@Controller()
@Public()
export class HealthController {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(JOB_QUEUE) private readonly queue: JobQueue,
    @Inject(CONFIG) private readonly config: Config,
    private readonly metrics: Metrics,
  ) {}

  /** Liveness: the process answers (no dependency is asked). */
  @Get('health/live')
  live() {
    return { status: 'ok' };
  }

  /** 200 when the database and the queue answer, 503 otherwise; says which. */
  @Get('health')
  async health(@Res() res: Response) {
    const timeout = () => new Error(`no answer within ${HEALTH_TIMEOUT_MS} ms`);
    const database = await withTimeout(this.db.query('SELECT 1'), HEALTH_TIMEOUT_MS, timeout)
      .then(() => ({ ok: true, driver: this.config.embeddedDatabase ? 'pglite' : 'postgres' }))
      .catch((e: unknown) => ({
        ok: false,
        driver: this.config.embeddedDatabase ? 'pglite' : 'postgres',
        detail: String(e),
      }));
    const answer = await withTimeout(this.queue.health(), HEALTH_TIMEOUT_MS, timeout).catch((e: unknown) => ({
      ok: false,
      detail: e instanceof Error ? e.message : String(e),
    }));
    const queue = { driver: this.queue.driver, ...answer };
    const ok = database.ok && queue.ok;
    res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'degraded', role: this.config.ROLE, database, queue });
  }

  @Get('metrics')
  async prometheus(@Res() res: Response) {
    res.setHeader('Content-Type', this.metrics.registry.contentType);
    res.send(await this.metrics.registry.metrics());
  }
}

import { Module, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { NextFunction, Request, Response } from 'express';
import type { DataSource } from 'typeorm';
import { BlobStore } from '../blobs/blob-store.js';
import { HealthController } from './health.controller.js';
import { Metrics } from './metrics.js';

@Module({
  controllers: [HealthController],
  providers: [
    {
      provide: Metrics,
      inject: [getDataSourceToken(), BlobStore],
      useFactory: (db: DataSource, blobs: BlobStore) =>
        new Metrics(
          async () => {
            const rows: { kind: string; status: string; count: string }[] = await db.query(
              `SELECT kind, status, count(*) AS count FROM jobs GROUP BY kind, status`,
            );
            return rows.map((r) => ({ ...r, count: Number(r.count) }));
          },
          () => blobs.usage(),
        ),
    },
  ],
})
export class HealthModule implements NestModule {
  constructor(private readonly metrics: Metrics) {}

  configure(consumer: MiddlewareConsumer) {
    consumer
      .apply((req: Request, res: Response, next: NextFunction) => {
        const stop = this.metrics.httpDuration.startTimer();
        res.on('finish', () => {
          const route =
            (req.route as { path?: string } | undefined)?.path ??
            (res.statusCode === 404 ? 'unmatched' : req.path.split('/').slice(0, 3).join('/'));
          const labels = { method: req.method, route: `${req.baseUrl}${route}` };
          stop(labels);
          this.metrics.httpRequests.inc({ ...labels, status: String(res.statusCode) });
        });
        next();
      })
      .forRoutes('*path');
  }
}

import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The process's Prometheus registry: Node defaults, HTTP requests, and jobs by kind and status (read at scrape time). */
export class Metrics {
  readonly registry = new Registry();
  readonly httpRequests = new Counter({
    name: 'backtrack_http_requests_total',
    help: 'HTTP requests by method, route and status code',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });
  readonly httpDuration = new Histogram({
    name: 'backtrack_http_request_duration_seconds',
    help: 'HTTP request duration',
    labelNames: ['method', 'route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [this.registry],
  });
  readonly jobs: Gauge<'kind' | 'status'>;
  readonly blobBytes: Gauge<'measure'>;

  constructor(
    countJobs: () => Promise<{ kind: string; status: string; count: number }[]>,
    blobUsage: () => Promise<{ storedBytes: number; logicalBytes: number }>,
  ) {
    collectDefaultMetrics({ register: this.registry, prefix: 'backtrack_' });
    this.jobs = new Gauge({
      name: 'backtrack_jobs',
      help: 'Jobs by kind and status',
      labelNames: ['kind', 'status'] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const row of await countJobs()) this.set({ kind: row.kind, status: row.status }, row.count);
      },
    });
    this.blobBytes = new Gauge({
      name: 'backtrack_blob_bytes',
      help: 'Bytes in the content-addressed blob store: stored (compressed) and logical (uncompressed)',
      labelNames: ['measure'] as const,
      registers: [this.registry],
      async collect() {
        const usage = await blobUsage();
        this.set({ measure: 'stored' }, usage.storedBytes);
        this.set({ measure: 'logical' }, usage.logicalBytes);
      },
    });
  }
}

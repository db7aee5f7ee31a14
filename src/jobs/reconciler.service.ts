import { Inject, Injectable, Logger } from '@nestjs/common';
import { CONFIG } from '../config/config.module.js';
import type { Config } from '../config/config.js';
import { enqueueSaved, JOB_QUEUE, type JobQueue } from '../queue/job-queue.js';
import { JobLeases } from './job-leases.repository.js';

/**
 * Makes the database, not the queue, the source of truth: at start-up and every few seconds, every unfinished job
 * that no live worker holds is put back on the queue — Queued jobs a restarted Redis forgot, and In Progress jobs
 * whose worker died (their handler resumes them; the runner fails a job that keeps dying).
 */
@Injectable()
export class Reconciler {
  private readonly logger = new Logger('Reconciler');
  private timer: NodeJS.Timeout | null = null;

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    @Inject(JOB_QUEUE) private readonly queue: JobQueue,
    private readonly leases: JobLeases,
  ) {}

  async start(): Promise<void> {
    if (this.config.embeddedQueue) await this.leases.expireAllLeases();
    await this.sweep();
    const every = Math.max(2, Math.floor(this.config.JOB_LEASE_SECONDS / 3)) * 1000;
    this.timer = setInterval(
      () => void this.sweep().catch((e: unknown) => this.logger.warn(`Sweep failed: ${String(e)}`)),
      every,
    );
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Re-enqueues every orphaned job; returns how many. */
  async sweep(): Promise<number> {
    const orphans = await this.leases.orphans();
    for (const job of orphans) {
      if (job.status === 'In Progress')
        this.logger.warn(`Job ${job.id} was In Progress with no live worker; resuming it`);
      await enqueueSaved(this.queue, job.id, (m) => this.logger.warn(m));
    }
    return orphans.length;
  }
}

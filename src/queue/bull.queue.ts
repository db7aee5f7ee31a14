import { Logger } from '@nestjs/common';
import type { Queue } from 'bull';
import { withTimeout } from '../common/retry.js';
import type { JobQueue } from './job-queue.js';

/** How long a health check waits for Redis. */
const HEALTH_TIMEOUT_MS = 1_000;

/** Jobs through Redis with Bull: any number of API and worker processes on any number of machines. */
export class BullQueue implements JobQueue {
  readonly driver = 'bull' as const;

  private readonly logger = new Logger('BullQueue');

  /** `enqueueTimeoutMs`: Redis unreachable makes `add` wait minutes (ioredis queues commands offline); not us. */
  constructor(
    private readonly queue: Queue<{ jobId: string }>,
    private readonly enqueueTimeoutMs = 1_000,
  ) {}

  async enqueue(jobId: string, delayMs = 0): Promise<void> {
    const options = { delay: delayMs, removeOnComplete: true, removeOnFail: 1000, attempts: 1 };
    const added = this.queue.add({ jobId }, options);
    const ms = this.enqueueTimeoutMs;
    await withTimeout(added, ms, () => new Error(`Redis did not take job ${jobId} within ${ms} ms`));
  }

  consume(handler: (jobId: string) => Promise<void>, concurrency: number): void {
    this.queue
      .process(concurrency, async (job) => handler(job.data.jobId))
      .catch((error: unknown) => this.logger.error(`The queue stopped delivering jobs: ${String(error)}`));
  }

  async health() {
    try {
      const ping = async () => (await this.queue.isReady()).client.ping();
      const timeout = () => new Error(`Redis did not answer within ${HEALTH_TIMEOUT_MS} ms`);
      // ioredis types the answer as 'PONG'; what comes back over the wire is checked, not assumed.
      const pong: string = await withTimeout(ping(), HEALTH_TIMEOUT_MS, timeout);
      return { ok: pong === 'PONG', detail: `redis ${pong}` };
    } catch (error) {
      return { ok: false, detail: error instanceof Error ? error.message : String(error) };
    }
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}

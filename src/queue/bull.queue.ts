import type { Queue } from 'bull';
import type { JobQueue } from './job-queue.js';

/** Jobs through Redis with Bull: any number of API and worker processes on any number of machines. */
export class BullQueue implements JobQueue {
  readonly driver = 'bull' as const;

  constructor(private readonly queue: Queue<{ jobId: string }>) {}

  async enqueue(jobId: string, delayMs = 0): Promise<void> {
    await this.queue.add({ jobId }, { delay: delayMs, removeOnComplete: true, removeOnFail: 1000, attempts: 1 });
  }

  consume(handler: (jobId: string) => Promise<void>, concurrency: number): void {
    void this.queue.process(concurrency, async (job) => handler(job.data.jobId));
  }

  async health() {
    try {
      const client = await this.queue.isReady();
      const pong = await client.client.ping();
      return { ok: pong === 'PONG', detail: `redis ${pong}` };
    } catch (error) {
      return { ok: false, detail: error instanceof Error ? error.message : String(error) };
    }
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}

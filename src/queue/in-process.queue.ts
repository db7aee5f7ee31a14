import type { JobQueue } from './job-queue.js';

/** Runs jobs inside this process with the same processors as Bull — the embedded default, no Redis needed. */
export class InProcessQueue implements JobQueue {
  readonly driver = 'in-process' as const;
  private readonly waiting: string[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private handler: ((jobId: string) => Promise<void>) | null = null;
  private concurrency = 1;
  private running = 0;
  private closed = false;
  private readonly idle = new Set<() => void>();

  /** Queues at once (the promise is JobQueue's contract: Bull's enqueue waits for Redis). */
  enqueue(jobId: string, delayMs = 0): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (delayMs > 0) {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        this.push(jobId);
      }, delayMs);
      this.timers.add(timer);
      return Promise.resolve();
    }
    this.push(jobId);
    return Promise.resolve();
  }

  consume(handler: (jobId: string) => Promise<void>, concurrency: number): void {
    this.handler = handler;
    this.concurrency = concurrency;
    this.pump();
  }

  health(): Promise<{ ok: boolean; detail: string }> {
    return Promise.resolve({ ok: !this.closed, detail: `${this.running} running, ${this.waiting.length} waiting` });
  }

  /** Stops taking work and waits for the jobs in flight. */
  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.waiting.length = 0;
    if (this.running > 0) await new Promise<void>((resolve) => this.idle.add(resolve));
  }

  private push(jobId: string) {
    if (!this.waiting.includes(jobId)) this.waiting.push(jobId);
    this.pump();
  }

  private pump() {
    while (this.handler && !this.closed && this.running < this.concurrency && this.waiting.length > 0) {
      const jobId = this.waiting.shift()!;
      this.running += 1;
      void this.handler(jobId)
        .catch(() => undefined)
        .finally(() => {
          this.running -= 1;
          if (this.running === 0) for (const resolve of this.idle) resolve();
          this.idle.clear();
          this.pump();
        });
    }
  }
}

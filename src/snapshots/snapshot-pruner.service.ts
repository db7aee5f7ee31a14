import { Injectable, Logger } from '@nestjs/common';
import { SnapshotsService } from './snapshots.service.js';

const EVERY_MS = 60 * 60 * 1000;

/**
 * Something else retention prunes on the snapshots' schedule (package versions, issue 14), registered by its own
 * module so that snapshots need not know it. `prune` answers how many things it pruned and drops their blobs.
 */
export interface RetentionHook {
  readonly name: string;
  prune(now: Date): Promise<number>;
}

/** Prunes expired snapshots, then every registered hook, at worker start-up and every hour after. */
@Injectable()
export class SnapshotPruner {
  private readonly logger = new Logger('SnapshotPruner');
  private readonly hooks: RetentionHook[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly snapshots: SnapshotsService) {}

  register(hook: RetentionHook): void {
    this.hooks.push(hook);
  }

  /** One pass; a step that fails is logged and does not stop the others. */
  async runOnce(now = new Date()): Promise<void> {
    await this.snapshots.prune(now).catch((e: unknown) => this.logger.warn(`Pruning failed: ${String(e)}`));
    for (const hook of this.hooks) {
      await hook.prune(now).catch((e: unknown) => this.logger.warn(`Pruning ${hook.name} failed: ${String(e)}`));
    }
  }

  start(): void {
    const run = () => void this.runOnce();
    run();
    this.timer = setInterval(run, EVERY_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}

import { Injectable, Logger } from '@nestjs/common';
import { SnapshotsService } from './snapshots.service.js';

const EVERY_MS = 60 * 60 * 1000;

/** Prunes expired snapshots at worker start-up and every hour after. */
@Injectable()
export class SnapshotPruner {
  private readonly logger = new Logger('SnapshotPruner');
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly snapshots: SnapshotsService) {}

  start(): void {
    const run = () =>
      void this.snapshots.prune().catch((e: unknown) => this.logger.warn(`Pruning failed: ${String(e)}`));
    run();
    this.timer = setInterval(run, EVERY_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}

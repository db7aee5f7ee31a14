import { Injectable } from '@nestjs/common';
import type { JobHandler } from './job-handler.js';
import type { JobKind } from './job.entity.js';

export const JOB_KINDS: JobKind[] = ['Deploy', 'Rollback'];

/** Job handlers by kind; start-up fails when a kind has none or two. */
@Injectable()
export class JobHandlers {
  private readonly handlers = new Map<JobKind, JobHandler>();

  register(handler: JobHandler): void {
    if (this.handlers.has(handler.kind)) throw new Error(`Two job handlers registered for kind "${handler.kind}"`);
    this.handlers.set(handler.kind, handler);
  }

  get(kind: JobKind): JobHandler {
    const handler = this.handlers.get(kind);
    if (!handler) throw new Error(`No job handler for kind "${kind}"`);
    return handler;
  }

  assertComplete(kinds: JobKind[] = JOB_KINDS): void {
    const missing = kinds.filter((k) => !this.handlers.has(k));
    if (missing.length) throw new Error(`No job handler registered for: ${missing.join(', ')}`);
  }
}

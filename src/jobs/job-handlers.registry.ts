import { Injectable } from '@nestjs/common';
import type { JobHandler } from './job-handler.js';
import type { JobKind, JobTarget } from './job.entity.js';

export const JOB_KINDS: JobKind[] = ['Deploy', 'Rollback'];
export const JOB_TARGETS: JobTarget[] = ['salesforce', 'pipeline'];

/** Job handlers by (kind, target); start-up fails when a pair has none or two. */
@Injectable()
export class JobHandlers {
  private readonly handlers = new Map<string, JobHandler>();

  register(handler: JobHandler): void {
    const key = `${handler.kind}/${handler.target}`;
    if (this.handlers.has(key)) throw new Error(`Two job handlers registered for ${key}`);
    this.handlers.set(key, handler);
  }

  get(kind: JobKind, target: JobTarget): JobHandler {
    const handler = this.handlers.get(`${kind}/${target}`);
    if (!handler) throw new Error(`No job handler for ${kind}/${target}`);
    return handler;
  }

  /** Every (kind, target) pair has its handler. */
  assertComplete(kinds: JobKind[] = JOB_KINDS, targets: JobTarget[] = JOB_TARGETS): void {
    const missing = kinds.flatMap((k) => targets.map((t) => `${k}/${t}`)).filter((key) => !this.handlers.has(key));
    if (missing.length) throw new Error(`No job handler registered for: ${missing.join(', ')}`);
  }
}

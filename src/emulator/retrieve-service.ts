// Runs retrieves: Pending → InProgress → done over the configured latency; retrieves do not queue.
import { setTimeout as sleep } from 'node:timers/promises';
import { isLimitErrorResult, type LimitError, type MetadataLimits } from './metadata-limits.js';
import type { Org } from './org-registry.js';
import { buildRetrieve, type RetrieveOutput, type RetrieveRequest } from './retrieve-engine.js';
import { newSalesforceId } from './salesforce-id.js';
import type { XmlValue } from './xml-writer.js';

export type RetrieveStatus = 'Pending' | 'InProgress' | 'Succeeded' | 'Failed';

export interface RetrieveJob {
  readonly id: string;
  readonly orgId: string;
  status: RetrieveStatus;
  output?: RetrieveOutput;
  error?: LimitError;
}

export interface RetrieveServiceOptions {
  readonly limits: MetadataLimits;
  readonly latencyMs: () => number;
  readonly onError: (error: unknown) => void;
}

const PENDING_SHARE = 0.3;
/** Retrieves kept for status checks; the oldest are forgotten first. */
const KEPT_JOBS = 200;

export class RetrieveService {
  private readonly jobs = new Map<string, RetrieveJob>();
  private readonly closing = new AbortController();

  constructor(private readonly options: RetrieveServiceOptions) {}

  submit(org: Org, request: RetrieveRequest): RetrieveJob {
    const job: RetrieveJob = { id: newSalesforceId('09S'), orgId: org.id, status: 'Pending' };
    this.jobs.set(job.id, job);
    if (this.jobs.size > KEPT_JOBS) this.jobs.delete(this.jobs.keys().next().value as string);
    this.run(org, job, request).catch((error: unknown) => {
      this.options.onError(error);
      job.status = 'Failed';
      job.error = {
        errorStatusCode: 'UNKNOWN_EXCEPTION',
        errorMessage: `UNKNOWN_EXCEPTION: ${(error as Error).message}`,
      };
    });
    return job;
  }

  find(org: Org, id: string): RetrieveJob | undefined {
    const job = this.jobs.get(id);
    return job && job.orgId === org.id ? job : undefined;
  }

  close(): void {
    this.closing.abort();
  }

  private async pause(ms: number): Promise<boolean> {
    if (ms > 0) await sleep(ms, undefined, { signal: this.closing.signal }).catch(() => undefined);
    return !this.closing.signal.aborted;
  }

  private async run(org: Org, job: RetrieveJob, request: RetrieveRequest): Promise<void> {
    const latency = this.options.latencyMs();
    if (!(await this.pause(latency * PENDING_SHARE))) return;
    job.status = 'InProgress';
    const result = buildRetrieve(org.components, request, this.options.limits);
    if (!(await this.pause(latency * (1 - PENDING_SHARE)))) return;
    if (isLimitErrorResult(result)) {
      job.status = 'Failed';
      job.error = result;
    } else {
      job.status = 'Succeeded';
      job.output = result;
    }
  }
}

/** The RetrieveResult a checkRetrieveStatus call answers. */
export function retrieveResultXml(job: RetrieveJob, includeZip: boolean): XmlValue {
  const done = job.status === 'Succeeded' || job.status === 'Failed';
  return {
    done,
    errorMessage: job.error?.errorMessage,
    errorStatusCode: job.error?.errorStatusCode,
    fileProperties: job.output?.fileProperties ?? [],
    id: job.id,
    messages: (job.output?.messages ?? []).map((m) => ({ ...m })),
    status: job.status,
    success: job.status === 'Succeeded',
    zipFile: includeZip && job.output ? job.output.zipFile.toString('base64') : undefined,
  };
}

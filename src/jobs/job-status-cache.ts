/**
 * What `GET /api/jobs/:id` serves, kept per job version so that a poller's 304 costs no query and a 200 sends a body
 * serialized once (ADR 0021). Plain code: the service decides when to trust it (JobChangeFeed).
 */

/** A job's status page at one version. */
export interface JobStatus {
  version: number;
  /** The environments the job touches, sorted: a reader needs `read` in each (they never change after creation). */
  environments: string[];
  /** The JSON body, exactly as `res.json` would send it. */
  body: string;
  /** Until when the body holds (ms since the epoch): a job waiting to retry shows `waitingUntil` only until then. */
  expiresAt: number;
}

/** The ETag of a job's status at a version. */
export function jobEtag(id: string, version: number): string {
  return `W/"${id}.${version}"`;
}

/**
 * Until when a job's presented body holds at its version: forever, except that a running job waiting after a passing
 * fault shows `waitingUntil` while that time is ahead, so its body changes then without a new version.
 */
export function bodyExpiry(job: { status: string; state: Record<string, unknown> }, now: number): number {
  const retryAt = job.state.retryAt;
  if (job.status !== 'In Progress' || typeof retryAt !== 'string') return Infinity;
  const at = Date.parse(retryAt);
  return at > now ? at : Infinity;
}

/** Whether a cached status may be served now. */
export function stillHolds(status: JobStatus, now: number): boolean {
  return now < status.expiresAt;
}

/** Characters of bodies a process keeps (a rollback's options can list thousands of components). */
const MAX_BYTES = 32 * 1024 * 1024;

interface Loading {
  promise: Promise<JobStatus>;
  /** Set when the job changed (or news may have been missed) while it loaded: the result is not kept. */
  outdated: boolean;
}

/**
 * Job statuses by id, least recently used dropped past MAX_BYTES. A load of a job runs once however many pollers ask
 * together; a change heard while it runs keeps its result out of the cache (it may predate the change).
 */
export class JobStatusCache {
  private readonly entries = new Map<string, JobStatus>();
  private readonly loading = new Map<string, Loading>();
  private bytes = 0;

  constructor(private readonly maxBytes = MAX_BYTES) {}

  /** The cached status of a job if it may be served at `now`. */
  get(id: string, now: number): JobStatus | undefined {
    const status = this.entries.get(id);
    if (!status) return undefined;
    if (!stillHolds(status, now)) {
      this.forget(id);
      return undefined;
    }
    // Most recently used last.
    this.entries.delete(id);
    this.entries.set(id, status);
    return status;
  }

  /** Loads a job's status once for all who ask meanwhile, and keeps it unless the job changed during the load. */
  load(id: string, loader: () => Promise<JobStatus>): Promise<JobStatus> {
    const running = this.loading.get(id);
    if (running) return running.promise;
    const loading = { outdated: false } as Loading;
    loading.promise = loader()
      .then((status) => {
        if (!loading.outdated) this.keep(id, status);
        return status;
      })
      .finally(() => {
        if (this.loading.get(id) === loading) this.loading.delete(id);
      });
    this.loading.set(id, loading);
    return loading.promise;
  }

  /** The job changed: its cached status goes, and a load under way is not kept. */
  changed(id: string): void {
    this.forget(id);
    const loading = this.loading.get(id);
    if (loading) {
      loading.outdated = true;
      this.loading.delete(id);
    }
  }

  /** Changes may have been missed: everything goes. */
  clear(): void {
    this.entries.clear();
    this.bytes = 0;
    for (const loading of this.loading.values()) loading.outdated = true;
    this.loading.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  private keep(id: string, status: JobStatus): void {
    this.forget(id);
    if (status.body.length > this.maxBytes) return;
    this.entries.set(id, status);
    this.bytes += status.body.length;
    for (const [oldest, entry] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.bytes -= entry.body.length;
    }
  }

  private forget(id: string): void {
    const status = this.entries.get(id);
    if (!status) return;
    this.entries.delete(id);
    this.bytes -= status.body.length;
  }
}

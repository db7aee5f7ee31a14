import crypto from 'node:crypto';
import os from 'node:os';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { CONFIG } from '../config/config.module.js';
import type { Config } from '../config/config.js';
import { enqueueSaved, JOB_QUEUE, type JobQueue } from '../queue/job-queue.js';
import { JobComponentsWriter } from './job-components.writer.js';
import { classifyFault, decideFault, type FaultDecision } from './fault-decision.js';
import { LeaseLostError, type JobContext, type JobHandler, type JobOutcome, type JobWait } from './job-handler.js';
import { JobHandlers } from './job-handlers.registry.js';
import { JobLeases } from './job-leases.repository.js';
import { memberKey } from '../salesforce/component.types.js';
import { JobLogWriter } from './job-log.writer.js';
import { jobTarget, type Job } from './job.entity.js';
import { JobsRepository } from './jobs.repository.js';

/** How long a job waits before trying again for a target another job holds (after a passing fault: fault-decision.ts). */
const TARGET_BUSY_RETRY_MS = 1_000;
export const MAX_ATTEMPTS = 5;

/** Takes job ids off the queue and runs them: lease, target locks, handler, outcome — resumable at every step. */
@Injectable()
export class JobRunner {
  readonly workerId = `${os.hostname()}:${process.pid}:${crypto.randomBytes(3).toString('hex')}`;
  private readonly logger = new Logger('JobRunner');
  private readonly running = new Map<string, AbortController>();
  private stopping = false;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(CONFIG) private readonly config: Config,
    @Inject(JOB_QUEUE) private readonly queue: JobQueue,
    private readonly leases: JobLeases,
    private readonly jobs: JobsRepository,
    private readonly handlers: JobHandlers,
  ) {}

  start(): void {
    this.handlers.assertComplete();
    this.queue.consume((jobId) => this.run(jobId), this.config.WORKER_CONCURRENCY);
    this.logger.log(
      `Worker ${this.workerId} takes jobs from the ${this.queue.driver} queue (concurrency ${this.config.WORKER_CONCURRENCY})`,
    );
  }

  /** Stops the jobs in flight without finishing them; another worker (or this one after a restart) resumes them. */
  stop(): void {
    this.stopping = true;
    for (const controller of this.running.values()) controller.abort(new Error('worker shutting down'));
  }

  async run(jobId: string): Promise<void> {
    if (this.stopping) return;
    const lease = this.config.JOB_LEASE_SECONDS;
    const claimed = await this.leases.claim(jobId, this.workerId, lease);
    if (!claimed) return;
    let job: Job = claimed;
    const handler = this.handlers.get(job.kind, jobTarget(job));
    if (job.attempts >= MAX_ATTEMPTS) {
      await this.jobs.finish(job.id, {
        status: 'Exception',
        error: `The job was started ${MAX_ATTEMPTS} times and never finished; giving up. See its log.`,
      });
      await handler.afterException?.(job);
      await this.leases.release(job.id, this.workerId);
      return;
    }
    const targets = await this.targetsOf(handler, job);
    if (targets.length && !(await this.leases.lockTargets(targets, job.id, this.workerId, lease))) {
      await this.waitForTargets(job, targets);
      return;
    }

    const resumed = job.status === 'In Progress';
    const logWriter = await JobLogWriter.open(this.db, job.id);
    job = await this.jobs.startAttempt(job);
    logWriter.write(
      'info',
      resumed ? `Resumed by worker ${this.workerId} (attempt ${job.attempts})` : `Started by worker ${this.workerId}`,
    );

    const controller = new AbortController();
    // The database stayed away through every retry of a log write: pause the job (it is resumed later).
    logWriter.onUnavailable((error) => {
      this.logger.error(
        `Job ${job.id}: cannot write its log (${describe(error)}); pausing it until the database is back`,
      );
      controller.abort(new Error('the database is unavailable'));
    });
    this.running.set(job.id, controller);
    const heartbeat = setInterval(
      () => {
        void this.leases.renew(job.id, this.workerId, lease).then(
          (held) => held || controller.abort(new LeaseLostError('lease lost')),
          () => undefined,
        );
      },
      Math.max(1000, (lease * 1000) / 3),
    );

    const context = this.context(job, resumed, controller.signal, logWriter);
    let outcome: JobOutcome | null = null;
    let retry: Pick<Extract<FaultDecision, { action: 'retry' }>, 'delayMs'> | null = null;
    let endedByRunner = false;
    try {
      const result = await handler.run(context);
      if (result.status === 'Waiting') {
        retry = { delayMs: result.retryInMs };
        await this.logWait(job, result, logWriter);
      } else outcome = result;
    } catch (error) {
      if (controller.signal.aborted || error instanceof LeaseLostError) {
        logWriter.write('warn', `Worker ${this.workerId} stopped before the job finished; it will be resumed.`);
      } else {
        const decision = decideFault({
          kind: classifyFault(error),
          message: describe(error),
          reachedSalesforce: Boolean(job.state.asyncId || job.state.submitting),
          elapsedMs: Date.now() - (job.startedAt ?? job.createdAt).getTime(),
          deadlineMs: this.config.DEPLOY_TIMEOUT_MINUTES * 60_000,
        });
        if (decision.action === 'retry') {
          retry = decision;
          logWriter.write('warn', decision.log);
        } else {
          const stack = error instanceof Error ? error.stack : undefined;
          this.logger.error(`Job ${job.id} failed: ${decision.error}`, stack);
          logWriter.write('error', `The job stopped: ${decision.error}`);
          outcome = { status: 'Exception', error: decision.error };
          endedByRunner = true;
        }
      }
    } finally {
      clearInterval(heartbeat);
      this.running.delete(job.id);
    }
    try {
      if (outcome) {
        const level = outcome.status === 'Completed' ? 'info' : 'error';
        logWriter.write(level, `Finished: ${outcome.status}${outcome.error ? ` — ${outcome.error}` : ''}`);
      }
      await logWriter.flush();
      if (outcome) await this.jobs.finish(job.id, outcome);
      if (endedByRunner) await handler.afterException?.(job);
      // A passing fault does not use up one of the job's attempts; the reconciler also honours retryAt.
      if (retry) await this.jobs.deferRetry(job.id, new Date(Date.now() + retry.delayMs));
      await this.leases.release(job.id, this.workerId);
    } catch (error) {
      // The database is away: the lease expires and the reconciler resumes the job once it answers.
      logWriter.close();
      this.logger.error(
        `Job ${job.id}: could not record the end of this attempt (${describe(error)}); it is resumed later`,
      );
      return;
    }
    if (retry) await this.enqueueQuietly(job.id, retry.delayMs);
  }

  private async enqueueQuietly(jobId: string, delayMs: number): Promise<void> {
    await enqueueSaved(this.queue, jobId, (m) => this.logger.warn(m), delayMs);
  }

  private async targetsOf(handler: JobHandler, job: Job): Promise<string[]> {
    if (handler.targets) return handler.targets(job);
    return job.infrastructureId ? [job.infrastructureId] : [];
  }

  private async waitForTargets(job: Job, targets: string[]): Promise<void> {
    const holder = await this.leases.targetHolder(targets, job.id);
    // Released before saying so: once "Waiting" shows, the job is Queued and nobody holds it (a cancel ends it at once).
    await this.leases.release(job.id, this.workerId);
    if (holder && job.state.waitingFor !== holder) {
      await this.jobs.saveState(job.id, { waitingFor: holder });
      const writer = await JobLogWriter.open(this.db, job.id);
      writer.write(
        'info',
        job.orgId
          ? `Waiting: job ${holder} is running against the same org (Salesforce runs one deploy per org at a time).`
          : `Waiting: job ${holder} is changing the same infrastructure (one job per infrastructure at a time).`,
      );
      await writer.flush();
    }
    await this.enqueueQuietly(job.id, TARGET_BUSY_RETRY_MS);
  }

  /** A waiting job logs why once per reason; the attempt is not counted (deferRetry). */
  private async logWait(job: Job, wait: JobWait, logWriter: JobLogWriter): Promise<void> {
    if (job.state.waitReason === wait.reason) return;
    await this.jobs.saveState(job.id, { waitReason: wait.reason });
    logWriter.write('info', `Waiting: ${wait.reason}`);
  }

  private context(job: Job, resumed: boolean, signal: AbortSignal, logWriter: JobLogWriter): JobContext {
    const components = new JobComponentsWriter(this.db, job.id);
    return {
      job,
      resumed,
      signal,
      log: (level, message, component) => logWriter.write(level, message, component ? memberKey(component) : null),
      setProgress: (progress) => this.jobs.setProgress(job.id, progress),
      saveState: async (patch) => {
        await this.jobs.saveState(job.id, patch);
        Object.assign(job.state, patch);
      },
      upsertComponents: (rows) => components.upsert(rows),
      settlePending: (change, except) => components.settlePending(change, except),
      setCounts: (counts) => this.jobs.setCounts(job.id, counts),
      cancelRequested: () => this.jobs.cancelRequest(job.id),
    };
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

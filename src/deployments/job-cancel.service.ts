import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { assertCan } from '../auth/auth.guard.js';
import type { Principal } from '../auth/permissions.js';
import { ConflictError } from '../common/errors.js';
import { JobHandlers } from '../jobs/job-handlers.registry.js';
import { JobLogWriter } from '../jobs/job-log.writer.js';
import { jobTarget, type Job } from '../jobs/job.entity.js';
import { JobsRepository } from '../jobs/jobs.repository.js';
import { isFinished, JobsService } from '../jobs/jobs.service.js';

/**
 * Cancels a Deploy or Rollback job. A Queued job nobody has taken ends at once (nothing reached Salesforce); a
 * running one is marked, and its worker acts on it: before submission it stops, after submission it asks Salesforce
 * to cancel the deploy (cancelDeploy) and records how the deploy ended — Canceled, or done before the cancel took.
 */
@Injectable()
export class JobCancellation {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly jobs: JobsService,
    private readonly jobWrites: JobsRepository,
    private readonly handlers: JobHandlers,
  ) {}

  async cancel(jobId: string, principal: Principal): Promise<Job> {
    const job = await this.jobs.get(jobId);
    // Every environment the job changes: its org's, or each stage's for an execution and its rollback.
    const environments = await this.jobs.environmentsOf(job.id);
    if (!environments.length) assertCan(principal, 'deploy');
    for (const environment of environments) assertCan(principal, 'deploy', environment);
    const by = principal.name;
    if (isFinished(job) || !(await this.jobWrites.requestCancel(job.id, by))) {
      throw new ConflictError(`Job ${job.id} already finished (${job.status}); there is nothing to cancel.`);
    }
    const error = `Canceled by ${by} before it started; nothing reached Salesforce.`;
    if (await this.jobWrites.finishIfQueued(job.id, { status: 'Exception', error })) {
      await this.handlers.get(job.kind, jobTarget(job)).afterException?.(await this.jobs.get(job.id));
      await this.log(job.id, error);
    } else {
      await this.log(
        job.id,
        `${by} asked to cancel the job; the worker running it stops it (a submitted deploy is canceled in Salesforce).`,
      );
    }
    return this.jobs.get(job.id);
  }

  private async log(jobId: string, message: string): Promise<void> {
    const writer = await JobLogWriter.open(this.db, jobId);
    writer.write('warn', message);
    await writer.flush();
  }
}

import { Inject, Injectable, Logger } from '@nestjs/common';
import { z } from 'zod';
import { assertCan } from '../auth/auth.guard.js';
import type { Principal } from '../auth/permissions.js';
import { BranchesService } from '../branches/branches.service.js';
import { BadRequestError, UnprocessableError } from '../common/errors.js';
import type { Job } from '../jobs/job.entity.js';
import { JobsRepository } from '../jobs/jobs.repository.js';
import { OrgsService } from '../orgs/orgs.service.js';
import { enqueueSaved, JOB_QUEUE, type JobQueue } from '../queue/job-queue.js';
import { memberKey } from '../salesforce/component.types.js';
import { checkDeployLimits } from '../salesforce/limits.js';
import type { DeployJobOptions } from './deploy-job.handler.js';
import { estimateDeployFiles, selectComponents } from './deploy-selection.js';

export const MemberRefBody = z.strictObject({ type: z.string().min(1), fullName: z.string().min(1) });
export const TestLevel = z.enum(['NoTestRun', 'RunSpecifiedTests', 'RunLocalTests', 'RunAllTestsInOrg', 'RunRelevantTests']);

export const StartDeployBody = z
  .strictObject({
    orgId: z.string().min(1),
    revision: z.number().int().min(1).optional(),
    components: z.array(MemberRefBody).min(1).optional(),
    testLevel: TestLevel.optional(),
    runTests: z.array(z.string().min(1)).optional(),
    checkOnly: z.boolean().optional(),
    rollbackOnError: z.boolean().optional(),
  })
  .refine((b) => b.testLevel !== 'RunSpecifiedTests' || (b.runTests?.length ?? 0) > 0, {
    message: 'testLevel RunSpecifiedTests needs runTests (the test classes to run)',
    path: ['runTests'],
  });
export type StartDeployBody = z.infer<typeof StartDeployBody>;

@Injectable()
export class DeploymentsService {
  private readonly logger = new Logger('DeploymentsService');

  constructor(
    private readonly branches: BranchesService,
    private readonly orgs: OrgsService,
    private readonly jobs: JobsRepository,
    @Inject(JOB_QUEUE) private readonly queue: JobQueue,
  ) {}

  /** Validates everything that can be known before running, then queues a Deploy job. */
  async start(branchIdOrName: string, body: StartDeployBody, principal: Principal): Promise<Job> {
    const branch = await this.branches.resolve(branchIdOrName);
    const org = await this.orgs.resolve(body.orgId);
    assertCan(principal, 'deploy', org.environment);
    const revision = await this.branches.revision(branch.id, body.revision);
    const all = await this.branches.revisionComponents(revision.id);
    const { selected, unknown } = selectComponents(all, body.components);
    if (unknown.length) {
      throw new BadRequestError(`Not in revision ${revision.number}: ${unknown.map(memberKey).join(', ')}. Pick components the revision has (GET /api/branches/${branch.id}/components).`, {
        unknown,
      });
    }
    if (selected.length === 0) throw new BadRequestError(`Revision ${revision.number} has no components to deploy.`);
    const estimate = estimateDeployFiles(selected);
    const violation = checkDeployLimits({ fileCount: estimate.fileCount, zipBytes: 0, unzippedBytes: estimate.unzippedBytes });
    if (violation) throw new UnprocessableError(violation.message, { limit: violation.limit, max: violation.max, actual: violation.actual });
    if (org.environment.toLowerCase() === 'production' && body.rollbackOnError === false) {
      throw new BadRequestError('rollbackOnError must be true for a production org (Salesforce requires it); remove rollbackOnError.');
    }
    const options: DeployJobOptions = {
      ...(body.components ? { components: body.components } : {}),
      ...(body.testLevel ? { testLevel: body.testLevel } : {}),
      ...(body.runTests ? { runTests: body.runTests } : {}),
      checkOnly: body.checkOnly ?? false,
      rollbackOnError: body.rollbackOnError ?? true,
    };
    const job = await this.jobs.create({
      kind: 'Deploy',
      branchId: branch.id,
      orgId: org.id,
      revisionId: revision.id,
      options: options as Record<string, unknown>,
      createdBy: principal.tokenId,
      createdByName: principal.name,
    });
    await enqueueSaved(this.queue, job.id, (m) => this.logger.warn(m));
    return job;
  }
}

// The DeployResult a checkDeployStatus call answers, as an XML value.
import type { DeployMessage } from './deploy-plan.js';
import { isDone, type DeployJob } from './deploy-service.js';
import type { XmlValue } from './xml-writer.js';

const RUN_TEST_RESULT = { numFailures: 0, numTestsRun: 0, totalTime: 0 };

/** Components deployed so far: grows with the time spent InProgress, all of them once done. */
function componentsDeployed(job: DeployJob, now: number): number {
  if (job.plan) return job.plan.numberComponentsDeployed;
  if (!job.progress) return 0;
  const share =
    job.progress.durationMs <= 0 ? 1 : Math.min(1, (now - job.progress.startedAt) / job.progress.durationMs);
  return Math.min(job.numberComponentsTotal - 1, Math.floor(job.numberComponentsTotal * share));
}

function messages(list: readonly DeployMessage[]): XmlValue {
  return list.map((m) => ({ ...m }));
}

export function deployResultXml(job: DeployJob, includeDetails: boolean, now: number): XmlValue {
  const { plan, error } = job;
  const done = isDone(job);
  return {
    canceledBy: job.canceledBy?.userId,
    canceledByName: job.canceledBy?.userName,
    checkOnly: job.options.checkOnly,
    completedDate: job.completedDate,
    createdBy: job.createdBy.userId,
    createdByName: job.createdBy.userName,
    createdDate: job.createdDate,
    details: includeDetails
      ? {
          componentFailures: messages(plan?.failures ?? []),
          componentSuccesses: messages(plan?.successes ?? []),
          runTestResult: RUN_TEST_RESULT,
        }
      : undefined,
    done,
    errorMessage: error?.errorMessage,
    errorStatusCode: error?.errorStatusCode,
    id: job.id,
    ignoreWarnings: job.options.ignoreWarnings,
    lastModifiedDate: job.lastModifiedDate,
    numberComponentErrors: plan?.numberComponentErrors ?? 0,
    numberComponentsDeployed: Math.max(0, componentsDeployed(job, now)),
    numberComponentsTotal: job.numberComponentsTotal,
    numberTestErrors: 0,
    numberTestsCompleted: 0,
    numberTestsTotal: 0,
    rollbackOnError: job.options.rollbackOnError,
    runTestsEnabled:
      job.options.runTests.length > 0 || (job.options.testLevel !== undefined && job.options.testLevel !== 'NoTestRun'),
    startDate: job.startDate,
    stateDetail:
      job.status !== 'InProgress'
        ? undefined
        : job.numberComponentsTotal
          ? `Deploying components (${Math.max(0, componentsDeployed(job, now))}/${job.numberComponentsTotal})`
          : 'Preparing the deployment',
    status: job.status,
    success: job.status === 'Succeeded' || job.status === 'SucceededPartial',
  };
}

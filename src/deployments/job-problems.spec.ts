import { describe, it, expect } from '@jest/globals';
import { normalizeDeployResult } from '../salesforce/metadata-results.js';
import { deployFailureSummary, deployOutcomes, jobLevelProblems, jobProblemLogLine } from './deploy-results.js';

const UNKNOWN_FOLDER = {
  componentType: '',
  fullName: 'widgets/W.widget',
  fileName: 'widgets/W.widget',
  success: 'false',
  problem: "Unknown metadata folder 'widgets' (file widgets/W.widget)",
  problemType: 'Error',
};
const PACKAGE_XML_OK = {
  componentType: '',
  fullName: 'package.xml',
  fileName: 'package.xml',
  success: 'true',
  changed: 'true',
};

function failedDeploy(failures: unknown[]) {
  return normalizeDeployResult({
    id: '0Af000000000001',
    done: 'true',
    status: 'Failed',
    success: 'false',
    details: { componentSuccesses: [PACKAGE_XML_OK], componentFailures: failures },
  });
}

describe('job-level problems of a deploy', () => {
  it("keeps a failure Salesforce reports without a component type, and still drops package.xml's own success", () => {
    const status = failedDeploy([UNKNOWN_FOLDER]);
    expect(status.messages).toEqual([]);
    expect(status.problems).toEqual([
      expect.objectContaining({ fileName: 'widgets/W.widget', problem: UNKNOWN_FOLDER.problem, success: false }),
    ]);
  });

  it('turns typeless failures and failures of components outside the deploy into job problems', () => {
    const status = failedDeploy([
      UNKNOWN_FOLDER,
      { componentType: 'ApexClass', fullName: 'Other', success: 'false', problem: 'boom', problemType: 'Error' },
    ]);
    const problems = jobLevelProblems([{ type: 'ApexClass', fullName: 'Mine' }], status);
    expect(problems.map((p) => [p.componentType, p.problem])).toEqual([
      [null, UNKNOWN_FOLDER.problem],
      ['ApexClass', 'boom'],
    ]);
  });

  it('names the package-level problem in the job error instead of only the final status', () => {
    const status = failedDeploy([UNKNOWN_FOLDER]);
    const members = [{ type: 'ApexClass', fullName: 'Mine' }];
    const summary = deployFailureSummary(
      status,
      deployOutcomes(members, status, () => true),
      jobLevelProblems(members, status),
    );
    expect(summary).toBe(`Salesforce ended the deploy as Failed: ${UNKNOWN_FOLDER.problem} (widgets/W.widget).`);
  });

  it('writes one log sentence per job problem, with its file', () => {
    const [problem] = jobLevelProblems([], failedDeploy([UNKNOWN_FOLDER]));
    expect(jobProblemLogLine(problem!)).toBe(`Salesforce reported: ${UNKNOWN_FOLDER.problem} (file widgets/W.widget)`);
  });
});

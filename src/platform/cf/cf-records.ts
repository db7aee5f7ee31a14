// What a `cf` stage records: the captured app (its deployed revision), the deploy's outputs, and the labels that let a
// resumed call find a package, build or deployment it may have created before it could save the guid.

/** What `capture` read: the app and the revision its web instances ran (null: never deployed, or stopped). */
export interface CfData {
  appGuid: string;
  /** STARTED or STOPPED when captured. */
  appState: string;
  /** The app's current droplet when captured (null: none yet). */
  dropletGuid: string | null;
  /** The revision the app ran (the newest of `revisions/deployed`), which a rollback deploys again. */
  revision: { guid: string; version: number; dropletGuid: string } | null;
  /** `package@version` of that revision's droplet when Backtrack put it there, else null. */
  artifact: string | null;
}

/** What a deploy (or a rollback) left: the deployment to poll and what runs once it is done. */
export interface CfOutputs {
  appGuid: string;
  /** null when the call stopped the app instead (the rollback of a first deployment). */
  deploymentGuid: string | null;
  dropletGuid: string | null;
  revisionGuid: string | null;
  revisionVersion: number | null;
  artifact: string | null;
  /** The app was stopped (a first deployment's rollback). */
  stopped?: boolean;
}

/** The label keys Backtrack puts on what it creates (label values: the job's and the stage's UUIDs). */
export const JOB_LABEL = 'backtrack.dev/job';
export const STAGE_LABEL = 'backtrack.dev/stage';
/** The annotation that names the package and version a CF package holds (annotations take any text). */
export const ARTIFACT_ANNOTATION = 'backtrack.dev/artifact';

/** CF label values: at most 63 characters, alphanumeric ends, `-_.` inside (UUIDs fit as they are). */
const LABEL_VALUE = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

export function stepLabels(jobId: string, stageId: string): Record<string, string> {
  for (const value of [jobId, stageId])
    if (!LABEL_VALUE.test(value)) throw new Error(`"${value}" cannot be a CF label value`);
  return { [JOB_LABEL]: jobId, [STAGE_LABEL]: stageId };
}

/** The `label_selector` query value that finds what one call of one stage created. */
export function stepSelector(jobId: string, stageId: string): string {
  const labels = stepLabels(jobId, stageId);
  return encodeURIComponent(
    Object.entries(labels)
      .map(([k, v]) => `${k}=${v}`)
      .join(','),
  );
}

export const artifactName = (pkg: string, version: string) => `${pkg}@${version}`;

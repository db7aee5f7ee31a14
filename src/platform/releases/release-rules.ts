import type { Scope } from '../../auth/permissions.js';
import {
  pastRetention,
  refuse,
  rollbackPermissionRefusal,
  type ExecutionRollbackVerdict,
} from '../executions/execution-rollbackability.js';
import type { StageRelease } from '../provider.js';
import type { Release } from './release.entity.js';

/** A release's version, like a package's: `1.1.21`, `2026.03.1-rc.1+build.7`. */
export const RELEASE_VERSION = /^[A-Za-z0-9][A-Za-z0-9.+_-]{0,63}$/;

/**
 * A deployment of a pipeline that stands in an environment: a Completed execution with a Completed stage there that
 * nothing rolled back — neither a Completed Rollback, nor a Completed redeployment of a previous release in mode
 * rollback (unless a Completed Rollback undid that redeployment in turn). `release` is null for an execution of the
 * pipeline's latest version (`POST /api/pipelines/:id/executions`).
 */
export interface StandingDeployment {
  executionId: string;
  release: { id: string; version: string } | null;
  finishedAt: Date;
}

/** What decides whether a release can be redeployed as a rollback (mode rollback) to an environment. */
export interface RedeployFacts {
  release: { id: string; version: string };
  environment: string;
  /** When this release's newest Completed deployment to the environment finished; null when none Completed there. */
  lastCompletedHere: Date | null;
  /** The current deployment there (the newest standing one) and the job holding its claim, if any; null: none. */
  current: (StandingDeployment & { claimedBy: string | null }) | null;
  /** A job of the pipeline (Deploy or Rollback) with a stage in the environment that has not finished; null: none. */
  running: { id: string; kind: string; status: string } | null;
}

/**
 * Whether the token may redeploy the release to the environment as a rollback (Octopus's "redeploy the previous
 * release"), and if not the status and sentence — the core rollback rules (execution-rollbackability.ts) applied to a
 * release: the permission first (`deploy` and `rollback` there), then nothing running there, a Completed deployment
 * of this release there within the retention, a current deployment to roll back from that is not this release and
 * that nothing claimed yet (it is claimed once, like `POST /api/executions/:id/rollback`).
 */
export function redeployability(
  facts: RedeployFacts,
  principal: Scope,
  retentionDays: number,
  now = new Date(),
): ExecutionRollbackVerdict {
  const { release, environment, current } = facts;
  const forbidden = rollbackPermissionRefusal(
    principal,
    [environment],
    `Redeploying release ${release.version} as a rollback (mode "rollback")`,
  );
  if (forbidden) return forbidden;
  if (facts.running)
    return refuse(
      409,
      `${facts.running.kind} ${facts.running.id} of this pipeline is ${facts.running.status} in ${environment}: ` +
        `wait until it is Completed, then redeploy ${release.version}.`,
    );
  if (!facts.lastCompletedHere)
    return refuse(
      409,
      `Release ${release.version} never completed a deployment to ${environment}: mode "rollback" redeploys a ` +
        `release that ran there before; deploy it with mode "deploy" instead.`,
    );
  if (pastRetention(facts.lastCompletedHere, retentionDays, now))
    return refuse(
      410,
      `Release ${release.version} last completed a deployment to ${environment} on ` +
        `${facts.lastCompletedHere.toISOString()}, more than ${retentionDays} days ago (SNAPSHOT_RETENTION_DAYS): it ` +
        `can no longer be redeployed as a rollback; deploy it with mode "deploy" instead.`,
    );
  if (!current)
    return refuse(
      409,
      `No deployment of this pipeline stands in ${environment} now (they were rolled back), so there is nothing to ` +
        `roll back from; deploy ${release.version} with mode "deploy" instead.`,
    );
  if (current.release?.id === release.id)
    return {
      ...refuse(
        409,
        `${release.version} is already the current release in ${environment} (execution ${current.executionId}); ` +
          `there is nothing to roll back.`,
      ),
      currentExecutionId: current.executionId,
    };
  if (current.claimedBy)
    return {
      ...refuse(
        409,
        `The current deployment in ${environment} (execution ${current.executionId}) was already rolled back ` +
          `(by job ${current.claimedBy}); it cannot be rolled back again.`,
      ),
      rollbackJobId: current.claimedBy,
      currentExecutionId: current.executionId,
    };
  return { available: true };
}

/**
 * What the stages of a deployment of `release` get as `StageContext.release`: its pins, and Octopus's facts about
 * the environment when the deployment is created — the current deployment (its release and execution) and the newest
 * standing release there other than this one.
 */
export function stageRelease(
  release: Pick<Release, 'id' | 'version' | 'packages'>,
  mode: StageRelease['mode'],
  current: StandingDeployment | null,
  previousOther: StandingDeployment | null,
): StageRelease {
  return {
    id: release.id,
    version: release.version,
    mode,
    packages: Object.fromEntries(
      release.packages.map((p) => [
        p.name,
        { version: p.version, sha256: p.sha256, packageVersionId: p.packageVersionId },
      ]),
    ),
    environment: {
      currentRelease: current?.release?.version ?? null,
      previousRelease: previousOther?.release?.version ?? null,
      previousSuccessfulDeploymentId: current?.executionId ?? null,
    },
  };
}

/** The kinds whose stages deploy a package of the package store, named by `spec.package`. */
const PACKAGE_KINDS = new Set(['ssh', 'helm', 'cf']);

/** The package an ssh, helm (its chart) or cf (its bits) stage deploys (`spec.package`), when named as a string. */
export function stagePackage(stage: { kind: string; spec: Record<string, unknown> }): string | null {
  const name = PACKAGE_KINDS.has(stage.kind) ? stage.spec.package : undefined;
  return typeof name === 'string' && name.trim() ? name.trim() : null;
}

/**
 * The first stage deploying a package (ssh, helm, cf) that the release does not pin (names match case-insensitively), as a 400's sentence;
 * null when every one is pinned.
 */
export function unpinnedPackage(
  stages: { name: string; kind: string; spec: Record<string, unknown> }[],
  pinned: string[],
): string | null {
  const names = new Set(pinned.map((n) => n.toLowerCase()));
  for (const stage of stages) {
    const name = stagePackage(stage);
    if (name && !names.has(name.toLowerCase()))
      return (
        `packages: stage "${stage.name}" deploys package "${name}", which the release does not pin; ` +
        `send packages: {"${name}": "VERSION"} (an uploaded version).`
      );
  }
  return null;
}

/** The 400 of a deployment to an environment where the release's pipeline version has no stage. */
export function noStageIn(release: string, pipeline: string, environment: string, environments: string[]): string {
  return (
    `environment: release ${release} of pipeline ${pipeline} has no stage in "${environment}"; its stages deploy to ` +
    `${environments.join(', ')}: pick one of those.`
  );
}

import crypto from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import type { DataSource, Repository } from 'typeorm';
import { z } from 'zod';
import { assertCan } from '../../auth/auth.guard.js';
import { can, missingPermissionMessage, type Principal } from '../../auth/permissions.js';
import {
  AppError,
  BadRequestError,
  ConflictError,
  ForbiddenError,
  GoneError,
  NotFoundError,
} from '../../common/errors.js';
import { CONFIG } from '../../config/config.module.js';
import type { Config } from '../../config/config.js';
import type { Job } from '../../jobs/job.entity.js';
import { rollbackPermissionRefusal } from '../executions/execution-rollbackability.js';
import { CreateExecutionBody, ExecutionsService } from '../executions/executions.service.js';
import { claimExecution, lostClaimRace, refuseUnless } from '../executions/rollback-claims.js';
import type { StageDefinition } from '../pipelines/definition.js';
import { PipelinesService, type PipelineAt } from '../pipelines/pipelines.service.js';
import { PACKAGE_LOOKUP, type PackageLookup } from './package-lookup.js';
import { ReleaseHistory, type ReleaseDeployment } from './release-history.js';
import {
  noStageIn,
  redeployability,
  RELEASE_VERSION,
  stagePackage,
  stageRelease,
  unpinnedPackage,
  type StandingDeployment,
} from './release-rules.js';
import { Release, type ReleasePackage } from './release.entity.js';
import { isUniqueViolation } from '../../database/unique-violation.js';

export const CreateReleaseBody = z.strictObject({
  version: z
    .string()
    .trim()
    .regex(RELEASE_VERSION, 'must be 1 to 64 letters, digits, ".", "+", "_" or "-", starting with a letter or digit'),
  packages: z.record(z.string().trim().min(1), z.string().trim().min(1).max(64)).optional(),
  variables: CreateExecutionBody.shape.variables,
  artifacts: CreateExecutionBody.shape.artifacts,
});
export type CreateReleaseBody = z.infer<typeof CreateReleaseBody>;

export const DeployReleaseBody = z.strictObject({
  environment: z.string().trim().min(1).max(200),
  mode: z.enum(['deploy', 'rollback']).default('deploy'),
});

export const PreviousReleaseQuery = z.strictObject({
  pipeline: z.uuid(),
  environment: z.string().trim().min(1).max(200),
});

/** A release with the name of its pipeline, as the API presents it. */
export interface ReleaseAt {
  release: Release;
  pipelineName: string;
}

/**
 * Releases (issue 14, Octopus's): immutable snapshots of a pipeline's latest version with its variables, artifacts
 * and exact package versions; deploying one to an environment is an execution of that snapshot's stages there, and
 * mode rollback redeploys an earlier release over the current deployment under the core rollback rules.
 */
@Injectable()
export class ReleasesService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @InjectRepository(Release) private readonly releases: Repository<Release>,
    @Inject(CONFIG) private readonly config: Pick<Config, 'SNAPSHOT_RETENTION_DAYS'>,
    @Inject(PACKAGE_LOOKUP) private readonly packages: PackageLookup,
    private readonly pipelines: PipelinesService,
    private readonly executions: ExecutionsService,
    private readonly history: ReleaseHistory,
  ) {}

  /**
   * A release of the pipeline's latest version: `deploy` in one of its environments; artifacts and variables checked
   * as an execution's are; every package resolved (a missing or pruned one is a 400) and every ssh stage's package
   * pinned; the version unused in this pipeline (409).
   */
  async create(pipelineId: string, body: CreateReleaseBody, principal: Principal): Promise<ReleaseAt> {
    const at = await this.pipelines.latest(pipelineId);
    const environments = [...new Set((await this.environments(at.definition.stages)).values())];
    if (!environments.some((e) => can(principal, 'deploy', e)))
      throw new ForbiddenError(
        `Creating a release of pipeline ${at.pipeline.name} needs "deploy" in one of its environments ` +
          `(${environments.join(', ')}): ${missingPermissionMessage(principal, 'deploy', environments[0])}`,
      );
    const { artifacts, variables } = await this.executions.checkedInputs(at.definition, body);
    const packages = await this.pinned(body.packages ?? {});
    const unpinned = unpinnedPackage(
      at.definition.stages,
      packages.map((p) => p.name),
    );
    if (unpinned) throw new BadRequestError(unpinned);
    await this.assertVersionFree(at, body.version);
    const release = this.releases.create({
      id: crypto.randomUUID(),
      pipelineId: at.pipeline.id,
      pipelineVersion: at.version,
      version: body.version,
      variables,
      artifacts,
      packages,
      createdBy: principal.tokenId,
      createdByName: principal.name,
    });
    try {
      await this.releases.insert(release);
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      throw versionTaken(at.pipeline.name, body.version);
    }
    return { release: await this.releases.findOneByOrFail({ id: release.id }), pipelineName: at.pipeline.name };
  }

  /** The pipeline's releases, newest first (`read` in one of its environments). */
  async list(pipelineId: string, principal: Principal): Promise<ReleaseAt[]> {
    const at = await this.pipelines.latest(pipelineId);
    await this.assertReadable(at, principal);
    const rows = await this.releases.find({ where: { pipelineId }, order: { createdAt: 'DESC' } });
    return rows.map((release) => ({ release, pipelineName: at.pipeline.name }));
  }

  /** One release with its deployments in the environments the token reaches. */
  async get(id: string, principal: Principal): Promise<ReleaseAt & { deployments: ReleaseDeployment[] }> {
    const release = await this.find(id);
    const at = await this.pipelines.atVersion(release.pipelineId, release.pipelineVersion);
    await this.assertReadable(at, principal);
    const deployments = (await this.history.deployments(id)).filter((d) => can(principal, 'read', d.environment));
    return { release, pipelineName: at.pipeline.name, deployments };
  }

  /**
   * Deploys the release to an environment: an execution of the stages of its pipeline version that deploy there, with
   * its artifacts, variables and pins. Mode rollback (Octopus's "redeploy the previous release") follows the rules of
   * redeployability and claims the current deployment there in the transaction that creates the job.
   */
  async deploy(id: string, body: z.infer<typeof DeployReleaseBody>, principal: Principal): Promise<Job> {
    const release = await this.find(id);
    if (body.mode === 'deploy') assertCan(principal, 'deploy', body.environment);
    else
      refuseUnless(
        rollbackPermissionRefusal(principal, [body.environment], 'Redeploying a release as a rollback') ?? {
          available: true,
        },
      );
    const at = await this.pipelines.atVersion(release.pipelineId, release.pipelineVersion);
    if (at.pipeline.deletedAt)
      throw new ConflictError(
        `Pipeline ${at.pipeline.name} was deleted: its releases stay readable but can no longer be deployed.`,
      );
    const byInfrastructure = await this.environments(at.definition.stages);
    const stages = at.definition.stages.filter(
      (s) => byInfrastructure.get(s.infrastructureId)?.toLowerCase() === body.environment.toLowerCase(),
    );
    if (!stages.length)
      throw new BadRequestError(
        noStageIn(release.version, at.pipeline.name, body.environment, [...new Set(byInfrastructure.values())]),
      );
    const environment = byInfrastructure.get(stages[0]!.infrastructureId)!;
    await this.assertPackagesKept(release, stages);
    const current = await this.history.newestStanding(release.pipelineId, environment);
    const previous = await this.history.newestStanding(release.pipelineId, environment, { releaseId: release.id });
    const plan = {
      pipeline: at.pipeline,
      version: release.pipelineVersion,
      stages,
      artifacts: release.artifacts,
      variables: release.variables,
      release: stageRelease(release, body.mode, current, previous),
    };
    if (body.mode === 'deploy') return this.executions.createForRelease(plan, principal);

    const rules = async (standing: StandingDeployment | null) =>
      redeployability(
        await this.redeployFacts(release, environment, standing),
        principal,
        this.config.SNAPSHOT_RETENTION_DAYS,
      );
    refuseUnless(await rules(current));
    try {
      return await this.executions.createForRelease(plan, principal, (manager, job) =>
        claimExecution(manager, current!.executionId, job.id),
      );
    } catch (error) {
      if (!lostClaimRace(error)) throw error;
      // another request claimed it a moment ago: the same refusal a later request gets
      refuseUnless(await rules(await this.history.newestStanding(release.pipelineId, environment)));
      throw new ConflictError(
        `Another rollback of execution ${current!.executionId} started a moment ago; reload the release.`,
      );
    }
  }

  /**
   * The current deployment of the pipeline in the environment and the newest standing release there other than the
   * current one: what `backtrack release redeploy-previous` redeploys. 404 with a sentence when there is none.
   */
  async previous(query: z.infer<typeof PreviousReleaseQuery>, principal: Principal) {
    assertCan(principal, 'read', query.environment);
    const { pipeline } = await this.pipelines.latest(query.pipeline);
    const current = await this.history.newestStanding(pipeline.id, query.environment);
    if (!current)
      throw new AppError(
        404,
        `No deployment of pipeline ${pipeline.name} stands in ${query.environment}, so there is no previous release ` +
          `to redeploy; deploy a release there first.`,
      );
    const previous = await this.history.newestStanding(pipeline.id, query.environment, {
      releaseId: current.release?.id ?? null,
    });
    if (!previous)
      throw new AppError(
        404,
        `Pipeline ${pipeline.name} has no previous release in ${query.environment}: no release other than that ` +
          `of the current deployment (execution ${current.executionId}` +
          `${current.release ? `, release ${current.release.version}` : ''}) stands there.`,
      );
    return { current: present(current), previous: present(previous) };
  }

  private async find(id: string): Promise<Release> {
    const release = await this.releases.findOneBy({ id });
    if (!release) throw new NotFoundError('Release', id);
    return release;
  }

  /** The package versions named, as the release pins them; a missing or pruned one is a 400 naming it. */
  private async pinned(wanted: Record<string, string>): Promise<ReleasePackage[]> {
    const out: ReleasePackage[] = [];
    for (const [name, version] of Object.entries(wanted)) {
      const found = await this.packages.find(name, version);
      if (!found)
        throw new BadRequestError(
          `packages.${name}: no version "${version}" of package "${name}" was uploaded; upload it first ` +
            `(POST /api/packages/${encodeURIComponent(name)}/versions/${encodeURIComponent(version)}) or pin one that was.`,
        );
      if (found.prunedAt)
        throw new BadRequestError(
          `packages.${name}: version ${found.version} of package ${found.name} was pruned on ` +
            `${new Date(found.prunedAt).toISOString()} (retention dropped its bytes); upload a new version and pin it.`,
        );
      if (out.some((p) => p.name.toLowerCase() === found.name.toLowerCase()))
        throw new BadRequestError(`packages.${name}: package ${found.name} is pinned twice; pin it once.`);
      out.push({ name: found.name, version: found.version, packageVersionId: found.id, sha256: found.sha256 });
    }
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }

  /**
   * The packages the deployed stages use must still have their bytes: a release whose package retention pruned
   * since it was made cannot be deployed (410), rather than failing on the host.
   */
  private async assertPackagesKept(release: Release, stages: StageDefinition[]): Promise<void> {
    const used = new Set(
      stages
        .map(stagePackage)
        .filter((n): n is string => !!n)
        .map((n) => n.toLowerCase()),
    );
    for (const pin of release.packages.filter((p) => used.has(p.name.toLowerCase()))) {
      const found = await this.packages.find(pin.name, pin.version);
      if (!found || found.id !== pin.packageVersionId || found.prunedAt)
        throw new GoneError(
          `Release ${release.version} pins package ${pin.name} ${pin.version}, whose bytes are no longer kept ` +
            `(retention pruned it): it can no longer be deployed; create a new release.`,
        );
    }
  }

  private async redeployFacts(release: Release, environment: string, current: StandingDeployment | null) {
    return {
      release: { id: release.id, version: release.version },
      environment,
      lastCompletedHere: await this.history.lastCompleted(release.id, environment),
      current: current ? { ...current, claimedBy: await this.history.claimOf(current.executionId) } : null,
      running: await this.history.running(release.pipelineId, environment),
    };
  }

  private async assertVersionFree(at: PipelineAt, version: string): Promise<void> {
    const rows: { version: string }[] = await this.db.query(
      `SELECT version FROM releases WHERE pipeline_id = $1 AND lower(version) = lower($2)`,
      [at.pipeline.id, version],
    );
    if (rows[0]) throw versionTaken(at.pipeline.name, rows[0].version);
  }

  /** `read` in one of the environments of the version's stages (403 naming the first otherwise). */
  private async assertReadable(at: PipelineAt, principal: Principal): Promise<void> {
    const environments = [...new Set((await this.environments(at.definition.stages)).values())];
    if (!environments.some((e) => can(principal, 'read', e)))
      throw new ForbiddenError(missingPermissionMessage(principal, 'read', environments[0]));
  }

  /** The environment of each stage's infrastructure, by infrastructure id (removed ones included). */
  private async environments(stages: Pick<StageDefinition, 'infrastructureId'>[]): Promise<Map<string, string>> {
    const rows: { id: string; environment: string }[] = await this.db.query(
      `SELECT id, environment FROM infrastructures WHERE id = ANY($1)`,
      [[...new Set(stages.map((s) => s.infrastructureId))]],
    );
    return new Map(rows.map((r) => [r.id, r.environment]));
  }
}

function present(deployment: StandingDeployment) {
  return { release: deployment.release, executionId: deployment.executionId };
}

function versionTaken(pipeline: string, version: string): ConflictError {
  return new ConflictError(
    `Pipeline ${pipeline} already has a release ${version}; releases are immutable: create a new version.`,
  );
}

import crypto from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import type { DataSource, EntityManager, Repository } from 'typeorm';
import { assertCan } from '../../auth/auth.guard.js';
import { can, type Principal } from '../../auth/permissions.js';
import { AppError, BadRequestError, ConflictError, NotFoundError } from '../../common/errors.js';
import type { Infrastructure } from '../infrastructures/infrastructure.entity.js';
import { PlatformProviders } from '../provider-registry.js';
import type { Service } from '../services/service.entity.js';
import { parseDefinitionInput, type PipelineDefinition, type StageDefinition, type StageInput } from './definition.js';
import { Pipeline, PipelineVersion } from './pipeline.entity.js';
import { isUniqueViolation } from '../../database/unique-violation.js';

export interface PipelineAt {
  pipeline: Pipeline;
  version: number;
  definition: PipelineDefinition;
  createdAt: Date;
}

/** The services and infrastructures a definition names, by id, for presenting it. */
export interface DefinitionNames {
  services: Map<string, Pick<Service, 'id' | 'name'>>;
  infrastructures: Map<string, Pick<Infrastructure, 'id' | 'name' | 'environment' | 'kind'>>;
}

/**
 * Pipelines and their immutable versions. A definition is checked when it is saved: its services and infrastructures
 * exist (named or by id), every spec is valid for its infrastructure's kind, and the principal may deploy to every
 * environment its stages reach. Reading a pipeline needs `read` in all of them.
 */
@Injectable()
export class PipelinesService {
  constructor(
    @InjectRepository(Pipeline) private readonly pipelines: Repository<Pipeline>,
    @InjectRepository(PipelineVersion) private readonly versions: Repository<PipelineVersion>,
    @InjectDataSource() private readonly db: DataSource,
    private readonly providers: PlatformProviders,
  ) {}

  async create(input: { name: string; definition: unknown }, principal: Principal): Promise<PipelineAt> {
    const definition = await this.checked(input.definition, principal);
    await this.assertNameFree(input.name);
    const id = crypto.randomUUID();
    await this.unique(
      this.db.transaction(async (manager) => {
        await manager.insert(Pipeline, { id, name: input.name, createdBy: principal.tokenId, deletedAt: null });
        await this.addVersion(manager, id, 1, definition, principal);
      }),
      input.name,
    );
    return this.latest(id);
  }

  /** A new version (and, when given, a new name); the earlier versions and their executions stay as they were. */
  async update(id: string, input: { name?: string; definition: unknown }, principal: Principal): Promise<PipelineAt> {
    const current = await this.latest(id);
    this.assertMay(current.definition, principal, 'deploy');
    const definition = await this.checked(input.definition, principal);
    if (input.name !== undefined) await this.assertNameFree(input.name, id);
    await this.unique(
      this.db.transaction(async (manager) => {
        if (input.name !== undefined) await manager.update(Pipeline, id, { name: input.name });
        await this.addVersion(manager, id, current.version + 1, definition, principal);
      }),
      input.name ?? current.pipeline.name,
    );
    return this.latest(id);
  }

  async remove(id: string, principal: Principal): Promise<void> {
    const current = await this.latest(id);
    this.assertMay(current.definition, principal, 'deploy');
    await this.pipelines.update(id, { deletedAt: new Date() });
  }

  /** The latest version of every live pipeline the principal may read. */
  async listReadable(principal: Principal): Promise<PipelineAt[]> {
    const rows: { id: string }[] = await this.db.query(
      `SELECT id FROM pipelines WHERE deleted_at IS NULL ORDER BY created_at ASC`,
    );
    const all = await Promise.all(rows.map((r) => this.latest(r.id)));
    const environments = await this.environments(all.flatMap((p) => p.definition.stages));
    return all.filter((p) =>
      p.definition.stages.every((s) => can(principal, 'read', environments.get(s.infrastructureId))),
    );
  }

  /** A version (the latest by default) the principal may read: 403 naming the first environment it does not reach. */
  async getReadable(id: string, principal: Principal, version?: number): Promise<PipelineAt> {
    const found = version === undefined ? await this.latest(id) : await this.atVersion(id, version);
    this.assertMay(found.definition, principal, 'read', await this.environments(found.definition.stages));
    return found;
  }

  async listVersions(id: string, principal: Principal): Promise<PipelineVersion[]> {
    await this.getReadable(id, principal);
    return this.versions.find({ where: { pipelineId: id }, order: { version: 'DESC' } });
  }

  /** The latest version of a live pipeline (404 when there is none). */
  async latest(pipelineId: string): Promise<PipelineAt> {
    const pipeline = await this.live(pipelineId);
    const row = await this.versions.findOne({ where: { pipelineId }, order: { version: 'DESC' } });
    if (!row) throw new NotFoundError('Pipeline', pipelineId);
    return at(pipeline, row);
  }

  /** One version of a pipeline, deleted pipelines included (their executions stay readable). */
  async atVersion(pipelineId: string, version: number): Promise<PipelineAt> {
    const pipeline = await this.pipelines.findOneBy({ id: pipelineId });
    const row = pipeline ? await this.versions.findOneBy({ pipelineId, version }) : null;
    if (!pipeline || !row) throw new NotFoundError('Pipeline version', `${pipelineId} v${version}`);
    return at(pipeline, row);
  }

  /** The names behind a definition's ids (deleted services and infrastructures included). */
  async names(definition: PipelineDefinition): Promise<DefinitionNames> {
    const services: { id: string; name: string }[] = await this.db.query(
      `SELECT id, name FROM services WHERE id = ANY($1)`,
      [definition.stages.map((s) => s.serviceId)],
    );
    const infrastructures: Pick<Infrastructure, 'id' | 'name' | 'environment' | 'kind'>[] = await this.db.query(
      `SELECT id, name, environment, kind FROM infrastructures WHERE id = ANY($1)`,
      [definition.stages.map((s) => s.infrastructureId)],
    );
    return {
      services: new Map(services.map((s) => [s.id, s])),
      infrastructures: new Map(infrastructures.map((i) => [i.id, i])),
    };
  }

  private async live(id: string): Promise<Pipeline> {
    const pipeline = await this.pipelines.findOneBy({ id });
    if (!pipeline || pipeline.deletedAt) throw new NotFoundError('Pipeline', id);
    return pipeline;
  }

  /** Parses, resolves names and checks specs; the principal must hold `deploy` where every stage deploys. */
  private async checked(input: unknown, principal: Principal): Promise<PipelineDefinition> {
    const parsed = parseDefinitionInput(input);
    const stages: StageDefinition[] = [];
    const environments = new Map<string, string>();
    for (const [index, stage] of parsed.stages.entries()) {
      const service = await this.findService(stage.service, index);
      const infrastructure = await this.findInfrastructure(stage.infrastructure, index);
      environments.set(infrastructure.id, infrastructure.environment);
      stages.push(this.checkedStage(stage, index, service.id, infrastructure));
    }
    const definition = { variables: parsed.variables, stages };
    this.assertMay(definition, principal, 'deploy', environments);
    return definition;
  }

  private checkedStage(
    stage: StageInput,
    index: number,
    serviceId: string,
    infrastructure: Pick<Infrastructure, 'id' | 'kind'>,
  ): StageDefinition {
    const provider = this.providers.get(infrastructure.kind);
    const where = `stages.${index} ("${stage.name}")`;
    inStage(`${where} spec`, () => provider.parseSpec(stage.spec));
    if (stage.rollbackSteps.length && !provider.parseRollbackStep)
      throw new BadRequestError(
        `Invalid definition: ${where} has rollbackSteps, but ${infrastructure.kind} stages have none; remove them.`,
      );
    stage.rollbackSteps.forEach((step, n) =>
      inStage(`${where} rollbackSteps.${n}`, () => provider.parseRollbackStep!(step)),
    );
    return {
      name: stage.name,
      kind: infrastructure.kind,
      serviceId,
      infrastructureId: infrastructure.id,
      failureStrategy: stage.failureStrategy,
      progressDeadlineSeconds: stage.progressDeadlineSeconds,
      spec: stage.spec,
      rollbackSteps: stage.rollbackSteps,
    };
  }

  private async findService(nameOrId: string, index: number): Promise<{ id: string }> {
    const rows: { id: string }[] = await this.db.query(
      `SELECT id FROM services WHERE deleted_at IS NULL AND (id::text = $1 OR lower(name) = lower($1))`,
      [nameOrId],
    );
    if (!rows[0])
      throw new BadRequestError(
        `Invalid definition: stages.${index}.service names no service "${nameOrId}"; create it (POST /api/services) ` +
          `or name an existing one.`,
      );
    return rows[0];
  }

  private async findInfrastructure(
    nameOrId: string,
    index: number,
  ): Promise<Pick<Infrastructure, 'id' | 'kind' | 'environment'>> {
    const rows: Pick<Infrastructure, 'id' | 'kind' | 'environment'>[] = await this.db.query(
      `SELECT id, kind, environment FROM infrastructures
        WHERE deleted_at IS NULL AND (id::text = $1 OR lower(name) = lower($1))`,
      [nameOrId],
    );
    if (!rows[0])
      throw new BadRequestError(
        `Invalid definition: stages.${index}.infrastructure names no infrastructure "${nameOrId}"; name an ` +
          `existing one (GET /api/infrastructures).`,
      );
    return rows[0];
  }

  private async environments(stages: Pick<StageDefinition, 'infrastructureId'>[]): Promise<Map<string, string>> {
    const rows: { id: string; environment: string }[] = await this.db.query(
      `SELECT id, environment FROM infrastructures WHERE id = ANY($1)`,
      [stages.map((s) => s.infrastructureId)],
    );
    return new Map(rows.map((r) => [r.id, r.environment]));
  }

  private assertMay(
    definition: PipelineDefinition,
    principal: Principal,
    permission: 'read' | 'deploy',
    environments?: Map<string, string>,
  ): void {
    for (const stage of definition.stages) {
      const environment = environments?.get(stage.infrastructureId);
      if (environments && environment === undefined) continue;
      assertCan(principal, permission, environment);
    }
  }

  private async addVersion(
    manager: EntityManager,
    pipelineId: string,
    version: number,
    definition: PipelineDefinition,
    principal: Principal,
  ): Promise<void> {
    await manager.query(
      `INSERT INTO pipeline_versions (pipeline_id, version, definition, created_by) VALUES ($1, $2, $3, $4)`,
      [pipelineId, version, JSON.stringify(definition), principal.tokenId],
    );
  }

  private async assertNameFree(name: string, except?: string): Promise<void> {
    const rows: { id: string; name: string }[] = await this.db.query(
      `SELECT id, name FROM pipelines WHERE lower(name) = lower($1) AND deleted_at IS NULL`,
      [name],
    );
    if (rows[0] && rows[0].id !== except) throw nameTaken(rows[0].name);
  }

  /** Two requests racing for one name or one version number: the unique index lets one through; the other gets a 409. */
  private async unique<T>(write: Promise<T>, name: string): Promise<T> {
    try {
      return await write;
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      if (isUniqueViolation(error, 'pipeline_versions_pkey'))
        throw new ConflictError(
          'The pipeline was changed by another request at the same time; send your change again.',
        );
      throw nameTaken(name);
    }
  }
}

function at(pipeline: Pipeline, row: PipelineVersion): PipelineAt {
  return {
    pipeline,
    version: row.version,
    definition: row.definition as unknown as PipelineDefinition,
    createdAt: row.createdAt,
  };
}

/** A provider's 400 about a spec or a rollback step, said about the stage it belongs to. */
function inStage<T>(where: string, check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof AppError && error.status === 400)
      throw new BadRequestError(`Invalid definition: ${where}: ${error.message}`, error.details);
    throw error;
  }
}

function nameTaken(name: string): ConflictError {
  return new ConflictError(`A pipeline named "${name}" already exists; pick another name.`);
}

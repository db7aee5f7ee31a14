import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import type { DataSource, Repository } from 'typeorm';
import { JobsRepository } from '../../jobs/jobs.repository.js';
import { ExecutionStage } from './execution-stage.entity.js';
import type { StagePatch, StageStore } from './stage-engine.js';

/**
 * Stage rows of executions and rollbacks. Every write also bumps the job's version, so `GET /api/executions/:id`
 * (whose ETag is the job's version) changes whenever a stage does.
 */
@Injectable()
export class ExecutionStagesRepository implements StageStore {
  constructor(
    @InjectRepository(ExecutionStage) private readonly stages: Repository<ExecutionStage>,
    @InjectDataSource() private readonly db: DataSource,
    private readonly jobs: JobsRepository,
  ) {}

  /** The job's stages in the order they run. */
  forJob(jobId: string): Promise<ExecutionStage[]> {
    return this.stages.find({ where: { jobId }, order: { position: 'ASC' } });
  }

  /** The stages of many jobs at once (lists), by job id. */
  async forJobs(jobIds: string[]): Promise<Map<string, ExecutionStage[]>> {
    const out = new Map<string, ExecutionStage[]>(jobIds.map((id) => [id, []]));
    if (!jobIds.length) return out;
    const rows = await this.stages
      .createQueryBuilder('s')
      .where('s.job_id IN (:...jobIds)', { jobIds })
      .orderBy('s.position', 'ASC')
      .getMany();
    for (const row of rows) out.get(row.jobId)!.push(row);
    return out;
  }

  async byIds(ids: string[]): Promise<Map<string, ExecutionStage>> {
    if (!ids.length) return new Map();
    const rows = await this.stages.createQueryBuilder('s').where('s.id IN (:...ids)', { ids }).getMany();
    return new Map(rows.map((r) => [r.id, r]));
  }

  async update(stage: ExecutionStage, patch: StagePatch): Promise<void> {
    await this.stages.update(stage.id, patch as Parameters<Repository<ExecutionStage>['update']>[1]);
    Object.assign(stage, patch);
    await this.bumpJob(stage.jobId);
  }

  async saveState(stage: ExecutionStage, patch: Record<string, unknown>): Promise<void> {
    await this.db.query(`UPDATE execution_stages SET state = state || $2::jsonb WHERE id = $1`, [
      stage.id,
      JSON.stringify(patch),
    ]);
    Object.assign(stage.state, patch);
    await this.bumpJob(stage.jobId);
  }

  /** The infrastructures a job's non-salesforce stages change (a salesforce stage's child job locks its org). */
  async lockedTargets(jobId: string): Promise<string[]> {
    const rows: { id: string }[] = await this.db.query(
      `SELECT DISTINCT infrastructure_id AS id FROM execution_stages WHERE job_id = $1 AND kind <> 'salesforce'
        ORDER BY 1`,
      [jobId],
    );
    return rows.map((r) => r.id);
  }

  private bumpJob(jobId: string): Promise<void> {
    return this.jobs.touch(jobId);
  }
}

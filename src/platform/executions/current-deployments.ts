import type { DataSource } from 'typeorm';

/** One stage that deployed a service on an infrastructure, as the Instances view and the rollback rules read it. */
export interface Deployment {
  executionId: string;
  stageId: string;
  artifact: string | null;
  finishedAt: Date;
  pipelineId: string;
  pipelineName: string | null;
}

/**
 * The deployments of a service on an infrastructure that still stand, newest first: Completed stages of Completed
 * executions (Deploy jobs of pipelines) that no Completed Rollback undid. The first is the current deployment, the
 * second the previous one; `before` keeps only those that finished earlier than it.
 */
export async function standingDeployments(
  db: DataSource,
  serviceId: string,
  infrastructureId: string,
  options: { limit: number; before?: Date },
): Promise<Deployment[]> {
  const rows: {
    job_id: string;
    id: string;
    artifact: string | null;
    finished_at: Date;
    pipeline_id: string;
    pipeline_name: string | null;
  }[] = await db.query(
    `SELECT s.job_id, s.id, s.artifact, s.finished_at, j.pipeline_id, j.options->>'pipelineName' AS pipeline_name
       FROM execution_stages s JOIN jobs j ON j.id = s.job_id
      WHERE s.service_id = $1 AND s.infrastructure_id = $2 AND s.status = 'Completed' AND s.source_stage_id IS NULL
        AND j.kind = 'Deploy' AND j.status = 'Completed' AND j.pipeline_id IS NOT NULL
        AND ($4::timestamptz IS NULL OR s.finished_at < $4::timestamptz)
        AND NOT EXISTS (SELECT 1 FROM jobs r WHERE r.parent_job_id = j.id AND r.kind = 'Rollback'
                          AND r.pipeline_id IS NOT NULL AND r.status = 'Completed')
      ORDER BY s.finished_at DESC LIMIT $3`,
    [serviceId, infrastructureId, options.limit, options.before ?? null],
  );
  return rows.map((r) => ({
    executionId: r.job_id,
    stageId: r.id,
    artifact: r.artifact,
    finishedAt: new Date(r.finished_at),
    pipelineId: r.pipeline_id,
    pipelineName: r.pipeline_name,
  }));
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The platform core's engine and executions (ADR 0014):
 * - jobs point at a target: `infrastructure_id` (backfilled from `org_id`), and an execution at its pipeline version;
 * - the per-org lock becomes a per-infrastructure lock (`target_locks`);
 * - pipelines with immutable versions, the stage rows of executions and their rollbacks, and one rollback claim per
 *   execution.
 */
export class PlatformExecutions1796155000000 implements MigrationInterface {
  name = 'PlatformExecutions1796155000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE jobs ADD COLUMN infrastructure_id uuid REFERENCES infrastructures(id)`);
    await q.query(`UPDATE jobs j SET infrastructure_id = i.id FROM infrastructures i WHERE i.org_id = j.org_id`);
    await q.query(`CREATE INDEX jobs_infrastructure ON jobs (infrastructure_id, created_at DESC)`);
    await q.query(`
      CREATE TABLE target_locks (
        infrastructure_id uuid PRIMARY KEY REFERENCES infrastructures(id),
        job_id uuid NOT NULL REFERENCES jobs(id),
        owner text NOT NULL,
        expires_at timestamptz NOT NULL
      )`);
    await q.query(`DROP TABLE org_locks`);

    await q.query(`
      CREATE TABLE pipelines (
        id uuid PRIMARY KEY,
        name text NOT NULL,
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz
      )`);
    await q.query(`CREATE UNIQUE INDEX pipelines_name_live ON pipelines (lower(name)) WHERE deleted_at IS NULL`);
    await q.query(`
      CREATE TABLE pipeline_versions (
        pipeline_id uuid NOT NULL REFERENCES pipelines(id),
        version integer NOT NULL,
        definition jsonb NOT NULL,
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (pipeline_id, version)
      )`);
    await q.query(`ALTER TABLE jobs ADD COLUMN pipeline_id uuid REFERENCES pipelines(id)`);
    await q.query(`ALTER TABLE jobs ADD COLUMN pipeline_version integer`);
    await q.query(`CREATE INDEX jobs_pipeline ON jobs (pipeline_id, created_at DESC) WHERE pipeline_id IS NOT NULL`);

    await q.query(`
      CREATE TABLE execution_stages (
        id uuid PRIMARY KEY,
        job_id uuid NOT NULL REFERENCES jobs(id),
        position integer NOT NULL,
        name text NOT NULL,
        kind text NOT NULL,
        service_id uuid REFERENCES services(id),
        infrastructure_id uuid NOT NULL REFERENCES infrastructures(id),
        environment text NOT NULL,
        spec jsonb NOT NULL,
        rollback_steps jsonb NOT NULL DEFAULT '[]',
        failure_strategy text NOT NULL DEFAULT 'fail',
        status text NOT NULL DEFAULT 'Queued',
        artifact text,
        outputs jsonb NOT NULL DEFAULT '{}',
        rollback_data jsonb,
        state jsonb NOT NULL DEFAULT '{}',
        source_stage_id uuid REFERENCES execution_stages(id),
        child_job_id uuid REFERENCES jobs(id),
        error text,
        started_at timestamptz,
        finished_at timestamptz,
        UNIQUE (job_id, position),
        UNIQUE (job_id, name)
      )`);
    await q.query(
      `CREATE INDEX execution_stages_current ON execution_stages (service_id, infrastructure_id, finished_at DESC)`,
    );
    await q.query(`
      CREATE TABLE execution_rollbacks (
        execution_id uuid PRIMARY KEY REFERENCES jobs(id),
        rollback_job_id uuid NOT NULL REFERENCES jobs(id),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE execution_rollbacks`);
    await q.query(`DROP TABLE execution_stages`);
    await q.query(`ALTER TABLE jobs DROP COLUMN pipeline_version`);
    await q.query(`ALTER TABLE jobs DROP COLUMN pipeline_id`);
    await q.query(`DROP TABLE pipeline_versions`);
    await q.query(`DROP TABLE pipelines`);
    await q.query(`
      CREATE TABLE org_locks (
        org_id uuid PRIMARY KEY REFERENCES orgs(id),
        job_id uuid NOT NULL REFERENCES jobs(id),
        owner text NOT NULL,
        expires_at timestamptz NOT NULL
      )`);
    await q.query(`DROP TABLE target_locks`);
    await q.query(`ALTER TABLE jobs DROP COLUMN infrastructure_id`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Packages and releases (issue 14, docs/ssh-releases.md):
 * - `package_versions`: an uploaded `.tar.gz` or `.zip` (its bytes in the blob store under `sha256`) with the
 *   manifest of the files it holds; `pruned_at` is set when retention dropped its bytes (the row stays).
 * - `releases`: an immutable snapshot of a pipeline — the definition version, its variables and the exact package
 *   versions; every deployment of a release is an execution (`jobs.release_id`).
 */
export class PackagesAndReleases1796156000000 implements MigrationInterface {
  name = 'PackagesAndReleases1796156000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE package_versions (
        id uuid PRIMARY KEY,
        name text NOT NULL,
        version text NOT NULL,
        format text NOT NULL,
        size bigint NOT NULL,
        sha256 text NOT NULL,
        files jsonb NOT NULL,
        created_by uuid,
        created_by_name text,
        created_at timestamptz NOT NULL DEFAULT now(),
        pruned_at timestamptz
      )`);
    await q.query(`CREATE UNIQUE INDEX package_versions_name_version ON package_versions (lower(name), version)`);
    await q.query(`
      CREATE TABLE releases (
        id uuid PRIMARY KEY,
        pipeline_id uuid NOT NULL REFERENCES pipelines(id),
        pipeline_version integer NOT NULL,
        version text NOT NULL,
        variables jsonb NOT NULL DEFAULT '{}',
        artifacts jsonb NOT NULL DEFAULT '{}',
        packages jsonb NOT NULL DEFAULT '[]',
        created_by uuid,
        created_by_name text,
        created_at timestamptz NOT NULL DEFAULT now(),
        FOREIGN KEY (pipeline_id, pipeline_version) REFERENCES pipeline_versions(pipeline_id, version)
      )`);
    await q.query(`CREATE UNIQUE INDEX releases_pipeline_version ON releases (pipeline_id, lower(version))`);
    await q.query(`ALTER TABLE jobs ADD COLUMN release_id uuid REFERENCES releases(id)`);
    await q.query(`CREATE INDEX jobs_release ON jobs (release_id, created_at DESC) WHERE release_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE jobs DROP COLUMN release_id`);
    await q.query(`DROP TABLE releases`);
    await q.query(`DROP TABLE package_versions`);
  }
}

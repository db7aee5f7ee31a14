import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The whole domain of DESIGN.md: tokens, orgs, blobs, branches, revisions, jobs, logs, snapshots, rollback claims. */
export class InitialSchema1763780000000 implements MigrationInterface {
  name = 'InitialSchema1763780000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE api_tokens (
        id uuid PRIMARY KEY,
        name text NOT NULL,
        token_hash text NOT NULL UNIQUE,
        token_prefix text NOT NULL,
        permissions text[] NOT NULL,
        environments text[],
        is_bootstrap boolean NOT NULL DEFAULT false,
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz,
        revoked_at timestamptz
      )`);
    await q.query(`
      CREATE TABLE orgs (
        id uuid PRIMARY KEY,
        name text NOT NULL,
        environment text NOT NULL,
        instance_url text NOT NULL,
        api_version text NOT NULL,
        auth_type text NOT NULL,
        secret_ciphertext text NOT NULL,
        username text,
        organization_id text,
        is_demo boolean NOT NULL DEFAULT false,
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz
      )`);
    await q.query(`CREATE UNIQUE INDEX orgs_name_live ON orgs (lower(name)) WHERE deleted_at IS NULL`);
    await q.query(`
      CREATE TABLE blobs (
        sha256 char(64) PRIMARY KEY,
        size bigint NOT NULL,
        stored_size bigint NOT NULL,
        encoding text NOT NULL,
        content bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE branches (
        id uuid PRIMARY KEY,
        name text NOT NULL,
        description text,
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX branches_name ON branches (lower(name))`);
    await q.query(`
      CREATE TABLE revisions (
        id uuid PRIMARY KEY,
        branch_id uuid NOT NULL REFERENCES branches(id),
        number integer NOT NULL,
        format text NOT NULL,
        api_version text,
        upload_sha256 char(64) NOT NULL,
        component_count integer NOT NULL,
        file_count integer NOT NULL,
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (branch_id, number)
      )`);
    await q.query(`
      CREATE TABLE revision_components (
        id bigserial PRIMARY KEY,
        revision_id uuid NOT NULL REFERENCES revisions(id),
        type text NOT NULL,
        full_name text NOT NULL,
        parent_type text,
        parent_full_name text,
        fingerprint char(64) NOT NULL,
        files jsonb NOT NULL,
        UNIQUE (revision_id, type, full_name)
      )`);
    await q.query(`
      CREATE TABLE jobs (
        id uuid PRIMARY KEY,
        kind text NOT NULL,
        status text NOT NULL CHECK (status IN ('Queued', 'In Progress', 'Completed', 'Exception')),
        branch_id uuid REFERENCES branches(id),
        org_id uuid REFERENCES orgs(id),
        revision_id uuid REFERENCES revisions(id),
        parent_job_id uuid REFERENCES jobs(id),
        options jsonb NOT NULL DEFAULT '{}',
        phase text,
        progress jsonb NOT NULL DEFAULT '{}',
        counts jsonb NOT NULL DEFAULT '{}',
        state jsonb NOT NULL DEFAULT '{}',
        error text,
        created_by uuid,
        created_by_name text,
        created_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz,
        finished_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now(),
        version integer NOT NULL DEFAULT 1,
        attempts integer NOT NULL DEFAULT 0,
        lease_owner text,
        lease_expires_at timestamptz
      )`);
    await q.query(`CREATE INDEX jobs_branch_created ON jobs (branch_id, created_at DESC)`);
    await q.query(`CREATE INDEX jobs_org_status ON jobs (org_id, status)`);
    await q.query(`CREATE INDEX jobs_status ON jobs (status) WHERE status IN ('Queued', 'In Progress')`);
    await q.query(`CREATE INDEX jobs_parent ON jobs (parent_job_id)`);
    await q.query(`
      CREATE TABLE job_components (
        id bigserial PRIMARY KEY,
        job_id uuid NOT NULL REFERENCES jobs(id),
        type text NOT NULL,
        full_name text NOT NULL,
        parent_type text,
        parent_full_name text,
        action text NOT NULL,
        status text NOT NULL,
        problem text,
        problem_type text,
        line_number integer,
        column_number integer,
        details jsonb NOT NULL DEFAULT '{}',
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (job_id, type, full_name)
      )`);
    await q.query(`
      CREATE TABLE job_logs (
        id bigserial PRIMARY KEY,
        job_id uuid NOT NULL REFERENCES jobs(id),
        seq integer NOT NULL,
        at timestamptz NOT NULL DEFAULT now(),
        level text NOT NULL,
        component text,
        message text NOT NULL,
        UNIQUE (job_id, seq)
      )`);
    await q.query(`CREATE INDEX job_logs_component ON job_logs (job_id, component, seq)`);
    await q.query(`
      CREATE TABLE snapshots (
        id uuid PRIMARY KEY,
        job_id uuid NOT NULL UNIQUE REFERENCES jobs(id),
        org_id uuid NOT NULL REFERENCES orgs(id),
        status text NOT NULL,
        checksum char(64),
        component_count integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        completed_at timestamptz,
        expires_at timestamptz NOT NULL,
        pruned_at timestamptz
      )`);
    await q.query(`
      CREATE TABLE snapshot_components (
        id bigserial PRIMARY KEY,
        snapshot_id uuid NOT NULL REFERENCES snapshots(id),
        type text NOT NULL,
        full_name text NOT NULL,
        parent_type text,
        parent_full_name text,
        existed boolean NOT NULL,
        files jsonb,
        fingerprint_before char(64),
        fingerprint_after char(64),
        deploy_action text,
        UNIQUE (snapshot_id, type, full_name)
      )`);
    await q.query(`
      CREATE TABLE rollback_claims (
        deploy_job_id uuid NOT NULL REFERENCES jobs(id),
        type text NOT NULL,
        full_name text NOT NULL,
        rollback_job_id uuid NOT NULL REFERENCES jobs(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (deploy_job_id, type, full_name)
      )`);
    await q.query(`
      CREATE TABLE org_locks (
        org_id uuid PRIMARY KEY REFERENCES orgs(id),
        job_id uuid NOT NULL REFERENCES jobs(id),
        owner text NOT NULL,
        expires_at timestamptz NOT NULL
      )`);
    await q.query(`
      CREATE TABLE idempotency_keys (
        token_id uuid NOT NULL,
        key text NOT NULL,
        request_hash char(64) NOT NULL,
        status_code integer NOT NULL,
        body jsonb NOT NULL,
        headers jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (token_id, key)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'idempotency_keys', 'org_locks', 'rollback_claims', 'snapshot_components', 'snapshots', 'job_logs',
      'job_components', 'jobs', 'revision_components', 'revisions', 'branches', 'blobs', 'orgs', 'api_tokens',
    ]) {
      await q.query(`DROP TABLE IF EXISTS ${table}`);
    }
  }
}

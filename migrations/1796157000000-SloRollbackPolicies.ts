import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * SLO-driven automatic rollback (issue 16, docs/slo-rollback.md):
 * - `slo_health_sources`: a Prometheus server (URL, bearer token sealed with AES-256-GCM like infrastructure
 *   connections).
 * - `slo_monitored_services`: a service on an infrastructure (and so in its environment).
 * - `slos`: request-based SLOs of a monitored service (good and valid PromQL, target, compliance period) read from a
 *   health source, with what the last evaluation measured.
 * - `slo_rollback_policies`: the condition, the rollback window after a deployment and whether it is enabled;
 *   `breach_started_at` is when the evaluator first saw the current breach (null: none).
 * - `slo_breaches`: one row per (policy, fingerprint, starts_at), inserted before acting, so a repeated or concurrent
 *   delivery of the same breach never acts twice.
 * - `slo_decisions`: the audit events, one per decision (rolled back, or why not).
 */
export class SloRollbackPolicies1796157000000 implements MigrationInterface {
  name = 'SloRollbackPolicies1796157000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE slo_health_sources (
        id uuid PRIMARY KEY,
        name text NOT NULL,
        url text NOT NULL,
        token_ciphertext text,
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz
      )`);
    await q.query(
      `CREATE UNIQUE INDEX slo_health_sources_name ON slo_health_sources (lower(name)) WHERE deleted_at IS NULL`,
    );
    await q.query(`
      CREATE TABLE slo_monitored_services (
        id uuid PRIMARY KEY,
        name text NOT NULL,
        service_id uuid NOT NULL REFERENCES services(id),
        infrastructure_id uuid NOT NULL REFERENCES infrastructures(id),
        environment text NOT NULL,
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz
      )`);
    await q.query(
      `CREATE UNIQUE INDEX slo_monitored_services_target ON slo_monitored_services (service_id, infrastructure_id)
        WHERE deleted_at IS NULL`,
    );
    await q.query(`
      CREATE TABLE slos (
        id uuid PRIMARY KEY,
        monitored_service_id uuid NOT NULL REFERENCES slo_monitored_services(id),
        health_source_id uuid NOT NULL REFERENCES slo_health_sources(id),
        name text NOT NULL,
        good_query text NOT NULL,
        valid_query text NOT NULL,
        target_percent double precision NOT NULL,
        period_days integer NOT NULL,
        last_evaluation jsonb,
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz
      )`);
    await q.query(`CREATE UNIQUE INDEX slos_name ON slos (monitored_service_id, lower(name)) WHERE deleted_at IS NULL`);
    await q.query(`
      CREATE TABLE slo_rollback_policies (
        id uuid PRIMARY KEY,
        slo_id uuid NOT NULL REFERENCES slos(id),
        name text NOT NULL,
        condition jsonb NOT NULL,
        window_minutes integer NOT NULL,
        enabled boolean NOT NULL DEFAULT true,
        breach_started_at timestamptz,
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz
      )`);
    await q.query(`
      CREATE TABLE slo_breaches (
        policy_id uuid NOT NULL REFERENCES slo_rollback_policies(id),
        fingerprint text NOT NULL,
        starts_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (policy_id, fingerprint, starts_at)
      )`);
    await q.query(`
      CREATE TABLE slo_decisions (
        id uuid PRIMARY KEY,
        monitored_service_id uuid NOT NULL REFERENCES slo_monitored_services(id),
        policy_id uuid REFERENCES slo_rollback_policies(id),
        source text NOT NULL,
        breach_status text NOT NULL,
        fingerprint text NOT NULL,
        starts_at timestamptz NOT NULL,
        details jsonb NOT NULL DEFAULT '{}',
        outcome text NOT NULL,
        reason text NOT NULL,
        execution_id uuid REFERENCES jobs(id),
        rollback_job_id uuid REFERENCES jobs(id),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE INDEX slo_decisions_monitored_service ON slo_decisions (monitored_service_id, created_at DESC)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE slo_decisions`);
    await q.query(`DROP TABLE slo_breaches`);
    await q.query(`DROP TABLE slo_rollback_policies`);
    await q.query(`DROP TABLE slos`);
    await q.query(`DROP TABLE slo_monitored_services`);
    await q.query(`DROP TABLE slo_health_sources`);
  }
}

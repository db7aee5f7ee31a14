import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The first step of the platform core (ADR 0014): services, and infrastructures as the targets of jobs. Every org
 * becomes a `salesforce` infrastructure of the same name and environment (its credentials stay on the org).
 */
export class ServicesAndInfrastructures1796154000000 implements MigrationInterface {
  name = 'ServicesAndInfrastructures1796154000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE services (
        id uuid PRIMARY KEY,
        name text NOT NULL,
        description text,
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz
      )`);
    await q.query(`CREATE UNIQUE INDEX services_name_live ON services (lower(name)) WHERE deleted_at IS NULL`);
    await q.query(`
      CREATE TABLE infrastructures (
        id uuid PRIMARY KEY,
        name text NOT NULL,
        environment text NOT NULL,
        kind text NOT NULL,
        connection_ciphertext text,
        org_id uuid REFERENCES orgs(id),
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz,
        CONSTRAINT infrastructures_connection CHECK (
          (kind = 'salesforce' AND org_id IS NOT NULL AND connection_ciphertext IS NULL)
          OR (kind <> 'salesforce' AND org_id IS NULL AND connection_ciphertext IS NOT NULL))
      )`);
    await q.query(
      `CREATE UNIQUE INDEX infrastructures_name_live ON infrastructures (lower(name)) WHERE deleted_at IS NULL`,
    );
    await q.query(`CREATE UNIQUE INDEX infrastructures_org ON infrastructures (org_id) WHERE org_id IS NOT NULL`);
    await q.query(`
      INSERT INTO infrastructures (id, name, environment, kind, org_id, created_by, created_at, deleted_at)
      SELECT gen_random_uuid(), name, environment, 'salesforce', id, created_by, created_at, deleted_at FROM orgs`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE infrastructures`);
    await q.query(`DROP TABLE services`);
  }
}

import { describe, it, expect } from '@jest/globals';
import type { DataSource } from 'typeorm';
import { DropJobsPhase1796151000000 } from '../../migrations/1796151000000-DropJobsPhase.js';
import { IdempotencyKeysExpiry1796151000001 } from '../../migrations/1796151000001-IdempotencyKeysExpiry.js';
import { PlatformExecutions1796155000000 } from '../../migrations/1796155000000-PlatformExecutions.js';
import { PackagesAndReleases1796156000000 } from '../../migrations/1796156000000-PackagesAndReleases.js';
import { SloRollbackPolicies1796157000000 } from '../../migrations/1796157000000-SloRollbackPolicies.js';
import { SnapshotComponentsFillfactor1796158000000 } from '../../migrations/1796158000000-SnapshotComponentsFillfactor.js';
import { JobComponentsFillfactor1796159000000 } from '../../migrations/1796159000000-JobComponentsFillfactor.js';
import { JobLogsKeyedBySeq1796160000000 } from '../../migrations/1796160000000-JobLogsKeyedBySeq.js';
import { RowsWithoutParentChecks1796161000000 } from '../../migrations/1796161000000-RowsWithoutParentChecks.js';
import { BlobDeltas1796163000000 } from '../../migrations/1796163000000-BlobDeltas.js';
import { JobLogBlocks1796164000000 } from '../../migrations/1796164000000-JobLogBlocks.js';
import { MemberLookupIndexes1796165000000 } from '../../migrations/1796165000000-MemberLookupIndexes.js';
import { onlyMembers, whereMembers } from '../../src/branches/member-filter.js';
import { useEmbeddedDatabase } from '../helpers/embedded-database.js';

describe('schema migrations of the code-health clean-up (all migrations on the embedded database)', () => {
  const database = useEmbeddedDatabase();

  // PGlite serves one connection: inside a query runner, ask through it.
  const columns = async (table: string, via: Pick<DataSource, 'query'> = database()): Promise<string[]> => {
    const rows: { column_name: string }[] = await via.query(
      `SELECT column_name FROM information_schema.columns WHERE table_name = $1`,
      [table],
    );
    return rows.map((r) => r.column_name);
  };

  it('drops the never-used jobs.phase column (the phase lives in progress.phase)', async () => {
    expect(await columns('jobs')).not.toContain('phase');
    expect(await columns('jobs')).toContain('progress');
  });

  it('gives idempotency keys an age index for the sweep and a column naming an omitted secret', async () => {
    expect(await columns('idempotency_keys')).toContain('omitted_field');
    const indexes: { indexname: string }[] = await database().query(
      `SELECT indexname FROM pg_indexes WHERE tablename = 'idempotency_keys'`,
    );
    expect(indexes.map((i) => i.indexname)).toContain('idempotency_keys_created_at');
  });

  it('reverts both migrations and applies them again', async () => {
    const runner = database().createQueryRunner();
    try {
      await new IdempotencyKeysExpiry1796151000001().down(runner);
      await new DropJobsPhase1796151000000().down(runner);
      expect(await columns('jobs', runner)).toContain('phase');
      expect(await columns('idempotency_keys', runner)).not.toContain('omitted_field');
      await new DropJobsPhase1796151000000().up(runner);
      await new IdempotencyKeysExpiry1796151000001().up(runner);
      expect(await columns('jobs', runner)).not.toContain('phase');
      expect(await columns('idempotency_keys', runner)).toContain('omitted_field');
    } finally {
      await runner.release();
    }
  });

  it("points existing jobs at their org's infrastructure and turns the org lock into a per-infrastructure lock", async () => {
    const runner = database().createQueryRunner();
    const migration = new PlatformExecutions1796155000000();
    try {
      // The later migration's tables point at pipelines and jobs: it is reverted first (and not applied again here).
      await new PackagesAndReleases1796156000000().down(runner);
      await migration.down(runner);
      expect(await columns('jobs', runner)).not.toContain('infrastructure_id');
      const orgId = '3a1f7a0e-2d7c-4b8e-9d1e-0c5b2a7f0001';
      await runner.query(
        `INSERT INTO orgs (id, name, environment, instance_url, api_version, auth_type, secret_ciphertext)
         VALUES ($1, 'UAT', 'uat', 'https://x.test', '60.0', 'accessToken', 'v1.sealed')`,
        [orgId],
      );
      await runner.query(
        `INSERT INTO infrastructures (id, name, environment, kind, org_id)
         VALUES ('3a1f7a0e-2d7c-4b8e-9d1e-0c5b2a7f0002', 'UAT', 'uat', 'salesforce', $1)`,
        [orgId],
      );
      await runner.query(
        `INSERT INTO jobs (id, kind, status, org_id) VALUES ('3a1f7a0e-2d7c-4b8e-9d1e-0c5b2a7f0003', 'Deploy', 'Completed', $1),
                ('3a1f7a0e-2d7c-4b8e-9d1e-0c5b2a7f0004', 'Deploy', 'Completed', NULL)`,
        [orgId],
      );

      await migration.up(runner);
      const jobs: { id: string; infrastructure_id: string | null }[] = await runner.query(
        `SELECT id, infrastructure_id FROM jobs WHERE id::text LIKE '3a1f7a0e%' ORDER BY id`,
      );
      expect(jobs.map((j) => j.infrastructure_id)).toEqual(['3a1f7a0e-2d7c-4b8e-9d1e-0c5b2a7f0002', null]);
      expect(await columns('target_locks', runner)).toEqual(
        expect.arrayContaining(['infrastructure_id', 'job_id', 'owner', 'expires_at']),
      );
      expect(await columns('org_locks', runner)).toEqual([]);
      expect(await columns('execution_stages', runner)).toEqual(
        expect.arrayContaining(['spec', 'rollback_data', 'outputs', 'state', 'source_stage_id', 'failure_strategy']),
      );
    } finally {
      await runner.release();
    }
  });
  it('adds package_versions, releases and jobs.release_id, and takes them away again (1796156000000)', async () => {
    const runner = database().createQueryRunner();
    const migration = new PackagesAndReleases1796156000000();
    const schema = async () => ({
      packageVersions: await columns('package_versions', runner),
      releases: await columns('releases', runner),
      jobs: await columns('jobs', runner),
    });
    try {
      // The test above leaves it reverted; run on its own, it finds it applied.
      if ((await columns('package_versions', runner)).length) await migration.down(runner);
      const before = await schema();
      expect(before.packageVersions).toEqual([]);
      expect(before.releases).toEqual([]);
      expect(before.jobs).not.toContain('release_id');

      await migration.up(runner);
      const after = await schema();
      expect(after.packageVersions).toEqual(
        expect.arrayContaining(['id', 'name', 'version', 'format', 'size', 'sha256', 'files', 'pruned_at']),
      );
      expect(after.releases).toEqual(
        expect.arrayContaining(['id', 'pipeline_id', 'pipeline_version', 'version', 'variables', 'packages']),
      );
      expect(after.jobs).toContain('release_id');

      await migration.down(runner);
      const reverted = await schema();
      expect(reverted.packageVersions).toEqual([]);
      expect(reverted.releases).toEqual([]);
      expect(reverted.jobs).not.toContain('release_id');
      await migration.up(runner);
      expect(await columns('jobs', runner)).toContain('release_id');
    } finally {
      await runner.release();
    }
  });
  it('adds the SLO rollback tables and takes them away again (1796157000000)', async () => {
    const runner = database().createQueryRunner();
    const migration = new SloRollbackPolicies1796157000000();
    const tables = ['slo_health_sources', 'slo_monitored_services', 'slos', 'slo_rollback_policies', 'slo_breaches'];
    const present = async () => {
      const found: string[] = [];
      for (const table of [...tables, 'slo_decisions']) if ((await columns(table, runner)).length) found.push(table);
      return found;
    };
    try {
      expect(await present()).toHaveLength(6);
      expect(await columns('slo_health_sources', runner)).toContain('token_ciphertext');
      expect(await columns('slo_decisions', runner)).toEqual(
        expect.arrayContaining(['policy_id', 'fingerprint', 'starts_at', 'outcome', 'reason', 'rollback_job_id']),
      );
      await migration.down(runner);
      expect(await present()).toEqual([]);
      await migration.up(runner);
      expect(await present()).toHaveLength(6);
    } finally {
      await runner.release();
    }
  });

  it.each([
    [
      'snapshot_components',
      'the after-deploy update',
      '1796158000000',
      new SnapshotComponentsFillfactor1796158000000(),
    ],
    [
      'job_components',
      "a rollback's drift and outcome updates",
      '1796159000000',
      new JobComponentsFillfactor1796159000000(),
    ],
  ])('leaves room in %s pages for %s, and takes it back (%s)', async (table, _, __, migration) => {
    const runner = database().createQueryRunner();
    const options = async (): Promise<string[] | null> =>
      (
        (await runner.query(`SELECT reloptions FROM pg_class WHERE relname = $1`, [table])) as {
          reloptions: string[] | null;
        }[]
      )[0]!.reloptions;
    try {
      expect(await options()).toEqual(['fillfactor=50']);
      await migration.down(runner);
      expect(await options()).toBeNull();
      await migration.up(runner);
      expect(await options()).toEqual(['fillfactor=50']);
    } finally {
      await runner.release();
    }
  });

  it('keys job_logs by (job_id, seq), without the id column or the check against jobs, and back (1796160000000)', async () => {
    const runner = database().createQueryRunner();
    const migration = new JobLogsKeyedBySeq1796160000000();
    const constraints = async () =>
      (
        (await runner.query(
          `SELECT contype, pg_get_constraintdef(oid) AS def FROM pg_constraint
            WHERE conrelid = 'job_logs'::regclass AND contype IN ('p', 'u', 'f') ORDER BY contype, conname`,
        )) as { contype: string; def: string }[]
      ).map((c) => `${c.contype} ${c.def}`);
    const lines = async () =>
      ((await runner.query(`SELECT seq, message FROM job_logs WHERE job_id = $1 ORDER BY seq`, [job])) as unknown[])
        .length;
    const job = '00000000-0000-4000-8000-000000000160';
    const blocks = new JobLogBlocks1796164000000();
    try {
      // the later migration turned the table into blocks: reverted first, applied again at the end
      await blocks.down(runner);
      await runner.query(`INSERT INTO jobs (id, kind, status) VALUES ($1, 'Deploy', 'Completed')`, [job]);
      await runner.query(`INSERT INTO job_logs (job_id, seq, level, message) VALUES ($1, 1, 'info', 'one')`, [job]);
      expect(await constraints()).toEqual(['p PRIMARY KEY (job_id, seq)']);
      expect(await columns('job_logs', runner)).not.toContain('id');
      // a line written twice is still refused by the key (the writer's ON CONFLICT relies on it)
      await expect(
        runner.query(`INSERT INTO job_logs (job_id, seq, level, message) VALUES ($1, 1, 'info', 'again')`, [job]),
      ).rejects.toThrow(/duplicate key/);

      await migration.down(runner);
      expect(await constraints()).toEqual([
        'f FOREIGN KEY (job_id) REFERENCES jobs(id)',
        'p PRIMARY KEY (id)',
        'u UNIQUE (job_id, seq)',
      ]);
      expect(await lines()).toBe(1);
      await migration.up(runner);
      expect(await constraints()).toEqual(['p PRIMARY KEY (job_id, seq)']);
      expect(await lines()).toBe(1);
    } finally {
      await runner.query(`DELETE FROM job_logs WHERE job_id = $1`, [job]);
      await runner.query(`DELETE FROM jobs WHERE id = $1`, [job]);
      await blocks.up(runner);
      await runner.release();
    }
  });

  it('moves the log lines into blocks of 1,000 behind a job_logs view, and back (1796164000000)', async () => {
    const runner = database().createQueryRunner();
    const migration = new JobLogBlocks1796164000000();
    const job = '00000000-0000-4000-8000-000000000164';
    const lines = async () =>
      (await runner.query(`SELECT seq, level, component, message FROM job_logs WHERE job_id = $1 ORDER BY seq`, [
        job,
      ])) as { seq: number; level: string; component: string | null; message: string }[];
    try {
      await migration.down(runner);
      await runner.query(
        `INSERT INTO job_logs (job_id, seq, level, component, message)
         SELECT $1, n, 'info', CASE WHEN n % 2 = 0 THEN 'ApexClass:C' || n END, 'line ' || n FROM generate_series(1, 2500) n`,
        [job],
      );
      const before = await lines();
      expect(before).toHaveLength(2500);

      await migration.up(runner);
      const blocks: { first_seq: number; last_seq: number; n: number }[] = await runner.query(
        `SELECT first_seq, last_seq, jsonb_array_length(lines) AS n FROM job_log_blocks WHERE job_id = $1 ORDER BY first_seq`,
        [job],
      );
      expect(blocks).toEqual([
        { first_seq: 1, last_seq: 1000, n: 1000 },
        { first_seq: 1001, last_seq: 2000, n: 1000 },
        { first_seq: 2001, last_seq: 2500, n: 500 },
      ]);
      expect(await lines()).toEqual(before);
      // a view: lines are written as blocks now
      await expect(
        runner.query(`INSERT INTO job_logs (job_id, seq, level, message) VALUES ($1, 2501, 'info', 'x')`, [job]),
      ).rejects.toThrow();

      await migration.down(runner);
      expect(await lines()).toEqual(before);
      await migration.up(runner);
      expect(await lines()).toEqual(before);
    } finally {
      await runner.query(`DELETE FROM job_log_blocks WHERE job_id = $1`, [job]);
      await runner.release();
    }
  });

  it('writes component rows and claims without a per-row check of their job or snapshot, and back (1796161000000)', async () => {
    const runner = database().createQueryRunner();
    const migration = new RowsWithoutParentChecks1796161000000();
    const foreignKeys = async () =>
      (
        (await runner.query(
          `SELECT conrelid::regclass::text AS "table", pg_get_constraintdef(oid) AS def FROM pg_constraint
            WHERE contype = 'f' AND conrelid::regclass::text IN ('snapshot_components', 'job_components', 'rollback_claims')
            ORDER BY 1, 2`,
        )) as { table: string; def: string }[]
      ).map((c) => `${c.table} ${c.def}`);
    const nobody = '00000000-0000-4000-8000-000000000161';
    const rowOfNobody = () =>
      runner.query(
        `INSERT INTO job_components (job_id, type, full_name, action, status) VALUES ($1, 'ApexClass', 'A', 'update', 'Pending')`,
        [nobody],
      );
    try {
      expect(await foreignKeys()).toEqual([]);
      // a row naming a job that does not exist is no longer refused by the database (nothing deletes jobs)
      await rowOfNobody();
      await runner.query(`DELETE FROM job_components WHERE job_id = $1`, [nobody]);

      await migration.down(runner);
      expect(await foreignKeys()).toEqual([
        'job_components FOREIGN KEY (job_id) REFERENCES jobs(id)',
        'rollback_claims FOREIGN KEY (deploy_job_id) REFERENCES jobs(id)',
        'rollback_claims FOREIGN KEY (rollback_job_id) REFERENCES jobs(id)',
        'snapshot_components FOREIGN KEY (snapshot_id) REFERENCES snapshots(id)',
      ]);
      await expect(rowOfNobody()).rejects.toThrow(/foreign key/);
      await migration.up(runner);
      expect(await foreignKeys()).toEqual([]);
    } finally {
      await runner.query(`DELETE FROM job_components WHERE job_id = $1`, [nobody]);
      await runner.release();
    }
  });

  it('lets a blob name the whole blob it is a delta against, which cannot then be deleted, and back (1796163000000)', async () => {
    const runner = database().createQueryRunner();
    const migration = new BlobDeltas1796163000000();
    const [whole, delta] = ['a'.repeat(64), 'b'.repeat(64)];
    const insert = (sha256: string, base: string | null) =>
      runner.query(
        `INSERT INTO blobs (sha256, size, stored_size, encoding, content, base) VALUES ($1, 1, 1, $2, '\\x00', $3)`,
        [sha256, base ? 'delta' : 'identity', base],
      );
    try {
      await insert(whole, null);
      await insert(delta, whole);
      await expect(runner.query(`DELETE FROM blobs WHERE sha256 = $1`, [whole])).rejects.toThrow(/foreign key/);
      await runner.query(`DELETE FROM blobs WHERE sha256 = $1`, [delta]);
      await migration.down(runner);
      expect(await columns('blobs', runner)).not.toContain('base');
      await migration.up(runner);
      expect(await columns('blobs', runner)).toContain('base');
      await expect(insert(delta, 'c'.repeat(64))).rejects.toThrow(/foreign key/);
    } finally {
      await runner.query(`DELETE FROM blobs WHERE sha256 = ANY($1)`, [[delta, whole]]);
      await runner.release();
    }
  });

  it('looks a few members up through an index on the lower-cased name, thousands by hashing, and back (1796165000000)', async () => {
    const runner = database().createQueryRunner();
    const migration = new MemberLookupIndexes1796165000000();
    const branch = '00000000-0000-4000-8000-000000000165';
    const revision = '00000000-0000-4000-8000-000000000166';
    // names a text[] parameter must carry intact: commas, quotes, braces, a backslash, a space, a non-ASCII letter
    const odd = ['Weird,Name "quoted" {braced} back\\slash', 'Account-Account Layout', 'Café__c.Prix__c'];
    const lookup = (refs: { type: string; fullName: string }[]) =>
      whereMembers(
        database()
          .createQueryBuilder(runner) // PGlite serves one connection: the runner's
          .select(['rc.type AS type', 'rc.full_name AS "fullName"'])
          .from('revision_components', 'rc')
          .where('rc.revision_id = :revision', { revision }),
        'rc',
        refs,
      );
    const plan = async (refs: { type: string; fullName: string }[]) => {
      const [sql, parameters] = lookup(refs).getQueryAndParameters();
      const rows: { 'QUERY PLAN': string }[] = await runner.query(`EXPLAIN ${sql}`, parameters);
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    };
    const memberIndexes = async () =>
      (
        (await runner.query(
          `SELECT indexname FROM pg_indexes
            WHERE indexname IN ('revision_components_member', 'snapshot_components_member') ORDER BY indexname`,
        )) as { indexname: string }[]
      ).map((i) => i.indexname);
    try {
      await runner.query(`INSERT INTO branches (id, name) VALUES ($1, 'member-lookup')`, [branch]);
      await runner.query(
        `INSERT INTO revisions (id, branch_id, number, format, upload_sha256, component_count, file_count)
         VALUES ($1, $2, 1, 'source', $3, 3003, 3003)`,
        [revision, branch, 'c'.repeat(64)],
      );
      await runner.query(
        `INSERT INTO revision_components (revision_id, type, full_name, fingerprint, files)
         SELECT $1::uuid, 'ApexClass', 'Class' || i, $2, '[]'::jsonb FROM generate_series(1, 3000) i
         UNION ALL SELECT $1::uuid, 'CustomField', name, $2, '[]'::jsonb FROM unnest($3::text[]) AS name`,
        [revision, 'f'.repeat(64), odd],
      );
      await runner.query(`ANALYZE revision_components`);

      // the odd names come back whatever their case, and only they
      const asked = odd.map((fullName) => ({ type: 'CustomField', fullName: fullName.toUpperCase() }));
      const found: { type: string; fullName: string }[] = await lookup(asked).getRawMany();
      expect(found.map((r) => r.fullName).sort()).toEqual([...odd].sort());
      expect(onlyMembers(found, asked)).toHaveLength(3);

      const one = [{ type: 'ApexClass', fullName: 'CLASS17' }];
      const all = Array.from({ length: 3000 }, (_, i) => ({ type: 'ApexClass', fullName: `Class${i + 1}` }));
      expect(await plan(one)).toContain('revision_components_member');
      expect(await plan(all)).toMatch(/Hash/);
      expect(await lookup(all).getRawMany()).toHaveLength(3000);

      await migration.down(runner);
      expect(await plan(one)).not.toContain('revision_components_member');
      expect(await memberIndexes()).toEqual([]);
      await migration.up(runner);
      expect(await plan(one)).toContain('revision_components_member');
      expect(await memberIndexes()).toEqual(['revision_components_member', 'snapshot_components_member']);
    } finally {
      await runner.query(`DELETE FROM revision_components WHERE revision_id = $1`, [revision]);
      await runner.query(`DELETE FROM revisions WHERE id = $1`, [revision]);
      await runner.query(`DELETE FROM branches WHERE id = $1`, [branch]);
      await runner.release();
    }
  });
});

import type { MigrationInterface, QueryRunner } from 'typeorm';

/** A line of a block, as `jsonb_to_recordset` reads it back. */
const LINE_COLUMNS = 'seq integer, at timestamptz, level text, component text, message text';

/**
 * A job's log lines are stored in blocks of up to 1,000 consecutive lines, one row each, instead of a row per line
 * (ADR 0029): a 10,000-component job writes 30,000–35,000 lines, and on the embedded database each row and its index
 * entries cost more than the line itself. `job_logs` stays, as a view of the lines one per row, for whoever reads them
 * with SQL; the service reads the blocks (`JobsService.listLogs`). Where two writers gave a `seq` twice, the line of
 * the block that starts first is the one shown.
 */
export class JobLogBlocks1796164000000 implements MigrationInterface {
  name = 'JobLogBlocks1796164000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE job_log_blocks (
        job_id uuid NOT NULL,
        first_seq integer NOT NULL,
        last_seq integer NOT NULL,
        lines jsonb NOT NULL,
        PRIMARY KEY (job_id, first_seq)
      )`);
    await q.query(`
      INSERT INTO job_log_blocks (job_id, first_seq, last_seq, lines)
      SELECT job_id, min(seq), max(seq),
             jsonb_agg(jsonb_build_object('seq', seq, 'at', at, 'level', level, 'component', component, 'message', message)
                       ORDER BY seq)
        FROM job_logs
       GROUP BY job_id, (seq - 1) / 1000`);
    await q.query(`DROP TABLE job_logs`);
    await q.query(`
      CREATE VIEW job_logs AS
      SELECT DISTINCT ON (b.job_id, l.seq) b.job_id, l.seq, l.at, l.level, l.component, l.message
        FROM job_log_blocks b CROSS JOIN LATERAL jsonb_to_recordset(b.lines) AS l(${LINE_COLUMNS})
       ORDER BY b.job_id, l.seq, b.first_seq`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER VIEW job_logs RENAME TO job_log_lines`);
    await q.query(`
      CREATE TABLE job_logs (
        job_id uuid NOT NULL,
        seq integer NOT NULL,
        at timestamptz NOT NULL DEFAULT now(),
        level text NOT NULL,
        component text,
        message text NOT NULL,
        PRIMARY KEY (job_id, seq)
      )`);
    await q.query(`CREATE INDEX job_logs_component ON job_logs (job_id, component, seq)`);
    await q.query(`INSERT INTO job_logs SELECT job_id, seq, at, level, component, message FROM job_log_lines`);
    await q.query(`DROP VIEW job_log_lines`);
    await q.query(`DROP TABLE job_log_blocks`);
  }
}

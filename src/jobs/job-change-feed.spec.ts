import { describe, it, expect } from '@jest/globals';
import type { Config } from '../config/config.js';
import { JOB_CHANGE_CHANNEL, JobChangeFeed, returnedRows } from './job-change-feed.js';

/** A runner that records statements and answers as the pg driver does. */
function recorder(answer: unknown) {
  const calls: { sql: string; params: unknown[] }[] = [];
  return { calls, query: async (sql: string, params: unknown[] = []) => (calls.push({ sql, params }), answer) };
}

const feedOn = (embeddedDatabase: boolean) =>
  new JobChangeFeed({ embeddedDatabase, DATABASE_URL: 'postgres://unused', ROLE: 'api' } as Config);

describe('JobChangeFeed', () => {
  it('on the embedded default runs the update as it is and tells this process which jobs changed', async () => {
    const feed = feedOn(true);
    const heard: string[] = [];
    feed.onChanged((id) => heard.push(id));
    const runner = recorder([[{ id: 'j1' }, { id: 'j2' }], 2]);
    const sql = `UPDATE jobs SET version = version + 1 WHERE org_id = $1 RETURNING id`;
    expect(await feed.update(runner, sql, ['o1'])).toEqual(['j1', 'j2']);
    expect(runner.calls).toEqual([{ sql, params: ['o1'] }]);
    expect(heard).toEqual(['j1', 'j2']);
    expect(feed.reliable).toBe(true);
  });

  it('on PostgreSQL notifies in the changing statement itself, and tells this process at once', async () => {
    const feed = feedOn(false);
    const heard: string[] = [];
    feed.onChanged((id) => heard.push(id));
    const runner = recorder([{ id: 'j1', pg_notify: '' }]);
    const sql = `UPDATE jobs SET version = version + 1 WHERE id = $1 RETURNING id`;
    expect(await feed.update(runner, sql, ['j1'])).toEqual(['j1']);
    expect(runner.calls[0]!.sql).toBe(`WITH changed AS (${sql}) SELECT id, pg_notify($2, id::text) FROM changed`);
    expect(runner.calls[0]!.params).toEqual(['j1', JOB_CHANGE_CHANNEL]);
    expect(heard).toEqual(['j1']);
    // Not listening yet: nothing cached may be trusted.
    expect(feed.reliable).toBe(false);
  });

  it('reads the rows of UPDATE … RETURNING ([rows, count]) and of a SELECT alike', () => {
    expect(returnedRows([[{ id: 'a' }], 1])).toEqual([{ id: 'a' }]);
    expect(returnedRows([[], 0])).toEqual([]);
    expect(returnedRows([{ id: 'a' }, { id: 'b' }])).toEqual([{ id: 'a' }, { id: 'b' }]);
    expect(returnedRows(undefined)).toEqual([]);
  });
});

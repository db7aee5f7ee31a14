import { Inject, Injectable, Logger } from '@nestjs/common';
import { CONFIG } from '../config/config.module.js';
import type { Config } from '../config/config.js';
import { NotificationFeed } from '../database/notification-feed.js';

/** The PostgreSQL notification channel that carries the id of each job whose row changed. */
export const JOB_CHANGE_CHANNEL = 'backtrack_job_changed';

/** What runs a statement: a DataSource, an EntityManager, a Repository. */
export interface Queryable {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

/**
 * Tells every API process at once which jobs changed, so that what they cached about a job (its status page for
 * pollers, ADR 0021) is dropped before it could be served stale. Contract: every statement that changes a job row's
 * version runs through `update`, which sends the notification in that same statement (so a change is never committed
 * without it) and tells this process at once; `reliable` is false whenever a notification could have been missed,
 * and callers must then ask the database.
 *
 * On the embedded default (one process, PGlite) the news is local and nothing is sent through the database.
 */
@Injectable()
export class JobChangeFeed extends NotificationFeed {
  constructor(@Inject(CONFIG) config: Config) {
    super(config, {
      channel: JOB_CHANGE_CHANNEL,
      applicationName: 'backtrack-job-changes',
      logger: new Logger('Jobs'),
      topic: 'job changes',
      meanwhile: 'job status is read from the database on every request',
    });
  }

  onChanged(listener: (jobId: string) => void): void {
    this.onMessage(listener);
  }

  /**
   * Runs `UPDATE jobs … RETURNING id` and tells every API process which jobs it changed; returns their ids. On
   * PostgreSQL the notifications are part of the statement itself, so they go out exactly when the change commits.
   */
  async update(runner: Queryable, updateSql: string, params: unknown[]): Promise<string[]> {
    const result = this.shared
      ? await runner.query(
          `WITH changed AS (${updateSql}) SELECT id, pg_notify($${params.length + 1}, id::text) FROM changed`,
          [...params, JOB_CHANGE_CHANNEL],
        )
      : await runner.query(updateSql, params);
    const ids = returnedRows(result).map((row) => String(row.id));
    for (const id of ids) this.sent(id);
    return ids;
  }
}

/** The rows a statement returned: the pg driver answers `UPDATE … RETURNING` with [rows, count], a SELECT with rows. */
export function returnedRows(result: unknown): { id: unknown }[] {
  if (!Array.isArray(result)) return [];
  if (result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number')
    return result[0] as { id: unknown }[];
  return result as { id: unknown }[];
}

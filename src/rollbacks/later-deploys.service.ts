import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { MemberRef } from '../salesforce/component.types.js';
import { componentKey } from '../salesforce/component-key.js';
import { memberArrays, membersIn } from '../branches/member-filter.js';
import { newestLaterChanges, type LaterChange } from './later-deploys.js';

/**
 * Which later deploys changed a deploy's components: Deploy jobs of the same org created after it, not validations,
 * applied at least in part (Completed, or Salesforce applied it, or its outcome was read from the org), whose
 * snapshot rows hold the component with an action other than unchanged. A later change a rollback of that deploy
 * already took back (the component is claimed by one of its rollbacks) no longer counts.
 */
@Injectable()
export class LaterDeploys {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** The newest later change of each of `refs` (by componentKey); components no later deploy changed are absent. */
  async changes(deployJobId: string, refs: MemberRef[]): Promise<Map<string, LaterChange>> {
    if (refs.length === 0) return new Map();
    const members = memberArrays(refs);
    const rows: {
      job_id: string;
      created_at: Date;
      created_by_name: string | null;
      type: string;
      full_name: string;
    }[] = await this.db.query(
      `SELECT j.id AS job_id, j.created_at, j.created_by_name, sc.type, sc.full_name
           FROM jobs d
           JOIN jobs j ON j.org_id = d.org_id AND j.created_at > d.created_at AND j.id <> d.id
           JOIN snapshots s ON s.job_id = j.id
           JOIN snapshot_components sc ON sc.snapshot_id = s.id
          WHERE d.id = $1 AND j.kind = 'Deploy'
            AND coalesce((j.options->>'checkOnly')::boolean, false) = false
            AND (j.status = 'Completed' OR j.state->>'salesforceStatus' IN ('Succeeded', 'SucceededPartial')
                 OR j.state->>'outcomeSource' = 'org')
            AND sc.deploy_action IN ('create', 'update', 'delete')
            AND (sc.type, lower(sc.full_name)) IN ${membersIn('$2', '$3')}
            AND NOT EXISTS (SELECT 1 FROM rollback_claims rc
                             WHERE rc.deploy_job_id = j.id AND rc.type = sc.type
                               AND lower(rc.full_name) = lower(sc.full_name))`,
      [deployJobId, members.types, members.names],
    );
    const wanted = new Set(refs.map(componentKey));
    return newestLaterChanges(
      rows
        .map((r) => ({
          type: r.type,
          fullName: r.full_name,
          jobId: r.job_id,
          at: new Date(r.created_at),
          by: r.created_by_name,
        }))
        .filter((c) => wanted.has(componentKey(c))),
    );
  }
}

import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import type { DataSource, Repository } from 'typeorm';
import { assertCan } from '../auth/auth.guard.js';
import type { Principal } from '../auth/permissions.js';
import { BadRequestError, NotFoundError } from '../common/errors.js';
import { plainRows, selectAllBut } from '../database/plain-rows.js';
import { JobChangeFeed } from './job-change-feed.js';
import { JobComponent } from './job-component.entity.js';
import { LOG_LINE_COLUMNS, type JobLog } from './job-log.js';
import { bodyExpiry, JobStatusCache, type JobStatus } from './job-status-cache.js';
import { Job } from './job.entity.js';

export interface LogQuery {
  component?: string;
  after?: number;
  limit?: number;
}

/** The largest log line seq (PostgreSQL `integer`). */
const MAX_SEQ = 2_147_483_647;

/** Reading jobs, their components and their logs — what Activities, job pages, pollers and streams show. */
@Injectable()
export class JobsService {
  /** Revision numbers never change, so they are looked up once. */
  private readonly revisionNumbers = new Map<string, number>();
  /** Status pages for pollers, dropped as soon as their job changes in any process (ADR 0021). */
  private readonly statuses = new JobStatusCache();

  constructor(
    @InjectRepository(Job) private readonly jobs: Repository<Job>,
    @InjectRepository(JobComponent) private readonly components: Repository<JobComponent>,
    @InjectDataSource() private readonly db: DataSource,
    private readonly changes: JobChangeFeed,
  ) {
    changes.onChanged((id) => this.statuses.changed(id));
    changes.onGap(() => this.statuses.clear());
  }

  async get(id: string): Promise<Job> {
    const job = await this.jobs.findOneBy({ id });
    if (!job) throw new NotFoundError('Job', id);
    return job;
  }

  /**
   * The job as its status shows it (`presentJob`): its options are read as `presentedOptions` leaves them, so a
   * rollback of everything is read and parsed without the thousands of names its worker keeps (each poll of a
   * 10,000-component rollback otherwise read and wrote 525 KB).
   */
  async getForStatus(id: string): Promise<Job> {
    const [job] = await plainRows(
      selectAllBut(this.jobs.createQueryBuilder('j'), 'options')
        .addSelect(`CASE WHEN ${EXPANDED_ROLLBACK_SQL} THEN j.options - 'components' ELSE j.options END`, 'j_options')
        .where('j.id = :id', { id }),
    );
    if (!job) throw new NotFoundError('Job', id);
    return job;
  }

  /**
   * A job the principal may read: a job is read in every environment it touches — its org's, its infrastructure's
   * and, for a pipeline's execution or rollback, the environment of each of its stages (403 naming the first one
   * missing). A job touching no environment has none to check.
   */
  async getReadable(id: string, principal: Principal): Promise<Job> {
    const job = await this.get(id);
    await this.assertCanRead(id, principal);
    return job;
  }

  /**
   * `getReadable` for a caller that needs only the check (a job's logs, components, snapshot, rollback view): the row
   * is not read, so a page of a 10,000-component rollback's logs does not read its 525 KB of names.
   */
  async assertReadable(id: string, principal: Principal): Promise<void> {
    if ((await this.readableVersion(id, principal)) === null) throw new NotFoundError('Job', id);
  }

  /** 403 naming the first environment the job touches that the principal may not read. */
  private async assertCanRead(id: string, principal: Principal): Promise<void> {
    for (const environment of await this.environmentsOf(id)) assertCan(principal, 'read', environment);
  }

  /**
   * The status page of a job the principal may read (404 when there is none, 403 as `getReadable`), at its current
   * version. Served from memory while the change feed is reliable; otherwise only after the version is read again.
   */
  async status(id: string, principal: Principal): Promise<JobStatus> {
    let status = this.statuses.get(id, Date.now());
    if (status && !this.changes.reliable && (await this.version(id)) !== status.version) {
      this.statuses.changed(id);
      status = undefined;
    }
    status ??= await this.statuses.load(id, () => this.loadStatus(id));
    for (const environment of status.environments) assertCan(principal, 'read', environment);
    return status;
  }

  /** The version of a job the principal may read (null when there is no such job), for executions' 304s. */
  async readableVersion(id: string, principal: Principal): Promise<number | null> {
    const rows: { version: number }[] = await this.db.query(`SELECT version FROM jobs WHERE id = $1`, [id]);
    if (!rows[0]) return null;
    await this.assertCanRead(id, principal);
    return rows[0].version;
  }

  private async loadStatus(id: string): Promise<JobStatus> {
    const job = await this.getForStatus(id);
    const environments = await this.environmentsOf(id);
    const body = JSON.stringify(await this.present(job));
    return { version: job.version, environments, body, expiresAt: bodyExpiry(job, Date.now()) };
  }

  /**
   * The environments a job touches: its org's (removed orgs included: their jobs stay readable where they ran), its
   * infrastructure's, and its stages' (a pipeline's execution or rollback).
   */
  async environmentsOf(id: string): Promise<string[]> {
    const rows: { environment: string }[] = await this.db.query(
      `SELECT o.environment FROM jobs j JOIN orgs o ON o.id = j.org_id WHERE j.id = $1
       UNION SELECT i.environment FROM jobs j JOIN infrastructures i ON i.id = j.infrastructure_id WHERE j.id = $1
       UNION SELECT s.environment FROM execution_stages s WHERE s.job_id = $1`,
      [id],
    );
    return rows.map((r) => r.environment).sort();
  }

  /** Only the version, for the cheapest possible 304 to a poller. */
  async version(id: string): Promise<number | null> {
    const rows: { version: number }[] = await this.db.query(`SELECT version FROM jobs WHERE id = $1`, [id]);
    return rows[0]?.version ?? null;
  }

  listComponents(jobId: string): Promise<JobComponent[]> {
    return this.components.find({ where: { jobId }, order: { type: 'ASC', fullName: 'ASC' } });
  }

  /**
   * The job's lines after `after`, in order, at most `limit` (1,000 by default, 5,000 at most), only the component's
   * when one is named. Lines are stored in blocks of consecutive lines (ADR 0029): without a component, only the
   * blocks that hold the page's seqs are read; with one, the blocks after `after` that hold a line of it.
   */
  async listLogs(jobId: string, query: LogQuery): Promise<JobLog[]> {
    const limit = Math.min(Math.max(query.limit ?? 1000, 1), 5000);
    // a seq is a PostgreSQL integer: an `after` beyond the largest one asks for nothing, not for an error
    const after = Math.min(query.after ?? 0, MAX_SEQ);
    const component = query.component || undefined;
    if (component !== undefined && !/^[^:]+:.+$/.test(component))
      throw new BadRequestError('component must look like Type:FullName, e.g. ApexClass:Foo.');
    // A block holds every seq from first_seq to last_seq, and a job's seqs run on without a gap (a writer starts
    // after the last one written, and a batch's blocks go in together), so a page is the seqs after+1..after+limit
    // even where two writers' blocks overlap.
    const blocks =
      component === undefined
        ? `SELECT first_seq, lines FROM job_log_blocks WHERE job_id = $1 AND last_seq > $2 AND first_seq <= $2::bigint + $3`
        : `SELECT first_seq, lines FROM job_log_blocks
            WHERE job_id = $1 AND last_seq > $2 AND lines @> jsonb_build_array(jsonb_build_object('component', $4::text))`;
    return this.db.query(
      `SELECT DISTINCT ON (l.seq) l.seq, l.at, l.level, l.component, l.message
         FROM (${blocks}) b CROSS JOIN LATERAL jsonb_to_recordset(b.lines) AS l(${LOG_LINE_COLUMNS})
        WHERE l.seq > $2 AND ${component === undefined ? 'l.seq <= $2::bigint + $3' : 'l.component = $4'}
        ORDER BY l.seq, b.first_seq
        LIMIT $3`,
      component === undefined ? [jobId, after, limit] : [jobId, after, limit, component],
    );
  }

  /** The branch's jobs, newest first; with a principal, only those in its environments. */
  listForBranch(branchId: string, page: { limit: number; before?: Date }, principal?: Principal): Promise<Job[]> {
    const qb = this.jobs.createQueryBuilder('j').where('j.branch_id = :branchId', { branchId });
    if (principal?.environments) {
      qb.andWhere(
        `(j.org_id IS NULL OR EXISTS (SELECT 1 FROM orgs o
          WHERE o.id = j.org_id AND lower(o.environment) = ANY(:environments)))`,
        { environments: principal.environments.map((e) => e.toLowerCase()) },
      );
    }
    if (page.before) qb.andWhere('j.created_at < :before', { before: page.before });
    return qb.orderBy('j.created_at', 'DESC').limit(page.limit).getMany();
  }

  async revisionNumber(revisionId: string | null): Promise<number | null> {
    if (!revisionId) return null;
    const known = this.revisionNumbers.get(revisionId);
    if (known !== undefined) return known;
    const rows: { number: number }[] = await this.db.query(`SELECT number FROM revisions WHERE id = $1`, [revisionId]);
    if (rows[0]) this.revisionNumbers.set(revisionId, rows[0].number);
    return rows[0]?.number ?? null;
  }

  async present(job: Job) {
    return presentJob(job, await this.revisionNumber(job.revisionId));
  }
}

function waitingUntil(job: Job): string | undefined {
  const retryAt = job.state.retryAt;
  if (job.status !== 'In Progress' || typeof retryAt !== 'string') return undefined;
  return Date.parse(retryAt) > Date.now() ? retryAt : undefined;
}

/** A Salesforce rollback of everything (`all`), whose options hold the components it expanded to for its worker. */
function isExpandedRollback(job: Pick<Job, 'kind' | 'pipelineId' | 'options'>): boolean {
  return job.kind === 'Rollback' && job.pipelineId === null && job.options.all === true;
}

/** `isExpandedRollback` in SQL, over the `jobs` row aliased `j`. */
const EXPANDED_ROLLBACK_SQL = `j.kind = 'Rollback' AND j.pipeline_id IS NULL AND j.options @> '{"all": true}'`;

/**
 * The options a job shows: what was asked. A rollback of everything keeps the list of every component it expanded
 * to, for its worker; it shows `all: true` without that list (the components are its rows: `GET /api/jobs/:id/
 * components`), so that a poller of a 10,000-component rollback does not read 525 KB of names at every change.
 */
export function presentedOptions(job: Pick<Job, 'kind' | 'pipelineId' | 'options'>): Record<string, unknown> {
  if (!isExpandedRollback(job)) return job.options;
  const { components: _expanded, ...asked } = job.options;
  return asked;
}

export function presentJob(job: Job, revision: number | null) {
  const { componentsDone, componentsTotal, phase } = job.progress;
  return {
    id: job.id,
    kind: job.kind,
    status: job.status,
    branchId: job.branchId,
    orgId: job.orgId,
    revision,
    deployJobId: job.kind === 'Rollback' ? job.parentJobId : undefined,
    options: presentedOptions(job),
    createdBy: job.createdByName,
    createdAt: job.createdAt,
    startedAt: job.startedAt,
    finishedAt: job.finishedAt,
    progress: {
      phase: phase ?? job.status,
      componentsDone: componentsDone ?? 0,
      componentsTotal: componentsTotal ?? 0,
      percent: componentsTotal
        ? Math.floor(((componentsDone ?? 0) * 100) / componentsTotal)
        : job.status === 'Completed'
          ? 100
          : 0,
    },
    counts: job.counts,
    attempts: job.attempts,
    error: job.error,
    /** Problems Salesforce reported for the job as a whole (no component type: an unknown folder, a package error). */
    problems: Array.isArray(job.state.problems) ? job.state.problems : [],
    /** What a rollback left for a person (components the API cannot roll back), each with its checklist. */
    manualSteps: Array.isArray(job.state.manualSteps) ? job.state.manualSteps : undefined,
    version: job.version,
    /** Who asked to cancel it, and when (present only once someone did). */
    cancelRequested: (job.state.cancelRequested as { by: string; at: string } | undefined) ?? undefined,
    /** A running job waiting after a passing fault (Salesforce unreachable, credentials refused) resumes then. */
    waitingUntil: waitingUntil(job),
  };
}

export function presentComponent(row: JobComponent) {
  return {
    type: row.type,
    fullName: row.fullName,
    parent: row.parentType ? { type: row.parentType, fullName: row.parentFullName } : null,
    action: row.action,
    status: row.status,
    problem: row.problem,
    problemType: row.problemType,
    lineNumber: row.lineNumber,
    columnNumber: row.columnNumber,
    details: row.details,
  };
}

export function presentLog(line: JobLog) {
  return { seq: line.seq, at: line.at, level: line.level, component: line.component, message: line.message };
}

export function isFinished(job: Pick<Job, 'status'>): boolean {
  return job.status === 'Completed' || job.status === 'Exception';
}

import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { ConflictError, UnprocessableError } from '../common/errors.js';
import type { Config } from '../config/config.js';
import { CONFIG } from '../config/config.module.js';

export interface StoredResponse {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** What `begin` found: a new request to run, or the stored response of the first one. */
export type IdempotencyOutcome = { replay: false } | { replay: true; response: StoredResponse };

const PENDING = 0;
const WAIT_MS = 15_000;
export const MAX_KEY_LENGTH = 200;

/** How often expired keys are deleted: a quarter of their lifetime, between 1 s and 1 h. */
export function sweepIntervalMs(ttlHours: number): number {
  return Math.min(3_600_000, Math.max(1000, Math.round((ttlHours * 3_600_000) / 4)));
}

/**
 * `Idempotency-Key` for writes: the first request with a key runs and its response is stored; a repeat with the same
 * key and the same request gets the same response (the first job, not a second one). Keys are per token (`scope`)
 * and expire after IDEMPOTENCY_TTL_HOURS. A repeat while the first is still running waits for it; the same key with
 * a different request is refused (422). A request that fails stores nothing, so the key can be sent again once the
 * request is fixed. Contract: `begin` → (`complete` | `release`), once per request that was not a replay.
 */
@Injectable()
export class IdempotencyService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Idempotency');
  private readonly ttlSeconds: number;
  private sweeper: NodeJS.Timeout | undefined;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(CONFIG) config: Pick<Config, 'IDEMPOTENCY_TTL_HOURS'>,
  ) {
    this.ttlSeconds = config.IDEMPOTENCY_TTL_HOURS * 3600;
  }

  onModuleInit(): void {
    const interval = sweepIntervalMs(this.ttlSeconds / 3600);
    this.sweeper = setInterval(() => {
      this.sweep().catch((error: unknown) =>
        this.logger.warn(`Sweeping expired Idempotency-Keys failed: ${String(error)}`),
      );
    }, interval);
    this.sweeper.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.sweeper);
  }

  /** Claims `key` for this request, or finds the stored response of the request that claimed it first. */
  async begin(scope: string, key: string, requestHash: string): Promise<IdempotencyOutcome> {
    if (key.length > MAX_KEY_LENGTH) {
      throw new UnprocessableError(
        `Idempotency-Key is longer than ${MAX_KEY_LENGTH} characters; use a shorter key (a UUID works).`,
      );
    }
    await this.db.query(`DELETE FROM idempotency_keys WHERE token_id = $1 AND key = $2 AND ${this.expired()}`, [
      scope,
      key,
      this.ttlSeconds,
    ]);
    const inserted: unknown[] = await this.db.query(
      `INSERT INTO idempotency_keys (token_id, key, request_hash, status_code, body) VALUES ($1, $2, $3, $4, 'null')
       ON CONFLICT (token_id, key) DO NOTHING RETURNING key`,
      [scope, key, requestHash, PENDING],
    );
    if (inserted.length > 0) return { replay: false };
    return { replay: true, response: await this.replay(scope, key, requestHash) };
  }

  /** Stores the response of a request `begin` let run. `omitted` names a secret field left out of the stored body. */
  async complete(scope: string, key: string, response: StoredResponse, omitted?: string): Promise<void> {
    await this.db.query(
      `UPDATE idempotency_keys SET status_code = $3, body = $4::jsonb, headers = $5::jsonb, omitted_field = $6
       WHERE token_id = $1 AND key = $2`,
      [
        scope,
        key,
        response.status,
        JSON.stringify(response.body ?? null),
        JSON.stringify(response.headers ?? {}),
        omitted ?? null,
      ],
    );
  }

  /** Forgets the claim of a request that failed: the same key may be used again once the request is fixed. */
  async release(scope: string, key: string): Promise<void> {
    await this.db.query(`DELETE FROM idempotency_keys WHERE token_id = $1 AND key = $2`, [scope, key]);
  }

  /** Deletes keys older than IDEMPOTENCY_TTL_HOURS; returns how many. */
  async sweep(): Promise<number> {
    const result: unknown = await this.db.query(`DELETE FROM idempotency_keys WHERE ${this.expired('$1')}`, [
      this.ttlSeconds,
    ]);
    return Array.isArray(result) && typeof result[1] === 'number' ? result[1] : 0;
  }

  private expired(parameter = '$3'): string {
    return `created_at < now() - make_interval(secs => ${parameter}::double precision)`;
  }

  private async replay(scope: string, key: string, requestHash: string): Promise<StoredResponse> {
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const rows: StoredRow[] = await this.db.query(
        `SELECT request_hash, status_code, body, headers, omitted_field FROM idempotency_keys WHERE token_id = $1 AND key = $2`,
        [scope, key],
      );
      const row = rows[0];
      if (!row) throw new ConflictError('A request with this Idempotency-Key failed a moment ago; send it again.');
      if (row.request_hash !== requestHash) {
        throw new UnprocessableError(
          'This Idempotency-Key was already used for a different request; use a new key for a new request.',
        );
      }
      if (row.status_code !== PENDING) return replayed(row);
      if (Date.now() > deadline)
        throw new ConflictError('A request with this Idempotency-Key is still being processed; try again shortly.');
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

interface StoredRow {
  request_hash: string;
  status_code: number;
  body: unknown;
  headers: Record<string, string>;
  omitted_field: string | null;
}

/**
 * The stored response, marked as a replay. A response that held a secret shown only once (a new API token) was
 * stored without it, so it cannot be replayed: the caller learns what was created and that the secret is gone.
 */
function replayed(row: StoredRow): StoredResponse {
  if (row.omitted_field) {
    throw new ConflictError(
      `This Idempotency-Key already created this resource, but its ${row.omitted_field} is shown only once and is not ` +
        `stored; if it was lost, revoke what was created and send a new request with a new key.`,
      { created: row.body },
    );
  }
  return { status: row.status_code, body: row.body, headers: { ...row.headers, 'Idempotent-Replayed': 'true' } };
}

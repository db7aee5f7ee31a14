import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Principal } from '../auth/permissions.js';
import { ConflictError, UnprocessableError } from '../common/errors.js';
import { sha256 } from '../common/hash.js';

export interface StoredResponse {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

const PENDING = 0;
const WAIT_MS = 15_000;

/**
 * `Idempotency-Key` for writes: the first request with a key runs and its response is stored; a repeat with the same
 * key and the same request gets the same response (the first job, not a second one). Keys are per token. A repeat
 * while the first is still running waits for it; the same key with a different request is refused.
 */
@Injectable()
export class IdempotencyService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async run(principal: Principal, key: string | undefined, request: unknown, work: () => Promise<StoredResponse>): Promise<StoredResponse> {
    if (!key) return work();
    if (key.length > 200) throw new UnprocessableError('Idempotency-Key is longer than 200 characters; use a shorter key (a UUID works).');
    const requestHash = sha256(JSON.stringify(request ?? null));
    const inserted: unknown[] = await this.db.query(
      `INSERT INTO idempotency_keys (token_id, key, request_hash, status_code, body) VALUES ($1, $2, $3, $4, 'null')
       ON CONFLICT (token_id, key) DO NOTHING RETURNING key`,
      [principal.tokenId, key, requestHash, PENDING],
    );
    if (inserted.length === 0) return this.replay(principal, key, requestHash);
    try {
      const response = await work();
      await this.db.query(`UPDATE idempotency_keys SET status_code = $3, body = $4::jsonb, headers = $5::jsonb WHERE token_id = $1 AND key = $2`, [
        principal.tokenId, key, response.status, JSON.stringify(response.body ?? null), JSON.stringify(response.headers ?? {}),
      ]);
      return response;
    } catch (error) {
      // A refused request stores nothing: the same key may be used again once the request is fixed.
      await this.db.query(`DELETE FROM idempotency_keys WHERE token_id = $1 AND key = $2`, [principal.tokenId, key]);
      throw error;
    }
  }

  private async replay(principal: Principal, key: string, requestHash: string): Promise<StoredResponse> {
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const rows: { request_hash: string; status_code: number; body: unknown; headers: Record<string, string> }[] = await this.db.query(
        `SELECT request_hash, status_code, body, headers FROM idempotency_keys WHERE token_id = $1 AND key = $2`,
        [principal.tokenId, key],
      );
      const row = rows[0];
      if (!row) throw new ConflictError('A request with this Idempotency-Key failed a moment ago; send it again.');
      if (row.request_hash !== requestHash) {
        throw new UnprocessableError('This Idempotency-Key was already used for a different request; use a new key for a new request.');
      }
      if (row.status_code !== PENDING) return { status: row.status_code, body: row.body, headers: { ...row.headers, 'Idempotent-Replayed': 'true' } };
      if (Date.now() > deadline) throw new ConflictError('A request with this Idempotency-Key is still being processed; try again shortly.');
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

import crypto from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { IsNull, type DataSource, type EntityManager, type Repository } from 'typeorm';
import { ForbiddenError, NotFoundError, UnauthorizedError } from '../common/errors.js';
import { CONFIG } from '../config/config.module.js';
import type { Config } from '../config/config.js';
import { ApiToken } from './api-token.entity.js';
import { canGrant, grantRefusal, normalizeEnvironments, type Permission, type Principal } from './permissions.js';
import { RevocationFeed } from './revocation-feed.js';
import { generateToken, hashToken, tokenPrefix } from './token-codec.js';

const CACHE_MS = 5_000;

export interface NewToken {
  name: string;
  permissions: Permission[];
  /** Environments the token may act in; null for all. Never an empty list. */
  environments?: string[] | null;
}

const INVALID_TOKEN = 'The API token is not valid or has been revoked; send "Authorization: Bearer <token>".';

@Injectable()
export class TokensService {
  private readonly logger = new Logger('Auth');
  /**
   * Verified tokens, briefly, so that hundreds of pollers cost no database round trip each. Trusted only while the
   * revocation feed is reliable: a revocation anywhere removes its token here at once.
   */
  private readonly cache = new Map<string, { principal: Principal; until: number }>();
  /** Tokens revoked since this process started: open streams of these close. */
  private readonly revoked = new Set<string>();

  constructor(
    @InjectRepository(ApiToken) private readonly tokens: Repository<ApiToken>,
    @InjectDataSource() private readonly db: DataSource,
    @Inject(CONFIG) private readonly config: Config,
    private readonly feed: RevocationFeed,
  ) {
    feed.onRevoked((tokenId) => this.forget(tokenId));
    feed.onGap(() => this.cache.clear());
  }

  /** The caller behind a bearer token; 401 when it is unknown or revoked. */
  async authenticate(token: string): Promise<Principal> {
    const hash = hashToken(token);
    const cached = this.cache.get(hash);
    if (cached && cached.until > Date.now() && this.feed.reliable) return cached.principal;
    const row = await this.tokens.findOne({ where: { tokenHash: hash, revokedAt: IsNull() } });
    if (!row) throw new UnauthorizedError(INVALID_TOKEN);
    const principal: Principal = {
      tokenId: row.id,
      name: row.name,
      permissions: row.permissions,
      environments: row.environments,
    };
    if (this.feed.reliable && !this.revoked.has(row.id))
      this.cache.set(hash, { principal, until: Date.now() + CACHE_MS });
    if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > 60_000) {
      await this.tokens.update(row.id, { lastUsedAt: new Date() });
    }
    return principal;
  }

  /** Whether a token authenticated earlier still holds (for long-lived requests such as log streams). */
  async isActive(tokenId: string): Promise<boolean> {
    if (this.revoked.has(tokenId)) return false;
    if (this.feed.reliable) return true;
    return (await this.tokens.count({ where: { id: tokenId, revokedAt: IsNull() } })) > 0;
  }

  /**
   * Creates a token within the holder's scope (403 saying why otherwise); the returned secret is shown once and never
   * stored. No environments means all environments, which only an unlimited holder can grant.
   */
  async create(input: NewToken, holder: Principal): Promise<{ token: string; row: ApiToken }> {
    const requested = {
      permissions: [...new Set(input.permissions)],
      environments: input.environments ? normalizeEnvironments(input.environments) : null,
    };
    const refusal = grantRefusal(holder, requested);
    if (refusal) throw new ForbiddenError(refusal);
    const token = generateToken();
    const row = await this.insert(this.db.manager, token, { name: input.name, ...requested }, holder.tokenId, false);
    return { token, row };
  }

  /** The tokens within the holder's scope (an unlimited admin sees all). */
  async list(holder: Principal): Promise<ApiToken[]> {
    const rows = await this.tokens.find({ order: { createdAt: 'ASC' } });
    return rows.filter((row) => canGrant(holder, row));
  }

  /** Revokes a token within the holder's scope, permanently and in every API process at once. */
  async revoke(id: string, holder: Principal): Promise<ApiToken> {
    const row = await this.tokens.findOne({ where: { id } });
    if (!row) throw new NotFoundError('Token', id);
    const refusal = grantRefusal(holder, row);
    if (refusal) throw new ForbiddenError(`Token ${id} is outside this token's scope. ${refusal}`);
    if (!row.revokedAt) {
      row.revokedAt = new Date();
      await this.db.transaction(async (manager) => {
        await manager.update(ApiToken, { id, revokedAt: IsNull() }, { revokedAt: row.revokedAt });
        await this.feed.publish(manager, id);
      });
    }
    this.forget(id);
    return row;
  }

  /**
   * Makes sure an admin token exists, once. Revocation is permanent: a revoked token never comes back.
   * - BACKTRACK_ADMIN_TOKEN names a token never seen before: it becomes the bootstrap admin, and the bootstrap
   *   token of an earlier value is revoked (the variable was rotated).
   * - BACKTRACK_ADMIN_TOKEN names a known token (even a revoked one): nothing changes.
   * - No BACKTRACK_ADMIN_TOKEN: a token is generated only when no admin token has ever existed, and returned,
   *   once, to be printed.
   */
  async ensureBootstrapAdmin(): Promise<string | null> {
    const configured = this.config.BACKTRACK_ADMIN_TOKEN;
    const created = await this.db.transaction(async (manager) => {
      // Two processes starting together must not both create one.
      await manager.query(`LOCK TABLE api_tokens IN SHARE ROW EXCLUSIVE MODE`);
      if (configured) {
        const known: { revoked_at: Date | null }[] = await manager.query(
          `SELECT revoked_at FROM api_tokens WHERE token_hash = $1`,
          [hashToken(configured)],
        );
        if (known[0]?.revoked_at) {
          this.logger.warn(
            'BACKTRACK_ADMIN_TOKEN names a revoked token, which stays revoked; set a new value to get a new admin token',
          );
        }
        if (known[0]) return null;
        const rotated: { id: string }[] = await manager.query(
          `UPDATE api_tokens SET revoked_at = now() WHERE is_bootstrap AND revoked_at IS NULL RETURNING id`,
        );
        for (const { id } of rotated) await this.feed.publish(manager, id);
        await this.insert(manager, configured, { name: 'bootstrap admin', permissions: ['admin'] }, null, true);
        this.logger.log('Bootstrap admin token set from BACKTRACK_ADMIN_TOKEN');
        return null;
      }
      const admins: unknown[] = await manager.query(
        `SELECT 1 FROM api_tokens WHERE 'admin' = ANY(permissions) LIMIT 1`,
      );
      if (admins.length) return null;
      const token = generateToken();
      await this.insert(manager, token, { name: 'bootstrap admin', permissions: ['admin'] }, null, true);
      return token;
    });
    return created;
  }

  private forget(tokenId: string): void {
    this.revoked.add(tokenId);
    for (const [hash, entry] of this.cache) if (entry.principal.tokenId === tokenId) this.cache.delete(hash);
  }

  private async insert(
    manager: EntityManager,
    token: string,
    input: NewToken,
    createdBy: string | null,
    isBootstrap: boolean,
  ): Promise<ApiToken> {
    const row = manager.create(ApiToken, {
      id: crypto.randomUUID(),
      name: input.name,
      tokenHash: hashToken(token),
      tokenPrefix: tokenPrefix(token),
      permissions: [...new Set(input.permissions)],
      environments: input.environments ?? null,
      isBootstrap,
      createdBy,
      lastUsedAt: null,
      revokedAt: null,
    });
    await manager.insert(ApiToken, row);
    return row;
  }
}

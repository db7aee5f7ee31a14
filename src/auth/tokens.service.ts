import crypto from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Repository } from 'typeorm';
import { NotFoundError, UnauthorizedError } from '../common/errors.js';
import { CONFIG } from '../config/config.module.js';
import type { Config } from '../config/config.js';
import { ApiToken } from './api-token.entity.js';
import type { Permission, Principal } from './permissions.js';
import { generateToken, hashToken, tokenPrefix } from './token-codec.js';

const CACHE_MS = 5_000;

export interface NewToken {
  name: string;
  permissions: Permission[];
  environments?: string[] | null;
}

@Injectable()
export class TokensService {
  private readonly logger = new Logger('Auth');
  /** Verified tokens, briefly, so that hundreds of pollers cost no database round trip each. */
  private readonly cache = new Map<string, { principal: Principal; until: number }>();

  constructor(
    @InjectRepository(ApiToken) private readonly tokens: Repository<ApiToken>,
    @Inject(CONFIG) private readonly config: Config,
  ) {}

  /** The caller behind a bearer token; 401 when it is unknown or revoked. */
  async authenticate(token: string): Promise<Principal> {
    const hash = hashToken(token);
    const cached = this.cache.get(hash);
    if (cached && cached.until > Date.now()) return cached.principal;
    const row = await this.tokens.findOne({ where: { tokenHash: hash, revokedAt: IsNull() } });
    if (!row) throw new UnauthorizedError('The API token is not valid or has been revoked; send "Authorization: Bearer <token>".');
    const principal: Principal = { tokenId: row.id, name: row.name, permissions: row.permissions, environments: row.environments };
    this.cache.set(hash, { principal, until: Date.now() + CACHE_MS });
    if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > 60_000) {
      await this.tokens.update(row.id, { lastUsedAt: new Date() });
    }
    return principal;
  }

  /** Creates a token; the returned secret is shown once and never stored. */
  async create(input: NewToken, createdBy: string | null): Promise<{ token: string; row: ApiToken }> {
    const token = generateToken();
    const row = await this.insert(token, input, createdBy, false);
    return { token, row };
  }

  list(): Promise<ApiToken[]> {
    return this.tokens.find({ order: { createdAt: 'ASC' } });
  }

  async revoke(id: string): Promise<ApiToken> {
    const row = await this.tokens.findOne({ where: { id } });
    if (!row) throw new NotFoundError('Token', id);
    if (!row.revokedAt) {
      row.revokedAt = new Date();
      await this.tokens.update(id, { revokedAt: row.revokedAt });
    }
    this.cache.clear();
    return row;
  }

  /**
   * Makes sure an admin token exists. With BACKTRACK_ADMIN_TOKEN that token is the bootstrap admin (kept in step
   * when the variable changes); without it a token is generated at first start and returned, once, to be printed.
   */
  async ensureBootstrapAdmin(): Promise<string | null> {
    const configured = this.config.BACKTRACK_ADMIN_TOKEN;
    const bootstrap = await this.tokens.findOne({ where: { isBootstrap: true }, select: { id: true, tokenHash: true, revokedAt: true } });
    if (configured) {
      const hash = hashToken(configured);
      if (bootstrap?.tokenHash === hash && !bootstrap.revokedAt) return null;
      if (bootstrap) await this.tokens.delete(bootstrap.id);
      await this.insert(configured, { name: 'bootstrap admin', permissions: ['admin'] }, null, true);
      this.logger.log('Bootstrap admin token set from BACKTRACK_ADMIN_TOKEN');
      return null;
    }
    if (bootstrap) return null;
    const token = generateToken();
    await this.insert(token, { name: 'bootstrap admin', permissions: ['admin'] }, null, true);
    return token;
  }

  private async insert(token: string, input: NewToken, createdBy: string | null, isBootstrap: boolean): Promise<ApiToken> {
    const row = this.tokens.create({
      id: crypto.randomUUID(),
      name: input.name,
      tokenHash: hashToken(token),
      tokenPrefix: tokenPrefix(token),
      permissions: [...new Set(input.permissions)],
      environments: input.environments?.length ? input.environments : null,
      isBootstrap,
      createdBy,
      lastUsedAt: null,
      revokedAt: null,
    });
    await this.tokens.insert(row);
    return row;
  }
}

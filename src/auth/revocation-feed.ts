import { EventEmitter } from 'node:events';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import pg from 'pg';
import type { EntityManager } from 'typeorm';
import { CONFIG } from '../config/config.module.js';
import type { Config } from '../config/config.js';

/** The PostgreSQL notification channel that carries the id of each revoked token. */
export const REVOCATION_CHANNEL = 'backtrack_token_revoked';

const RETRY_MS = [500, 1_000, 2_000, 5_000, 10_000];

/**
 * Tells every API process at once that a token was revoked. Contract: `publish` inside the revoking transaction
 * (PostgreSQL delivers the notification at commit, to every listening process, this one included); listeners get
 * each revoked id; `reliable` is false whenever a notification could have been missed (listener connection down
 * or reconnecting), and callers must then ask the database instead of trusting what they cached.
 *
 * On the embedded default (PGlite serves one process and one connection) revocation is local: `reliable` stays
 * true and `publish` tells this process only.
 */
@Injectable()
export class RevocationFeed implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Auth');
  private readonly events = new EventEmitter();
  private client: pg.Client | null = null;
  private retry: NodeJS.Timeout | null = null;
  private attempt = 0;
  private stopped = false;
  private listening: boolean;

  constructor(@Inject(CONFIG) private readonly config: Config) {
    this.listening = config.embeddedDatabase;
  }

  get reliable(): boolean {
    return this.listening;
  }

  onRevoked(listener: (tokenId: string) => void): void {
    this.events.on('revoked', listener);
  }

  /** Called when notifications may have been missed: whatever was cached must be checked again. */
  onGap(listener: () => void): void {
    this.events.on('gap', listener);
  }

  async publish(manager: EntityManager, tokenId: string): Promise<void> {
    if (this.config.embeddedDatabase) {
      this.events.emit('revoked', tokenId);
      return;
    }
    await manager.query(`SELECT pg_notify($1, $2)`, [REVOCATION_CHANNEL, tokenId]);
    // Until the notification comes back through the listener, this process forgets the token itself as well.
    this.events.emit('revoked', tokenId);
  }

  async onApplicationBootstrap(): Promise<void> {
    // Workers authenticate nobody: only processes that serve the API listen.
    if (!this.config.embeddedDatabase && this.config.ROLE !== 'worker') await this.connect();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    const client = this.client;
    this.client = null;
    this.listening = false;
    if (client) await client.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const client = new pg.Client({
      connectionString: this.config.DATABASE_URL,
      application_name: 'backtrack-revocations',
      connectionTimeoutMillis: 10_000,
    });
    client.on('error', () => this.lost(client));
    client.on('end', () => this.lost(client));
    client.on('notification', (message) => {
      if (message.channel === REVOCATION_CHANNEL && message.payload) this.events.emit('revoked', message.payload);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${REVOCATION_CHANNEL}`);
    } catch (error) {
      await client.end().catch(() => undefined);
      this.logger.warn(
        `Cannot listen for token revocations (${(error as Error).message}); tokens are checked on every request meanwhile`,
      );
      this.schedule();
      return;
    }
    if (this.stoppedMeanwhile()) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.attempt = 0;
    this.events.emit('gap');
    this.listening = true;
  }

  /** Whether onModuleDestroy ran while connect() awaited (a call, so the compiler does not assume it still false). */
  private stoppedMeanwhile(): boolean {
    return this.stopped;
  }

  private lost(client: pg.Client): void {
    if (this.client !== client) return;
    this.client = null;
    this.listening = false;
    this.events.emit('gap');
    if (!this.stopped) {
      this.logger.warn('Lost the token revocation listener; tokens are checked on every request until it is back');
      this.schedule();
    }
  }

  private schedule(): void {
    if (this.stopped) return;
    const delay = RETRY_MS[Math.min(this.attempt++, RETRY_MS.length - 1)]!;
    this.retry = setTimeout(() => {
      this.retry = null;
      void this.connect().catch(() => this.schedule());
    }, delay);
    this.retry.unref();
  }
}

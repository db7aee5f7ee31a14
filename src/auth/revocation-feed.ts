import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { CONFIG } from '../config/config.module.js';
import type { Config } from '../config/config.js';
import { NotificationFeed } from '../database/notification-feed.js';

/** The PostgreSQL notification channel that carries the id of each revoked token. */
export const REVOCATION_CHANNEL = 'backtrack_token_revoked';

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
  private readonly feed: NotificationFeed;

  constructor(@Inject(CONFIG) private readonly config: Config) {
    this.feed = new NotificationFeed(config, {
      channel: REVOCATION_CHANNEL,
      applicationName: 'backtrack-revocations',
      logger: new Logger('Auth'),
      topic: 'token revocations',
      meanwhile: 'tokens are checked on every request',
    });
  }

  get reliable(): boolean {
    return this.feed.reliable;
  }

  onRevoked(listener: (tokenId: string) => void): void {
    this.feed.onMessage(listener);
  }

  /** Called when notifications may have been missed: whatever was cached must be checked again. */
  onGap(listener: () => void): void {
    this.feed.onGap(listener);
  }

  async publish(manager: EntityManager, tokenId: string): Promise<void> {
    if (this.feed.shared) await manager.query(`SELECT pg_notify($1, $2)`, [REVOCATION_CHANNEL, tokenId]);
    // Until the notification comes back through the listener, this process forgets the token itself as well.
    this.feed.sent(tokenId);
  }

  async onApplicationBootstrap(): Promise<void> {
    // Workers authenticate nobody: only processes that serve the API listen.
    if (this.config.ROLE !== 'worker') await this.feed.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.feed.stop();
  }
}

import { Inject, Injectable, Logger } from '@nestjs/common';
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
export class RevocationFeed extends NotificationFeed {
  constructor(@Inject(CONFIG) config: Config) {
    super(config, {
      channel: REVOCATION_CHANNEL,
      applicationName: 'backtrack-revocations',
      logger: new Logger('Auth'),
      topic: 'token revocations',
      meanwhile: 'tokens are checked on every request',
    });
  }

  onRevoked(listener: (tokenId: string) => void): void {
    this.onMessage(listener);
  }

  async publish(manager: EntityManager, tokenId: string): Promise<void> {
    if (this.shared) await manager.query(`SELECT pg_notify($1, $2)`, [REVOCATION_CHANNEL, tokenId]);
    // Until the notification comes back through the listener, this process forgets the token itself as well.
    this.sent(tokenId);
  }
}

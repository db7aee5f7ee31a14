import { EventEmitter } from 'node:events';
import type { Logger } from '@nestjs/common';
import pg from 'pg';
import type { Config } from '../config/config.js';

const RETRY_MS = [500, 1_000, 2_000, 5_000, 10_000];

export interface NotificationFeedOptions {
  /** The PostgreSQL notification channel (a plain identifier). */
  channel: string;
  /** The connection's application_name, so that operators (and tests) can find it in pg_stat_activity. */
  applicationName: string;
  logger: Logger;
  /** What the channel carries, for the warnings ("token revocations"). */
  topic: string;
  /** What the process does meanwhile, for the warnings ("tokens are checked on every request meanwhile"). */
  meanwhile: string;
}

/**
 * Tells every API process of something at once, through a PostgreSQL channel. Contract: a payload sent with
 * `pg_notify(channel, payload)` inside the changing transaction reaches, at commit, every process that listens (the
 * sender calls `sent` to hear it at once itself); `onMessage` listeners get each payload; `reliable` is false whenever a
 * notification could have been missed (listener connection down or reconnecting) and `onGap` listeners run then,
 * so callers must ask the database instead of trusting what they cached.
 *
 * On the embedded default (PGlite serves one process and one connection) everything is local: `reliable` stays true
 * (until the process stops) and nothing goes through the database. Workers do not listen: they serve no API.
 * Feeds extend it as Nest providers (start and stop are their lifecycle hooks).
 */
export class NotificationFeed {
  private readonly events = new EventEmitter();
  private client: pg.Client | null = null;
  private retry: NodeJS.Timeout | null = null;
  private attempt = 0;
  private stopped = false;
  private listening: boolean;

  constructor(
    private readonly config: Pick<Config, 'embeddedDatabase' | 'DATABASE_URL' | 'ROLE'>,
    private readonly options: NotificationFeedOptions,
  ) {
    this.listening = config.embeddedDatabase;
  }

  get reliable(): boolean {
    return this.listening;
  }

  /** Whether payloads travel through PostgreSQL (several processes may share the database). */
  get shared(): boolean {
    return !this.config.embeddedDatabase;
  }

  onMessage(listener: (payload: string) => void): void {
    this.events.on('message', listener);
  }

  onGap(listener: () => void): void {
    this.events.on('gap', listener);
  }

  /** Tells this process at once (a shared feed's notification reaches the others, and this one again, at commit). */
  sent(payload: string): void {
    this.events.emit('message', payload);
  }

  /** Starts listening (shared feeds of API processes only; the embedded default needs no connection). */
  async onApplicationBootstrap(): Promise<void> {
    if (this.shared && this.config.ROLE !== 'worker') await this.connect();
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
    const { channel, logger } = this.options;
    const client = new pg.Client({
      connectionString: this.config.DATABASE_URL,
      application_name: this.options.applicationName,
      connectionTimeoutMillis: 10_000,
    });
    client.on('error', () => this.lost(client));
    client.on('end', () => this.lost(client));
    client.on('notification', (message) => {
      if (message.channel === channel && message.payload) this.events.emit('message', message.payload);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${channel}`);
    } catch (error) {
      await client.end().catch(() => undefined);
      logger.warn(`Cannot listen for ${this.options.topic} (${(error as Error).message}); ${this.options.meanwhile}`);
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
      this.options.logger.warn(
        `Lost the listener for ${this.options.topic}; ${this.options.meanwhile} until it is back`,
      );
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

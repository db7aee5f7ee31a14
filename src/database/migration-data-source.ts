import path from 'node:path';
import { DataSource } from 'typeorm';
import { createDataSource } from './data-source.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded-postgres.js';

/**
 * The database the migration commands work on, read from the same variables as the service: PostgreSQL at
 * DATABASE_URL, or, when it is unset, the embedded PGlite under DATA_DIR (default ./.backtrack), started for the
 * command and stopped when the data source is destroyed. Not initialized: the caller (our runner or the typeorm
 * CLI) does that.
 */
export async function createMigrationDataSource(env: NodeJS.ProcessEnv = process.env): Promise<DataSource> {
  const url = env.DATABASE_URL?.trim();
  if (url) {
    if (!/^postgres(ql)?:\/\//.test(url)) throw new Error('DATABASE_URL must be a postgres:// or postgresql:// URL');
    return createDataSource({ url, poolSize: 1 });
  }
  const embedded = await startEmbeddedPostgres(path.resolve(env.DATA_DIR?.trim() || './.backtrack'));
  return new EmbeddedDataSource(createDataSource({ url: embedded.url, poolSize: 1 }).options, embedded);
}

/** A data source on the embedded database that stops the database thread when it is destroyed. */
class EmbeddedDataSource extends DataSource {
  constructor(
    options: DataSource['options'],
    private readonly embedded: EmbeddedPostgres,
  ) {
    super(options);
  }

  override async destroy(): Promise<void> {
    try {
      if (this.isInitialized) await super.destroy();
    } finally {
      await this.embedded.stop();
    }
  }
}

import { DataSource } from 'typeorm';
import { ENTITIES, MIGRATIONS } from './entities.js';

export interface DataSourceSettings {
  url: string;
  /** Connections in the pool; the embedded PGlite serves one. */
  poolSize: number;
}

export function createDataSource({ url, poolSize }: DataSourceSettings): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: false,
    extra: { max: poolSize, connectionTimeoutMillis: 10_000 },
  });
}

/** Connects and applies pending migrations; a database that cannot be reached stops start-up with the reason. */
export async function openDatabase(settings: DataSourceSettings): Promise<DataSource> {
  const dataSource = createDataSource(settings);
  try {
    await dataSource.initialize();
  } catch (error) {
    throw new DatabaseUnavailableError(redactUrl(settings.url), error);
  }
  await dataSource.runMigrations();
  return dataSource;
}

export class DatabaseUnavailableError extends Error {
  override readonly name = 'DatabaseUnavailableError';
  constructor(url: string, cause: unknown) {
    super(`Cannot connect to the database at ${url}: ${cause instanceof Error ? cause.message : String(cause)}.`, {
      cause,
    });
  }
}

/** The URL without its password, fit for a log line. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}

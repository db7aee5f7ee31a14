import { ConfigError, loadConfig, type Config } from '../config/config.js';
import { DatabaseUnavailableError } from '../database/data-source.js';
import { EmbeddedDatabaseError } from '../database/embedded-postgres.js';
import { startBacktrack } from './bootstrap.js';

/** Starts the API or the worker (ROLE) from the environment and stops it on SIGINT / SIGTERM. */
export async function runService(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }

  try {
    const backtrack = await startBacktrack(config);
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      process.stderr.write(`${signal}: shutting down\n`);
      const force = setTimeout(() => process.exit(1), 15_000);
      force.unref();
      backtrack.close().then(
        () => process.exit(0),
        (error: unknown) => {
          process.stderr.write(`Shutdown failed: ${error instanceof Error ? error.message : String(error)}\n`);
          process.exit(1);
        },
      );
    };
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
  } catch (error) {
    if (error instanceof DatabaseUnavailableError || error instanceof EmbeddedDatabaseError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

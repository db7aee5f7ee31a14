import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { processIsAlive } from '../common/process.js';

export interface EmbeddedPostgres {
  /** A postgres:// URL the `pg` driver connects to; PGlite serves one connection at a time. */
  url: string;
  stop(): Promise<void>;
}

/** The embedded database cannot start here (an unwritable DATA_DIR, files another process holds, …). */
export class EmbeddedDatabaseError extends Error {
  override readonly name = 'EmbeddedDatabaseError';
}

type WorkerMessage = { type: 'ready'; address: string } | { type: 'stopped' };

/**
 * PostgreSQL in WebAssembly with its files in `<dataDir>/pglite`, served over the PostgreSQL wire protocol on a
 * loopback port so the application uses the same `pg` driver, migrations and SQL as with a real server. It runs
 * in a worker thread: the database's CPU work (storing and reading tens of megabytes of backups) happens beside
 * the service's event loop instead of on it. A new database is created by a short-lived child process first
 * (`createDatabaseFiles`): initdb in WebAssembly takes a few hundred megabytes that a thread would keep resident.
 */
export async function startEmbeddedPostgres(dataDir: string): Promise<EmbeddedPostgres> {
  const dbDir = path.join(dataDir, 'pglite');
  try {
    fs.mkdirSync(dbDir, { recursive: true });
  } catch (error) {
    throw new EmbeddedDatabaseError(
      `DATA_DIR cannot hold the embedded database: ${(error as Error).message}. Set DATA_DIR to a writable folder.`,
    );
  }
  const releaseLock = lockDataDir(dataDir);
  try {
    if (fs.readdirSync(dbDir).length === 0) await createDatabaseFiles(dbDir);
  } catch (error) {
    releaseLock();
    throw new EmbeddedDatabaseError(
      `The embedded database in ${dbDir} could not be created: ${(error as Error).message}`,
    );
  }
  const worker = new Worker(new URL('./embedded-postgres.worker.js', import.meta.url), { workerData: { dbDir } });
  const ready = await nextMessage(worker).catch(async (error: unknown) => {
    await worker.terminate();
    releaseLock();
    throw new EmbeddedDatabaseError(`The embedded database in ${dbDir} did not start: ${(error as Error).message}`);
  });
  if (ready.type !== 'ready') throw new Error(`The embedded database thread said "${ready.type}" before it was ready.`);
  return {
    url: `postgres://postgres@${ready.address}/postgres`,
    async stop() {
      worker.postMessage('stop');
      await nextMessage(worker).catch(() => undefined);
      await worker.terminate();
      releaseLock();
    },
  };
}

/**
 * Creates the database files in the empty `dbDir` in a child process (its memory is returned when it exits), in a
 * sibling folder renamed into place once complete: a process stopped half-way leaves no half-made database behind.
 */
async function createDatabaseFiles(dbDir: string): Promise<void> {
  // what a process stopped while creating left behind (the DATA_DIR lock says none is creating now)
  const parent = path.dirname(dbDir);
  const prefix = `${path.basename(dbDir)}.creating-`;
  for (const left of fs.readdirSync(parent).filter((name) => name.startsWith(prefix))) {
    fs.rmSync(path.join(parent, left), { recursive: true, force: true });
  }
  const building = `${dbDir}.creating-${process.pid}`;
  fs.mkdirSync(building, { recursive: true });
  try {
    await new Promise<void>((resolve, reject) => {
      const script = new URL('./embedded-postgres.init.js', import.meta.url).pathname;
      const child = spawn(process.execPath, [script, building], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
      child.on('error', reject);
      child.on('exit', (code, signal) =>
        code === 0
          ? resolve()
          : reject(new Error(`initdb ended with ${signal ?? `exit code ${code}`}: ${stderr.trim()}`)),
      );
    });
    fs.rmdirSync(dbDir);
    fs.renameSync(building, dbDir);
  } finally {
    fs.rmSync(building, { recursive: true, force: true });
  }
}

/** The worker's next message; rejects if it fails or exits first (PGlite could not open its files, say). */
function nextMessage(worker: Worker): Promise<WorkerMessage> {
  return new Promise((resolve, reject) => {
    const settle = (done: () => void) => {
      worker.off('message', onMessage).off('error', onError).off('exit', onExit);
      done();
    };
    const onMessage = (message: WorkerMessage) => settle(() => resolve(message));
    const onError = (error: Error) => settle(() => reject(error));
    const onExit = (code: number) =>
      settle(() => reject(new Error(`The embedded database stopped (exit code ${code}).`)));
    worker.on('message', onMessage).on('error', onError).on('exit', onExit);
  });
}

/**
 * PGlite does not lock its files, and two processes writing them would corrupt the database: the first process
 * takes `DATA_DIR/pglite.lock` (its pid); another finds it held by a live process and refuses to start. A lock
 * left by a process that is gone is taken over. Returns the release.
 */
function lockDataDir(dataDir: string): () => void {
  const lockFile = path.join(dataDir, 'pglite.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(lockFile, String(process.pid), { flag: 'wx' });
      return () => fs.rmSync(lockFile, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST')
        throw new EmbeddedDatabaseError(`DATA_DIR cannot hold the embedded database: ${(error as Error).message}.`);
      const holder = Number(fs.readFileSync(lockFile, 'utf8'));
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && processIsAlive(holder)) {
        throw new EmbeddedDatabaseError(
          `DATA_DIR ${dataDir} is in use by another Backtrack process (pid ${holder}): stop it, or give this one its own DATA_DIR.`,
        );
      }
      fs.rmSync(lockFile, { force: true });
    }
  }
  throw new EmbeddedDatabaseError(`DATA_DIR ${dataDir}: could not take ${lockFile}.`);
}

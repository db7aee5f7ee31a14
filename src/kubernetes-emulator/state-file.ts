// The emulator's objects in a JSON file, so an in-process Local Cluster keeps what was deployed across restarts:
// read once at start, written (atomically, at most every debounce interval) after changes and on close.
import fs from 'node:fs';
import path from 'node:path';
import type { ObjectStore, StoreSnapshot } from './object-store.js';

const DEBOUNCE_MS = 500;

/** Loads the file into the store when it exists; a file that cannot be read is set aside and the store starts empty. */
export function loadStateFile(file: string, store: ObjectStore, logger: { error(message: string): void }): boolean {
  if (!fs.existsSync(file)) return false;
  try {
    const snapshot = JSON.parse(fs.readFileSync(file, 'utf8')) as StoreSnapshot;
    if (!Array.isArray(snapshot.objects) || typeof snapshot.revision !== 'number') throw new Error('not a state file');
    store.restore(snapshot);
    return true;
  } catch (error) {
    const aside = `${file}.unreadable-${Date.now()}`;
    fs.renameSync(file, aside);
    logger.error(
      `state file ${file} could not be read (${(error as Error).message}); moved to ${aside}, starting empty`,
    );
    return false;
  }
}

/** Writes the store to the file after each burst of changes; `close` writes what is pending and stops. */
export function persistStore(file: string, store: ObjectStore): { close(): void } {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  let timer: NodeJS.Timeout | undefined;
  const write = () => {
    timer = undefined;
    const temporary = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, JSON.stringify(store.snapshot()), { mode: 0o600 });
    fs.renameSync(temporary, file);
  };
  const unsubscribe = store.subscribe(() => {
    timer ??= setTimeout(write, DEBOUNCE_MS);
  });
  write();
  return {
    close() {
      unsubscribe();
      if (timer) {
        clearTimeout(timer);
        write();
      }
    },
  };
}

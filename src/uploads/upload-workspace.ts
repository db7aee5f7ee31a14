import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { processIsAlive } from '../common/process.js';

/** Upload folders are `backtrack-upload-<pid>-<random>` in the system's temporary folder. */
const PREFIX = 'backtrack-upload-';

/** A folder older than this is stale whoever made it (a process id can be reused, or live in another container). */
export const STALE_AFTER_MS = 24 * 60 * 60 * 1000;

/** Folders of versions that did not put the process id in the name: stale once they are this old. */
export const UNOWNED_STALE_AFTER_MS = 60 * 60 * 1000;

/** A new, empty folder for one upload's files; the caller removes it when done. */
export function createUploadWorkspace(root = os.tmpdir()): Promise<string> {
  return mkdtemp(path.join(root, `${PREFIX}${process.pid}-`));
}

/** The process id in an upload folder's name, or null (another name, or a folder of an older version). */
export function workspaceOwner(name: string): number | null {
  const match = new RegExp(`^${PREFIX}(\\d+)-`).exec(name);
  return match ? Number(match[1]) : null;
}

/**
 * Whether an upload folder was left behind: its process is gone (killed mid-upload), or it is older than any upload
 * takes. Folders of the running process and of other live processes are kept.
 */
export function isStaleWorkspace(
  name: string,
  ageMs: number,
  isAlive: (pid: number) => boolean,
  self = process.pid,
): boolean {
  if (!name.startsWith(PREFIX)) return false;
  const owner = workspaceOwner(name);
  if (owner === self) return false;
  if (ageMs > STALE_AFTER_MS) return true;
  if (owner === null) return ageMs > UNOWNED_STALE_AFTER_MS;
  return !isAlive(owner);
}

/** Removes the upload folders that processes killed mid-upload left behind; returns their names. Run at start-up. */
export async function sweepStaleUploadWorkspaces(root = os.tmpdir(), isAlive = processIsAlive): Promise<string[]> {
  const names = (await readdir(root).catch(() => [] as string[])).filter((n) => n.startsWith(PREFIX));
  const removed: string[] = [];
  for (const name of names) {
    const info = await stat(path.join(root, name)).catch(() => null);
    if (!info?.isDirectory()) continue;
    if (!isStaleWorkspace(name, Date.now() - info.mtimeMs, isAlive)) continue;
    await rm(path.join(root, name), { recursive: true, force: true }).catch(() => undefined);
    removed.push(name);
  }
  return removed;
}

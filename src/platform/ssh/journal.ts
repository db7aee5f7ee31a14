/**
 * The deployment journal each host keeps in `<installDir>/.backtrack/journal.json` (docs/ssh-releases.md): what was
 * installed where, with which package, and how it ended. It is what `skipIfAlreadyInstalled`, the switch back of a
 * rollback and retention read. Plain functions: the provider reads the file, these decide, the provider writes it.
 */
export interface JournalEntry {
  /** The execution (or Rollback job) that wrote the entry. */
  deploymentId: string;
  release: string;
  package: string;
  packageVersion: string;
  /** Hex SHA-256 of the package archive, verified on the host before extraction. */
  checksum: string;
  /** The release folder (absolute). */
  path: string;
  /** Hex SHA-256 of the folder's manifest (`sha256sum` of its files) taken when it went live; null if it never did. */
  filesChecksum: string | null;
  time: string;
  outcome: 'Success' | 'Failed';
  /** How it got there: a deployment, a deployment as a rollback, or a switch back to a retained folder. */
  mode: 'deploy' | 'rollback' | 'switch-back';
  /** Set when retention deleted the folder. */
  removedAt?: string;
}

export interface Journal {
  version: 1;
  entries: JournalEntry[];
}

export class JournalUnreadable extends Error {
  override readonly name = 'JournalUnreadable';
}

/** The journal from the file's text (null: no file yet, an empty journal). A file that is not a journal is an error. */
export function parseJournal(text: string | null): Journal {
  if (text === null || text.trim() === '') return { version: 1, entries: [] };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new JournalUnreadable('it is not JSON');
  }
  const entries = (value as { entries?: unknown } | null)?.entries;
  if (!Array.isArray(entries)) throw new JournalUnreadable('it has no "entries" list');
  for (const [i, entry] of entries.entries()) {
    const e = entry as Partial<JournalEntry> | null;
    if (!e || typeof e.path !== 'string' || typeof e.release !== 'string' || typeof e.deploymentId !== 'string')
      throw new JournalUnreadable(`entry ${i} lacks deploymentId, release or path`);
  }
  return { version: 1, entries: entries as JournalEntry[] };
}

export function formatJournal(journal: Journal): string {
  return `${JSON.stringify(journal, null, 2)}\n`;
}

/** Adds the entry, replacing one the same deployment wrote for the same folder (a resumed attempt writes it again). */
export function recordEntry(journal: Journal, entry: JournalEntry): Journal {
  const entries = journal.entries.filter((e) => !(e.deploymentId === entry.deploymentId && e.path === entry.path));
  return { version: 1, entries: [...entries, entry] };
}

/** The folders that went live successfully and still exist, newest first (each folder once, at its latest entry). */
export function successfulFolders(journal: Journal): JournalEntry[] {
  const seen = new Set<string>();
  const out: JournalEntry[] = [];
  for (const entry of [...journal.entries].sort(byTimeDesc)) {
    if (seen.has(entry.path)) continue;
    seen.add(entry.path);
    if (entry.outcome === 'Success' && !entry.removedAt) out.push(entry);
  }
  return out;
}

/**
 * The newest successful, not removed entry of `release` whose package has `checksum`: a folder that may hold that
 * package intact (the provider still checks its files against the manifest before relying on it).
 */
export function installedEntry(journal: Journal, release: string, checksum: string): JournalEntry | null {
  return successfulFolders(journal).find((e) => e.release === release && e.checksum === checksum) ?? null;
}

/**
 * Retention after a successful deployment: keep the `retain` most recent successful folders (the live one always),
 * remove every other folder under `releases/` — older successes, failed or half-staged ones.
 */
export function retentionPlan(
  journal: Journal,
  live: string,
  retain: number,
  folders: string[],
): { keep: string[]; remove: string[] } {
  const keep = [...new Set([live, ...successfulFolders(journal).map((e) => e.path)])].slice(0, Math.max(1, retain));
  return { keep, remove: folders.filter((f) => !keep.includes(f)) };
}

/** Marks the entries of removed folders (the journal keeps the history, the folder is gone). */
export function markRemoved(journal: Journal, removed: string[], time: string): Journal {
  const gone = new Set(removed);
  return {
    version: 1,
    entries: journal.entries.map((e) => (gone.has(e.path) && !e.removedAt ? { ...e, removedAt: time } : e)),
  };
}

/**
 * The folder a release is extracted into: `releases/<release>` unless that name is taken by a folder to keep (the live
 * one or a retained success), then `<release>_2`, `<release>_3`… A taken name of a failed or half-staged folder is
 * reused (the provider empties it first).
 */
export function stagingFolder(releasesDir: string, release: string, keep: Set<string>): string {
  for (let n = 1; ; n++) {
    const candidate = `${releasesDir}/${n === 1 ? release : `${release}_${n}`}`;
    if (!keep.has(candidate)) return candidate;
  }
}

function byTimeDesc(a: JournalEntry, b: JournalEntry): number {
  return b.time.localeCompare(a.time);
}

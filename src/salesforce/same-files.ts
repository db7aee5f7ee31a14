import { sha256 } from '../common/hash.js';
import type { ComponentFile } from './component.types.js';
import { componentRelativePaths } from './fingerprint.js';

/** A stored file as snapshots and revisions record it (its bytes are the blob with this SHA-256). */
interface StoredFile {
  path: string;
  sha256: string;
  size: number;
}

/** A file read from the org; `sha256`, when the caller has it, is the SHA-256 it took of this very content. */
type ReadFile = ComponentFile & { sha256?: string };

/**
 * Whether a component read from the org holds exactly the stored files: the same paths inside the component and,
 * for each, the same bytes (size, then SHA-256). `fingerprintComponent` depends on nothing else, so two components
 * for which this holds fingerprint the same, without either being parsed.
 */
export function sameFiles(live: readonly ReadFile[], stored: readonly StoredFile[]): boolean {
  if (live.length !== stored.length) return false;
  const storedByPath = new Map<string, StoredFile>();
  const storedRelative = componentRelativePaths(stored.map((f) => f.path));
  stored.forEach((f, i) => storedByPath.set(storedRelative[i]!, f));
  if (storedByPath.size !== stored.length) return false;
  const liveRelative = componentRelativePaths(live.map((f) => f.path));
  const pairs = live.map((f, i) => ({ file: f, stored: storedByPath.get(liveRelative[i]!) }));
  if (pairs.some((p) => !p.stored || p.stored.size !== p.file.content.length)) return false;
  return pairs.every((p) => (p.file.sha256 ?? sha256(p.file.content)) === p.stored!.sha256);
}

/** Stored files whose fingerprint is known (a revision's component, a backup). */
export interface KnownFiles {
  files: readonly StoredFile[];
  fingerprint: string;
}

/**
 * `known`'s fingerprint when `files` are exactly its files (`sameFiles`): what `fingerprintComponent(files)` would
 * compute, without parsing them; undefined otherwise (the caller fingerprints them).
 */
export function knownFingerprint(files: readonly ReadFile[], known: KnownFiles | undefined): string | undefined {
  return known && sameFiles(files, known.files) ? known.fingerprint : undefined;
}

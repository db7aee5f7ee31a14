import { canonicalXml, componentRelativePaths } from '../salesforce/fingerprint.js';
import { sha256 } from '../common/hash.js';
import { unifiedDiff } from './line-diff.js';

export interface DiffInputFile {
  path: string;
  content: Buffer;
}

/** What one side holds of a file: its path in that side's layout, size and SHA-256. */
export interface FileFacts {
  path: string;
  size: number;
  sha256: string;
}

export interface FileDiff {
  /** The file's path inside the component (`A.cls`, `lwc/x/x.js` → `x.js`), the same on every side. */
  name: string;
  binary: boolean;
  /** In the backup taken before the deploy (null: the org did not have it). */
  snapshot: FileFacts | null;
  /** What the deploy left (null: the deploy deleted it, or never had it). */
  deployed: FileFacts | null;
  /** The org's content now (only when asked; null: the org does not have it). */
  live?: FileFacts | null;
  /** The deploy changed this file (XML compared in canonical form, as fingerprints do). */
  changedByDeploy: boolean;
  /** Only with live: the org differs from what the deploy left — someone changed it since. */
  drift?: boolean;
  /** Text files: unified diff snapshot → deployed ('' when equal; null when too large to compute). */
  diff?: string | null;
  /** Text files with drift: unified diff deployed → live. */
  driftDiff?: string | null;
}

/** Above this size a text file is compared by checksum only. */
export const MAX_TEXT_DIFF_BYTES = 512 * 1024;

/** A file is binary when it holds a NUL byte or is not valid UTF-8 (static resources, images, fonts). */
export function isBinary(content: Buffer): boolean {
  if (content.subarray(0, 8000).includes(0)) return true;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(content);
    return false;
  } catch {
    return true;
  }
}

/** Same content, or the same XML once formatting is ignored (what the drift check and verification compare). */
export function sameContent(a: Buffer, b: Buffer, name: string): boolean {
  if (a.equals(b)) return true;
  if (!/\.xml$|\.(object|field|layout|labels)$/.test(name)) return false;
  const ca = canonicalXml(a.toString('utf8'));
  return ca !== undefined && ca === canonicalXml(b.toString('utf8'));
}

/**
 * Per file, three sides of one component: the snapshot (before the deploy), what the deploy left, and optionally
 * the org now. Files are matched by their path inside the component, since the revision's project layout and the
 * backup's (converted from the org) may put the component in different folders. Text files get unified diffs,
 * binary ones only sizes and checksums. `live` undefined means "not asked"; null means "the org has none of it".
 */
export function componentDiff(
  sides: {
    snapshot: DiffInputFile[] | null;
    deployed: DiffInputFile[] | null;
    live?: DiffInputFile[] | null;
  },
  /** Whether two sides of a file hold the same (a profile compares only the elements its deploy touched). */
  same: (a: Buffer, b: Buffer, name: string) => boolean = sameContent,
): { files: FileDiff[]; changedByDeploy: boolean; drift?: boolean } {
  const withLive = sides.live !== undefined;
  const byName = (files: DiffInputFile[] | null | undefined) => {
    const list = files ?? [];
    const names = componentRelativePaths(list.map((f) => f.path));
    return new Map(list.map((f, i) => [names[i]!, f]));
  };
  const snap = byName(sides.snapshot);
  const dep = byName(sides.deployed);
  const live = byName(sides.live);
  const names = [...new Set([...snap.keys(), ...dep.keys(), ...live.keys()])].sort();
  const facts = (f: DiffInputFile | undefined): FileFacts | null =>
    f ? { path: f.path, size: f.content.length, sha256: sha256(f.content) } : null;
  const differ = (a: DiffInputFile | undefined, b: DiffInputFile | undefined, name: string) =>
    a === undefined || b === undefined ? a !== b : !same(a.content, b.content, name);

  const files = names.map((name): FileDiff => {
    const [s, d, l] = [snap.get(name), dep.get(name), live.get(name)];
    const binary = [s, d, l].some((f) => f !== undefined && isBinary(f.content));
    const out: FileDiff = { name, binary, snapshot: facts(s), deployed: facts(d), changedByDeploy: differ(s, d, name) };
    if (withLive) {
      out.live = facts(l);
      out.drift = differ(d, l, name);
    }
    if (!binary) {
      out.diff = textDiff(s, d, `snapshot/${name}`, `deployed/${name}`);
      if (out.drift) out.driftDiff = textDiff(d, l, `deployed/${name}`, `live/${name}`);
    }
    return out;
  });
  return {
    files,
    changedByDeploy: files.some((f) => f.changedByDeploy),
    ...(withLive ? { drift: files.some((f) => f.drift) } : {}),
  };
}

function textDiff(
  a: DiffInputFile | undefined,
  b: DiffInputFile | undefined,
  labelA: string,
  labelB: string,
): string | null {
  if ((a?.content.length ?? 0) > MAX_TEXT_DIFF_BYTES || (b?.content.length ?? 0) > MAX_TEXT_DIFF_BYTES) return null;
  return unifiedDiff(a?.content.toString('utf8') ?? '', b?.content.toString('utf8') ?? '', {
    a: a ? labelA : '/dev/null',
    b: b ? labelB : '/dev/null',
  });
}

import fs from 'node:fs';
import path from 'node:path';
import { readFolderFiles } from '../../src/salesforce/folder-zip.js';

export const CORPUS_DIR = path.resolve(new URL('../../../test/fixtures/corpus', import.meta.url).pathname);

/** The corpus pieces (one folder per metadata type or shape), sorted. */
export function corpusPieces(dir = CORPUS_DIR): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
}

/** Every piece's files of one version, merged into one project (`path → content`). */
export async function corpusVersion(version: 'v1' | 'v2', dir = CORPUS_DIR): Promise<Record<string, Buffer>> {
  const out: Record<string, Buffer> = {};
  for (const piece of corpusPieces(dir)) {
    const root = path.join(dir, piece, version);
    if (!fs.existsSync(root)) continue;
    for (const [p, content] of await readFolderFiles(root)) {
      if (out[p]) throw new Error(`corpus pieces collide on ${p} (${piece})`);
      out[p] = content;
    }
  }
  return out;
}

/** A small seeded PRNG (mulberry32): the same seed picks the same components. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` distinct items picked with `random` (Fisher–Yates on a copy). */
export function pickRandom<T>(items: T[], count: number, random: () => number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy.slice(0, count);
}

/** The seed of this run: `CORPUS_SEED` when set, else a fresh one (printed by the test so a failure can be replayed). */
export function corpusSeed(): number {
  const fromEnv = process.env.CORPUS_SEED;
  if (fromEnv !== undefined && fromEnv !== '') {
    const n = Number(fromEnv);
    if (!Number.isInteger(n)) throw new Error(`CORPUS_SEED must be an integer, not ${fromEnv}`);
    return n;
  }
  return Math.floor(Math.random() * 2 ** 31);
}

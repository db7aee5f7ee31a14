import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type { DataSource, EntityManager } from 'typeorm';
import {
  deflatedOf,
  deflatedOfGzip,
  gzipMember,
  rememberDeflated,
  type Deflated,
  type DeflatedContent,
} from '../common/deflated.js';
import { sha256 } from '../common/hash.js';

const gzip = promisify(zlib.gzip);
const gunzip = promisify(zlib.gunzip);

/** Up to this size a blob is gzipped inline: the thread pool's cost per call (about 0.2 ms) is more than the work. */
const INLINE_GZIP_BYTES = 16 * 1024;

/**
 * A blob's gzip (level 6; the same bytes either way). Larger ones run on libuv's thread pool, a whole batch at once,
 * which keeps every core busy and the event loop free.
 */
function pack(content: Buffer): Promise<Buffer> {
  return content.length <= INLINE_GZIP_BYTES
    ? Promise.resolve(zlib.gzipSync(content, { level: 6 }))
    : gzip(content, { level: 6 });
}

/**
 * Up to this size a blob is inflated inline, into one buffer of the size its gzip trailer records. Reading a deploy's
 * 15,000 blobs on the thread pool made a zlib stream per blob, 2,000 at a time (tens of MB of inflate windows held at
 * once) for work that takes microseconds each.
 */
const INLINE_GUNZIP_BYTES = 64 * 1024;

/** A stored gzip blob's content; a larger one is inflated on the thread pool. Rejects when it does not inflate. */
function unpack(stored: Buffer): Promise<Buffer> {
  // ISIZE: the content's length modulo 2^32 (RFC 1952); a wrong one only makes the inflate fail or the hash differ
  const size = stored.length >= 18 ? stored.readUInt32LE(stored.length - 4) : 0;
  if (size > INLINE_GUNZIP_BYTES) return gunzip(stored);
  try {
    return Promise.resolve(zlib.gunzipSync(stored, { chunkSize: Math.max(64, size + 1), maxOutputLength: size + 1 }));
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}

interface StoredBlob {
  sha256: string;
  /** 'gzip', 'identity', or 'delta' (a raw deflate stream whose preset dictionary is `base`'s content). */
  encoding: string;
  content: Buffer;
  base: string | null;
  size: string | number;
}

/** A whole blob a delta is stored against: its address and content, verified. */
interface Base {
  sha256: string;
  content: Buffer;
}

/**
 * Positions in the contents given to `putMany` → for each, the address of an earlier version of that content (the
 * same file in the branch's last revision), or undefined.
 */
export type EarlierVersions = (positions: number[]) => Promise<(string | undefined)[]>;

/**
 * A delta is kept only when it is at most this share of the content gzipped on its own: reading one costs its base
 * too, which is worth it for a line changed in a class, not for a file rewritten.
 */
const DELTA_AT_MOST = 0.5;

/**
 * `content` deflated with `base` as the preset dictionary (RFC 1950's FDICT, here on a raw stream): what is unchanged
 * within deflate's 32 KB window costs a back-reference. Undefined when that is not at most half of `gzipped` bytes.
 */
function deltaAgainst(content: Buffer, base: Buffer, gzipped: number): Buffer | undefined {
  const delta = zlib.deflateRawSync(content, { level: 6, dictionary: base });
  return delta.length <= gzipped * DELTA_AT_MOST ? delta : undefined;
}

/** A delta's content; a stream that does not inflate against its base (or to its recorded size) is corrupt. */
function undelta(row: StoredBlob, base: Buffer): Buffer {
  const size = Number(row.size);
  try {
    return zlib.inflateRawSync(row.content, { dictionary: base, maxOutputLength: Math.max(1, size + 1) });
  } catch {
    return corrupt(row.sha256);
  }
}

export class BlobIntegrityError extends Error {
  override readonly name = 'BlobIntegrityError';
}

function corrupt(address: string): never {
  throw new BlobIntegrityError(`Blob ${address} is corrupt: its content no longer matches its hash.`);
}

/**
 * File contents stored once, content-addressed by SHA-256 and compressed; shared by revisions, snapshots and package
 * versions (a package's whole archive is one blob), so a repeated upload or snapshot costs only what changed.
 * Reading verifies the hash. Contract: `putMany` is idempotent; `getMany` fails when a blob is missing or its bytes
 * no longer match their address.
 */
export class BlobStore {
  constructor(private readonly db: DataSource) {}

  /**
   * Stores contents not yet stored; returns their addresses in order. `earlier`, given the positions of the contents
   * not stored yet, answers the address of an earlier version of each (the same file in the branch's last revision)
   * or undefined: a content much like its earlier version is stored as a delta against it (`deltaAgainst`).
   */
  async putMany(
    contents: Buffer[],
    manager: EntityManager = this.db.manager,
    earlier?: EarlierVersions,
  ): Promise<string[]> {
    const addresses = contents.map((c) => sha256(c));
    // each address once, with the position of its first content
    const firstAt = new Map<string, number>();
    addresses.forEach((address, i) => {
      if (!firstAt.has(address)) firstAt.set(address, i);
    });
    const known = new Set<string>();
    const all = [...firstAt.keys()];
    for (let i = 0; i < all.length; i += 5000) {
      const rows: { sha256: string }[] = await manager.query(`SELECT sha256 FROM blobs WHERE sha256 = ANY($1)`, [
        all.slice(i, i + 5000),
      ]);
      for (const row of rows) known.add(row.sha256);
    }
    const fresh = all.filter((a) => !known.has(a));
    const bases =
      earlier && fresh.length ? await this.basesFor(fresh, firstAt, earlier, manager) : new Map<string, Base>();
    for (let i = 0; i < fresh.length; i += 200) {
      const batch = fresh.slice(i, i + 200);
      const values: unknown[] = [];
      const tuples: string[] = [];
      // A content read from a deflate stream (a zip entry) is stored with that stream, not deflated again.
      const packed = await Promise.all(
        batch.map((address) => {
          const content = contents[firstAt.get(address)!]!;
          const known = deflatedOf(content);
          return known ? Promise.resolve(gzipMember(content, known)) : pack(content);
        }),
      );
      for (const [k, address] of batch.entries()) {
        const content = contents[firstAt.get(address)!]!;
        const base = bases.get(address);
        const delta = base && deltaAgainst(content, base.content, packed[k]!.length);
        const [encoding, stored] = delta
          ? ['delta', delta]
          : packed[k]!.length < content.length
            ? ['gzip', packed[k]!]
            : ['identity', content];
        values.push(address, content.length, stored.length, encoding, stored, delta ? base.sha256 : null);
        const b = k * 6;
        tuples.push(`($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}, $${b + 5}, $${b + 6})`);
      }
      await manager.query(
        `INSERT INTO blobs (sha256, size, stored_size, encoding, content, base) VALUES ${tuples.join(', ')} ON CONFLICT (sha256) DO NOTHING`,
        values,
      );
    }
    return addresses;
  }

  /**
   * For fresh contents whose earlier version is stored: that version's content, verified, as the base of a delta —
   * or, when the earlier version is itself a delta, its base (a delta never depends on another delta). None when a
   * base fails its check.
   */
  private async basesFor(
    fresh: string[],
    firstAt: Map<string, number>,
    earlier: EarlierVersions,
    manager: EntityManager,
  ): Promise<Map<string, Base>> {
    const answers = await earlier(fresh.map((a) => firstAt.get(a)!));
    const wanted = new Map<string, string>();
    fresh.forEach((address, i) => {
      const version = answers[i];
      if (version && version !== address) wanted.set(address, version);
    });
    if (!wanted.size) return new Map();
    const rows: { sha256: string; base: string | null }[] = await manager.query(
      `SELECT sha256, base FROM blobs WHERE sha256 = ANY($1)`,
      [[...new Set(wanted.values())]],
    );
    const whole = new Map(rows.map((r) => [r.sha256, r.base ?? r.sha256]));
    let contents: Map<string, Buffer>;
    try {
      contents = await this.readVerified([...new Set(whole.values())], 2000, (content) => content, manager);
    } catch (error) {
      // an earlier version that no longer reads back is no base: the new contents are stored whole (their own reads
      // are not at stake; the damaged blob is refused wherever it is read)
      if (error instanceof BlobIntegrityError) return new Map();
      throw error;
    }
    const out = new Map<string, Base>();
    for (const [address, version] of wanted) {
      const base = whole.get(version);
      if (base) out.set(address, { sha256: base, content: contents.get(base)! });
    }
    return out;
  }

  async put(content: Buffer): Promise<string> {
    return (await this.putMany([content]))[0]!;
  }

  /** Contents by address, verified. */
  async getMany(addresses: string[]): Promise<Map<string, Buffer>> {
    return this.readVerified(addresses, 2000, (content, deflated) => {
      // verified: a deploy zip may reuse its deflate stream (`reuseDeflated`)
      if (deflated) rememberDeflated(content, deflated);
      return content;
    });
  }

  /**
   * As `getMany`, verified the same way, but a blob stored as a plain gzip member comes back as its deflate stream,
   * CRC-32 and size, and its inflated content is let go at once: what a deploy zip needs of 10,000 Apex classes
   * without holding their tens of MB. Any other blob comes back as its content.
   */
  async getDeflatedMany(addresses: string[]): Promise<Map<string, DeflatedContent | Buffer>> {
    return this.readVerified(addresses, 500, (content, deflated) =>
      deflated ? { ...deflated, size: content.length } : content,
    );
  }

  /**
   * Reads blobs `slice` at a time, inflates and checks each against its address, and keeps what `keep` makes of its
   * content and, for a blob stored as a plain gzip member, the deflate stream inside it. Fails on the first missing
   * or corrupt one.
   */
  private async readVerified<T>(
    addresses: string[],
    slice: number,
    keep: (content: Buffer, deflated: Deflated | undefined) => T,
    manager: EntityManager = this.db.manager,
    wholeOnly = false,
  ): Promise<Map<string, T>> {
    const out = new Map<string, T>();
    const wanted = [...new Set(addresses)];
    for (let i = 0; i < wanted.length; i += slice) {
      const rows: StoredBlob[] = await manager.query(
        `SELECT sha256, encoding, content, base, size FROM blobs WHERE sha256 = ANY($1)`,
        [wanted.slice(i, i + slice)],
      );
      // the deltas' bases, read and verified the same way; a base is always whole (one that is a delta is corrupt)
      const deltaBases = wholeOnly ? [] : [...new Set(rows.flatMap((r) => (r.encoding === 'delta' ? [r.base!] : [])))];
      const bases = deltaBases.length
        ? await this.readVerified(deltaBases, slice, (content) => content, manager, true)
        : new Map<string, Buffer>();
      const contents = await Promise.all(
        rows.map((row) => {
          if (row.encoding === 'gzip') return unpack(row.content).catch(() => corrupt(row.sha256));
          if (row.encoding === 'delta')
            return Promise.resolve(wholeOnly ? corrupt(row.sha256) : undelta(row, bases.get(row.base!)!));
          return Promise.resolve(row.content);
        }),
      );
      for (const [k, row] of rows.entries()) {
        if (sha256(contents[k]!) !== row.sha256) corrupt(row.sha256);
        const deflated = row.encoding === 'gzip' ? deflatedOfGzip(row.content, contents[k]!) : undefined;
        out.set(row.sha256, keep(contents[k]!, deflated));
      }
    }
    const missing = wanted.filter((a) => !out.has(a));
    if (missing.length)
      throw new BlobIntegrityError(`Blob ${missing[0]} is missing (${missing.length} missing in all).`);
    return out;
  }

  async get(address: string): Promise<Buffer> {
    return (await this.getMany([address])).get(address)!;
  }

  /**
   * Deletes blobs no revision, snapshot or unpruned package version refers to; returns how many. A blob some delta is
   * stored against stays until that delta goes (a second pass then takes the base).
   */
  async collectGarbage(): Promise<number> {
    let deleted = 0;
    for (;;) {
      const result: unknown = await this.db.query(`
        DELETE FROM blobs b WHERE NOT EXISTS (
          SELECT 1 FROM revision_components rc, jsonb_array_elements(rc.files) f WHERE f->>'sha256' = b.sha256
        ) AND NOT EXISTS (
          SELECT 1 FROM snapshot_components sc, jsonb_array_elements(coalesce(sc.files, '[]'::jsonb)) f WHERE f->>'sha256' = b.sha256
        ) AND NOT EXISTS (
          SELECT 1 FROM package_versions pv WHERE pv.sha256 = b.sha256 AND pv.pruned_at IS NULL
        ) AND NOT EXISTS (SELECT 1 FROM blobs d WHERE d.base = b.sha256)`);
      const pass = Array.isArray(result) && typeof result[1] === 'number' ? result[1] : 0;
      deleted += pass;
      if (pass === 0) return deleted;
    }
  }

  /** Total bytes stored (after compression) and logical bytes, for the benchmark and metrics. */
  async usage(): Promise<{ blobs: number; storedBytes: number; logicalBytes: number }> {
    const rows: { blobs: string; stored: string | null; logical: string | null }[] = await this.db.query(
      `SELECT count(*) AS blobs, sum(stored_size) AS stored, sum(size) AS logical FROM blobs`,
    );
    return {
      blobs: Number(rows[0]!.blobs),
      storedBytes: Number(rows[0]!.stored ?? 0),
      logicalBytes: Number(rows[0]!.logical ?? 0),
    };
  }
}

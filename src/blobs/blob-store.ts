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
  encoding: string;
  content: Buffer;
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

  /** Stores contents not yet stored; returns their addresses in order. */
  async putMany(contents: Buffer[], manager: EntityManager = this.db.manager): Promise<string[]> {
    const addresses = contents.map((c) => sha256(c));
    const unique = new Map<string, Buffer>();
    addresses.forEach((address, i) => unique.set(address, contents[i]!));
    const known = new Set<string>();
    const all = [...unique.keys()];
    for (let i = 0; i < all.length; i += 5000) {
      const rows: { sha256: string }[] = await manager.query(`SELECT sha256 FROM blobs WHERE sha256 = ANY($1)`, [
        all.slice(i, i + 5000),
      ]);
      for (const row of rows) known.add(row.sha256);
    }
    const fresh = all.filter((a) => !known.has(a));
    for (let i = 0; i < fresh.length; i += 200) {
      const batch = fresh.slice(i, i + 200);
      const values: unknown[] = [];
      const tuples: string[] = [];
      // A content read from a deflate stream (a zip entry) is stored with that stream, not deflated again.
      const packed = await Promise.all(
        batch.map((address) => {
          const content = unique.get(address)!;
          const known = deflatedOf(content);
          return known ? Promise.resolve(gzipMember(content, known)) : pack(content);
        }),
      );
      for (const [k, address] of batch.entries()) {
        const content = unique.get(address)!;
        const [encoding, stored] = packed[k]!.length < content.length ? ['gzip', packed[k]!] : ['identity', content];
        values.push(address, content.length, stored.length, encoding, stored);
        const b = k * 5;
        tuples.push(`($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}, $${b + 5})`);
      }
      await manager.query(
        `INSERT INTO blobs (sha256, size, stored_size, encoding, content) VALUES ${tuples.join(', ')} ON CONFLICT (sha256) DO NOTHING`,
        values,
      );
    }
    return addresses;
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
  ): Promise<Map<string, T>> {
    const out = new Map<string, T>();
    const wanted = [...new Set(addresses)];
    for (let i = 0; i < wanted.length; i += slice) {
      const rows: StoredBlob[] = await this.db.query(
        `SELECT sha256, encoding, content FROM blobs WHERE sha256 = ANY($1)`,
        [wanted.slice(i, i + slice)],
      );
      const contents = await Promise.all(
        rows.map((row) =>
          row.encoding === 'gzip' ? unpack(row.content).catch(() => corrupt(row.sha256)) : Promise.resolve(row.content),
        ),
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

  /** Deletes blobs no revision, snapshot or unpruned package version refers to; returns how many. */
  async collectGarbage(): Promise<number> {
    const result: unknown = await this.db.query(`
      DELETE FROM blobs b WHERE NOT EXISTS (
        SELECT 1 FROM revision_components rc, jsonb_array_elements(rc.files) f WHERE f->>'sha256' = b.sha256
      ) AND NOT EXISTS (
        SELECT 1 FROM snapshot_components sc, jsonb_array_elements(coalesce(sc.files, '[]'::jsonb)) f WHERE f->>'sha256' = b.sha256
      ) AND NOT EXISTS (
        SELECT 1 FROM package_versions pv WHERE pv.sha256 = b.sha256 AND pv.pruned_at IS NULL
      )`);
    return Array.isArray(result) && typeof result[1] === 'number' ? result[1] : 0;
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

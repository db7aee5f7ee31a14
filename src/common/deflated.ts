import { crc32 } from 'node:zlib';

/**
 * Contents that came out of a deflate stream (a zip entry an org returned, a gzip blob read back) remember that
 * stream and its CRC-32, so the same bytes are not compressed again when they go into the blob store or a deploy
 * zip: a 10,000-component backup or deploy otherwise deflates tens of megabytes that were deflated already. Keyed by
 * the Buffer object itself (contents are never modified after reading): forgotten with the content, and a copy or a
 * different buffer with the same bytes is simply compressed as before.
 */
export interface Deflated {
  /** The raw deflate stream (RFC 1951) that inflates to the content. */
  raw: Buffer;
  /** CRC-32 of the content. */
  crc: number;
}

/** A content held only as its deflate stream, CRC-32 and length (a blob read back and verified, then let go). */
export interface DeflatedContent extends Deflated {
  size: number;
}

const known = new WeakMap<Buffer, Deflated>();

/** Records that `content` is what `raw` inflates to (the caller inflated it and checked the CRC-32). */
export function rememberDeflated(content: Buffer, deflated: Deflated): void {
  if (content.length > 0) known.set(content, deflated);
}

/** The deflate stream `content` came from, if it was read from one. */
export function deflatedOf(content: Buffer): Deflated | undefined {
  return known.get(content);
}

/** A gzip member (RFC 1952) around a raw deflate stream: what `zlib.gzip` would store, without deflating again. */
export function gzipMember(content: Buffer, deflated: Deflated): Buffer {
  const header = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(deflated.crc >>> 0, 0);
  trailer.writeUInt32LE(content.length >>> 0, 4);
  return Buffer.concat([header, deflated.raw, trailer]);
}

/**
 * The raw deflate stream of a gzip member that inflated to `content`, when the member has a plain 10-byte header
 * (what `zlib.gzip` and `gzipMember` write) and its trailer holds the content's CRC-32 and size; undefined for any
 * other framing (extra fields, names, comments, several members: the last one's trailer would not match).
 */
export function deflatedOfGzip(member: Buffer, content: Buffer): Deflated | undefined {
  if (member.length < 18 || member[0] !== 0x1f || member[1] !== 0x8b || member[2] !== 8 || member[3] !== 0) {
    return undefined;
  }
  const crc = member.readUInt32LE(member.length - 8);
  if (member.readUInt32LE(member.length - 4) !== content.length >>> 0 || crc !== crc32(content) >>> 0) return undefined;
  return { raw: member.subarray(10, member.length - 8), crc };
}

import { describe, it, beforeAll, afterAll, expect } from '@jest/globals';
import crypto from 'node:crypto';
import zlib from 'node:zlib';
import { BlobIntegrityError, BlobStore } from '../../src/blobs/blob-store.js';
import { startHarness, type Harness } from '../helpers/backtrack.harness.js';
import { closeStarted } from '../helpers/lifecycle.js';

describe('the blob store', () => {
  let h: Harness;
  let store: BlobStore;

  beforeAll(async () => {
    h = await startHarness();
    store = new BlobStore(h.backtrack.dataSource);
  });
  afterAll(() => closeStarted(h));

  const count = async (addresses: string[]) =>
    Number(
      (await h.backtrack.dataSource.query(`SELECT count(*) AS n FROM blobs WHERE sha256 = ANY($1)`, [addresses]))[0].n,
    );

  it('given the same contents twice, stores each once, compressed, under its SHA-256', async () => {
    const text = Buffer.from('public class A {}\n'.repeat(200));
    const random = crypto.randomBytes(3000);
    const first = await store.putMany([text, random, text]);
    const again = await store.putMany([random, text]);
    expect(first[0]).toBe(crypto.createHash('sha256').update(text).digest('hex'));
    expect(first[0]).toBe(first[2]);
    expect(again).toEqual([first[1], first[0]]);
    expect(await count(first)).toBe(2);
    const rows = await h.backtrack.dataSource.query(
      `SELECT sha256, encoding, stored_size FROM blobs WHERE sha256 = ANY($1)`,
      [first],
    );
    const bySha = new Map(rows.map((r: { sha256: string }) => [r.sha256, r]));
    expect((bySha.get(first[0]) as { encoding: string }).encoding).toBe('gzip');
    expect((bySha.get(first[0]) as { stored_size: number }).stored_size < text.length / 10).toBeTruthy();
    expect((bySha.get(first[1]) as { encoding: string }).encoding).toBe('identity'); // incompressible bytes are kept as they are
  });

  it('given many contents, reads every one back byte for byte', async () => {
    const contents = Array.from({ length: 450 }, (_, i) => Buffer.from(`<file n="${i}">${'x'.repeat(i * 7)}</file>`));
    const addresses = await store.putMany(contents);
    const read = await store.getMany(addresses);
    expect(read.size).toBe(450);
    addresses.forEach((a, i) => expect(read.get(a)!.equals(contents[i]!)).toBeTruthy());
  });

  it('given small and large blobs (inflated inline and on the thread pool), reads each back byte for byte', async () => {
    const large = Buffer.from('<fields><fullName>F</fullName></fields>\n'.repeat(20_000)); // 820 KB
    const edge = Buffer.from('a'.repeat(64 * 1024)); // exactly the inline limit
    const addresses = await store.putMany([large, edge, Buffer.from('b')]);
    const read = await store.getMany(addresses);
    expect(read.get(addresses[0]!)!.equals(large)).toBe(true);
    expect(read.get(addresses[1]!)!.equals(edge)).toBe(true);
    expect(read.get(addresses[2]!)!.toString()).toBe('b');
  });

  it('given gzip and identity blobs, hands back the deflate stream of each gzip one and the content of the rest, verified', async () => {
    const text = Buffer.from('public class Packed {}\n'.repeat(500));
    const random = crypto.randomBytes(2000); // incompressible: stored as it is
    const [packed, plain] = await store.putMany([text, random]);
    const read = await store.getDeflatedMany([packed!, plain!]);
    const body = read.get(packed!);
    if (!body || Buffer.isBuffer(body)) throw new Error('expected a deflate stream');
    expect(body.size).toBe(text.length);
    expect(body.crc).toBe(zlib.crc32(text));
    expect(zlib.inflateRawSync(body.raw).equals(text)).toBe(true);
    expect(body.raw.length).toBeLessThan(text.length / 10);
    const kept = read.get(plain!);
    expect(Buffer.isBuffer(kept) && kept.equals(random)).toBe(true);
    // verified as getMany verifies: a blob whose bytes changed is refused, not handed on
    const [row] = await h.backtrack.dataSource.query(`SELECT content FROM blobs WHERE sha256 = $1`, [packed]);
    const other = zlib.gzipSync(Buffer.from('public class Evil {}\n'.repeat(500)));
    await h.backtrack.dataSource.query(`UPDATE blobs SET content = $2 WHERE sha256 = $1`, [packed, other]);
    await expect(store.getDeflatedMany([packed!])).rejects.toThrow(`Blob ${packed} is corrupt`);
    await h.backtrack.dataSource.query(`UPDATE blobs SET content = $2 WHERE sha256 = $1`, [packed, row.content]);
    await expect(store.getDeflatedMany(['0'.repeat(64)])).rejects.toThrow(/missing/);
  });

  it('given a gzip trailer whose recorded size was changed, refuses the blob as corrupt', async () => {
    const small = await store.put(Buffer.from('<layout/>\n'.repeat(300)));
    const large = await store.put(Buffer.from('<layout/>\n'.repeat(30_000)));
    for (const [address, size] of [
      [small, 10], // smaller than the content: the inline inflate stops
      [large, 2 ** 31], // larger: the thread pool's gunzip checks the trailer
    ] as const) {
      const [row] = await h.backtrack.dataSource.query(`SELECT content FROM blobs WHERE sha256 = $1`, [address]);
      const altered = Buffer.from(row.content as Buffer);
      altered.writeUInt32LE(size, altered.length - 4);
      await h.backtrack.dataSource.query(`UPDATE blobs SET content = $2 WHERE sha256 = $1`, [address, altered]);
      await expect(store.get(address)).rejects.toThrow(`Blob ${address} is corrupt`);
    }
  });

  it('given a stored blob altered in the database, refuses to return it', async () => {
    const address = await store.put(Buffer.from('public class Tampered {}\n'.repeat(50)));
    await h.backtrack.dataSource.query(`UPDATE blobs SET content = $2, encoding = 'identity' WHERE sha256 = $1`, [
      address,
      Buffer.from('public class Evil {}\n'),
    ]);
    const reading = store.get(address);
    await expect(reading).rejects.toBeInstanceOf(BlobIntegrityError);
    await expect(reading).rejects.toThrow(address);
  });

  it('given compressed bytes that no longer inflate, refuses them as corrupt', async () => {
    const address = await store.put(Buffer.from('trigger T on Account (before insert) {}\n'.repeat(50)));
    await h.backtrack.dataSource.query(`UPDATE blobs SET content = $2 WHERE sha256 = $1`, [
      address,
      Buffer.from('not gzip at all'),
    ]);
    const reading = store.get(address);
    await expect(reading).rejects.toBeInstanceOf(BlobIntegrityError);
    await expect(reading).rejects.toThrow(/corrupt/);
  });

  it('given an address that was never stored, says it is missing', async () => {
    const reading = store.get('0'.repeat(64));
    await expect(reading).rejects.toBeInstanceOf(BlobIntegrityError);
    await expect(reading).rejects.toThrow(/missing/);
  });
});

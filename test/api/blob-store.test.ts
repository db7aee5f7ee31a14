import { describe, it, beforeAll, afterAll, expect } from '@jest/globals';
import crypto from 'node:crypto';
import zlib from 'node:zlib';
import { BlobIntegrityError, BlobStore } from '../../src/blobs/blob-store.js';
import { startHarness, type Harness } from '../helpers/backtrack.harness.js';
import {
  CLASS_META,
  classSource,
  demoOrgId,
  deployCompleted,
  newBranch,
  orgFiles,
  projectZip,
  rollbackAndWait,
  upload,
} from '../helpers/deploy-flow.js';
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
  describe('deltas against an earlier version', () => {
    // a 6 KB class, and the same class with one line added (what a deploy's change usually is)
    const before = Buffer.from(
      `public class Ledger {\n${Array.from({ length: 120 }, (_, i) => `    public Integer field${i} = ${i * 7};`).join('\n')}\n}\n`,
    );
    const withLine = (text: Buffer, line: string) =>
      Buffer.from(text.toString().replace(/\n}\n$/, `\n    ${line}\n}\n`));
    const row = async (address: string) =>
      (
        await h.backtrack.dataSource.query(
          `SELECT encoding, base, size, stored_size, content FROM blobs WHERE sha256 = $1`,
          [address],
        )
      )[0];
    const earlierIs = (address: string) => async (positions: number[]) => positions.map(() => address);

    it('given a content and its earlier version, stores a delta a fraction of its gzip and reads it back byte for byte', async () => {
      const base = await store.put(before);
      const after = withLine(before, '// one line more');
      const [delta] = await store.putMany([after], undefined, earlierIs(base));
      const stored = await row(delta!);
      expect([stored.encoding, stored.base]).toEqual(['delta', base]);
      expect(Number(stored.stored_size)).toBeLessThan(zlib.gzipSync(after).length / 5);
      expect((await store.get(delta!)).equals(after)).toBe(true);
      // a deploy zip gets the content itself (a delta is no zip entry's deflate stream)
      const deflated = (await store.getDeflatedMany([delta!])).get(delta!);
      expect(Buffer.isBuffer(deflated) && deflated.equals(after)).toBe(true);
    });

    it("given an earlier version that is a delta itself, stores the new delta against that one's base", async () => {
      const base = await store.put(withLine(before, '// v1'));
      const [second] = await store.putMany([withLine(before, '// v2')], undefined, earlierIs(base));
      const [third] = await store.putMany([withLine(before, '// v3')], undefined, earlierIs(second!));
      expect((await row(second!)).base).toBe(base);
      expect((await row(third!)).base).toBe(base);
      expect((await store.get(third!)).toString()).toBe(withLine(before, '// v3').toString());
    });

    it('given a file rewritten, not edited, stores it whole: a delta is kept only when it is at most half the gzip', async () => {
      const base = await store.put(before);
      const rewritten = crypto.randomBytes(2000).toString('hex');
      const [address] = await store.putMany([Buffer.from(rewritten)], undefined, earlierIs(base));
      expect(await row(address!)).toMatchObject({ encoding: 'gzip', base: null });
    });

    it('given a delta or its base altered, refuses the delta as corrupt', async () => {
      const base = await store.put(withLine(before, '// base to alter'));
      const [delta] = await store.putMany([withLine(before, '// on it')], undefined, earlierIs(base));
      const original = await row(base);
      // the base's bytes changed: the delta is refused because its base no longer matches its hash
      await h.backtrack.dataSource.query(`UPDATE blobs SET content = $2 WHERE sha256 = $1`, [
        base,
        zlib.gzipSync(withLine(before, '// someone else')),
      ]);
      await expect(store.get(delta!)).rejects.toThrow(`Blob ${base} is corrupt`);
      await h.backtrack.dataSource.query(`UPDATE blobs SET content = $2 WHERE sha256 = $1`, [base, original.content]);
      expect((await store.get(delta!)).equals(withLine(before, '// on it'))).toBe(true);
      // the delta's own bytes changed
      const stream = Buffer.from((await row(delta!)).content as Buffer);
      stream[stream.length - 2] = stream[stream.length - 2]! ^ 0xff;
      await h.backtrack.dataSource.query(`UPDATE blobs SET content = $2 WHERE sha256 = $1`, [delta, stream]);
      await expect(store.get(delta!)).rejects.toThrow(`Blob ${delta} is corrupt`);
    });

    it('given a delta whose base was made a delta itself, refuses it: a base is always whole', async () => {
      const base = await store.put(withLine(before, '// whole base'));
      const [delta] = await store.putMany([withLine(before, '// on the whole base')], undefined, earlierIs(base));
      const [other] = await store.putMany([withLine(before, '// another')], undefined, earlierIs(base));
      await h.backtrack.dataSource.query(`UPDATE blobs SET encoding = 'delta', base = $2 WHERE sha256 = $1`, [
        base,
        other,
      ]);
      await expect(store.get(delta!)).rejects.toThrow(`Blob ${base} is corrupt`);
    });

    it('given an earlier version that no longer reads back, stores the new content whole and still refuses the damaged one', async () => {
      const base = await store.put(withLine(before, '// damaged base'));
      await h.backtrack.dataSource.query(`UPDATE blobs SET content = $2 WHERE sha256 = $1`, [
        base,
        zlib.gzipSync(withLine(before, '// not what its address says')),
      ]);
      const [address] = await store.putMany([withLine(before, '// after the damage')], undefined, earlierIs(base));
      expect(await row(address!)).toMatchObject({ encoding: 'gzip', base: null });
      expect((await store.get(address!)).equals(withLine(before, '// after the damage'))).toBe(true);
      await expect(store.get(base)).rejects.toThrow(`Blob ${base} is corrupt`);
    });

    it('keeps a base while a delta refers to it, and collects both once nothing refers to the delta', async () => {
      const base = await store.put(withLine(before, '// collected base'));
      const [delta] = await store.putMany([withLine(before, '// collected delta')], undefined, earlierIs(base));
      // the database refuses to delete a base under a delta, whatever deletes it
      await expect(h.backtrack.dataSource.query(`DELETE FROM blobs WHERE sha256 = $1`, [base])).rejects.toThrow(
        /foreign key/,
      );
      const snapshotId = crypto.randomUUID();
      await h.backtrack.dataSource.query(
        `INSERT INTO snapshot_components (snapshot_id, type, full_name, existed, files) VALUES ($1, 'ApexClass', 'Ledger', true, $2)`,
        [snapshotId, JSON.stringify([{ path: 'classes/Ledger.cls', sha256: delta }])],
      );
      await store.collectGarbage();
      expect(await count([base, delta!])).toBe(2);
      expect((await store.get(delta!)).equals(withLine(before, '// collected delta'))).toBe(true);
      await h.backtrack.dataSource.query(`DELETE FROM snapshot_components WHERE snapshot_id = $1`, [snapshotId]);
      await store.collectGarbage();
      expect(await count([base, delta!])).toBe(0);
    });

    it('stores a class changed between two uploads as a delta, deploys its exact bytes and rolls back to the first', async () => {
      const orgId = await demoOrgId(h);
      const branchId = await newBranch(h, 'deltas');
      const padding = Array.from({ length: 60 }, (_, i) => `// note ${i}: ${'x'.repeat(40)}`).join('\n');
      const v1 = `${padding}\n${classSource('DeltaLedger', 'v1')}`;
      const v2 = `${padding}\n${classSource('DeltaLedger', 'v2')}`;
      const zipWith = (source: string) =>
        projectZip({
          'force-app/main/default/classes/DeltaLedger.cls': source,
          'force-app/main/default/classes/DeltaLedger.cls-meta.xml': CLASS_META,
        });
      await upload(h, branchId, await zipWith(v1));
      await deployCompleted(h, branchId, orgId);
      await upload(h, branchId, await zipWith(v2));
      const files = (await h.api('GET', `/api/branches/${branchId}/components`)).body.items.find(
        (c: { fullName: string }) => c.fullName === 'DeltaLedger',
      ).files;
      const cls = files.find((f: { path: string }) => f.path.endsWith('.cls'));
      expect(await row(cls.sha256)).toMatchObject({ encoding: 'delta' });
      const second = await deployCompleted(h, branchId, orgId);
      const key = 'ApexClass:DeltaLedger|classes/DeltaLedger.cls';
      expect(orgFiles(h.backtrack.emulator!, h.backtrack.emulator!.defaultOrg.id).get(key)!.toString()).toBe(v2);
      const rollback = await rollbackAndWait(h, second, { all: true });
      expect(rollback.status).toBe('Completed');
      expect(orgFiles(h.backtrack.emulator!, h.backtrack.emulator!.defaultOrg.id).get(key)!.toString()).toBe(v1);
    });
  });
});

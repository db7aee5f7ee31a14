import { describe, it, beforeAll, afterAll, expect } from '@jest/globals';
import crypto from 'node:crypto';
import { BlobIntegrityError } from '../../src/blobs/blob-store.js';
import { RetrievedBackups } from '../../src/snapshots/retrieved-backups.js';
import { startHarness, type Harness } from '../helpers/backtrack.harness.js';
import { closeStarted } from '../helpers/lifecycle.js';

describe("a deploy's backup stored as Salesforce returned it (retrieved_backups)", () => {
  let h: Harness;
  let store: RetrievedBackups;

  beforeAll(async () => {
    h = await startHarness();
    store = new RetrievedBackups(h.backtrack.dataSource);
  });
  afterAll(() => closeStarted(h));

  const retrieved = (bytes: number) => ({
    members: [
      { type: 'ApexClass', fullName: 'A' },
      { type: 'Profile', fullName: 'Admin' },
    ],
    unreported: [{ type: 'CustomField', fullName: 'Account.Tier__c' }],
    messages: [{ fileName: 'classes/B.cls', problem: "Entity of type 'ApexClass' named 'B' cannot be found" }],
    zip: crypto.randomBytes(bytes),
  });

  it('gives back the exact bytes, members and messages by position, and replaces a position written again', async () => {
    const snapshotId = crypto.randomUUID();
    const first = retrieved(300_000);
    const second = retrieved(1_000);
    await store.put(snapshotId, 0, retrieved(10));
    await store.put(snapshotId, 0, first);
    await store.put(snapshotId, 1, second);
    expect(await store.count(snapshotId)).toBe(2);
    const back = (await store.get(snapshotId, 0))!;
    expect(Buffer.compare(back.zip, first.zip)).toBe(0);
    expect(back).toEqual({
      members: first.members,
      unreported: first.unreported,
      messages: first.messages,
      zip: back.zip,
    });
    expect(Buffer.compare((await store.get(snapshotId, 1))!.zip, second.zip)).toBe(0);
    await store.drop(snapshotId);
    expect(await store.count(snapshotId)).toBe(0);
  });

  it('refuses a zip whose bytes changed since it was stored, and gives nothing for a position not stored', async () => {
    const snapshotId = crypto.randomUUID();
    await store.put(snapshotId, 0, retrieved(2_000));
    await h.backtrack.dataSource.query(
      `UPDATE retrieved_backups SET zip = zip || '\\x00'::bytea WHERE snapshot_id = $1`,
      [snapshotId],
    );
    await expect(store.get(snapshotId, 0)).rejects.toThrow(BlobIntegrityError);
    await expect(store.get(snapshotId, 0)).rejects.toThrow(/corrupt: its zip no longer matches its hash/);
    expect(await store.get(snapshotId, 1)).toBeUndefined();
  });
});

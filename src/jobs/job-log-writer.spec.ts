import { describe, it, expect } from '@jest/globals';
import { JobLogWriter } from './job-log.writer.js';

const FAST = { attempts: 3, baseDelayMs: 1, maxDelayMs: 2 };

/** A stand-in for the DataSource: answers max(seq) with 0 and records (or fails) the INSERTs' blocks of lines. */
function fakeDb(failures: number) {
  const inserted: number[] = [];
  let left = failures;
  return {
    inserted,
    async query(sql: string, params: unknown[] = []): Promise<unknown[]> {
      if (sql.startsWith('SELECT')) return [{ max: null }];
      if (left-- > 0) throw new Error('Connection terminated unexpectedly');
      // [job, first seq, last seq, lines, first seq, last seq, lines, …]
      for (let i = 3; i < params.length; i += 3)
        for (const line of JSON.parse(params[i] as string) as { seq: number }[]) inserted.push(line.seq);
      return [];
    },
  };
}

describe('JobLogWriter under database faults', () => {
  it('retries a failed insert and writes every line once, in sequence', async () => {
    const db = fakeDb(2);
    const writer = await JobLogWriter.open(db, 'job-1', FAST);
    writer.write('info', 'one');
    writer.write('info', 'two');
    await writer.flush();
    expect(db.inserted).toEqual([1, 2]);
  });

  it('keeps the lines when the database stays away, tells onUnavailable, and writes them once it is back', async () => {
    const db = fakeDb(3);
    const writer = await JobLogWriter.open(db, 'job-2', FAST);
    const unavailable = new Promise<unknown>((resolve) => writer.onUnavailable(resolve));
    writer.write('info', 'one');
    // The background flush fails after its retries: reported, never an unhandled rejection.
    expect(String(await unavailable)).toMatch(/Connection terminated/);
    writer.write('info', 'two');
    await writer.flush();
    expect(db.inserted).toEqual([1, 2]);
  });

  it('rejects an awaited flush when the database stays away, and a later flush still works', async () => {
    const db = fakeDb(3);
    const writer = await JobLogWriter.open(db, 'job-3', FAST);
    writer.write('info', 'one');
    await expect(writer.flush()).rejects.toThrow(/Connection terminated/);
    await writer.flush();
    expect(db.inserted).toEqual([1]);
  });

  it('writes 2,500 lines as three blocks of consecutive lines, each with its first and last seq', async () => {
    const db = fakeDb(0);
    const blocks: unknown[][] = [];
    const writer = await JobLogWriter.open(
      {
        query: (sql, params = []) => {
          if (sql.startsWith('INSERT')) for (let i = 1; i < params.length; i += 3) blocks.push(params.slice(i, i + 2));
          return db.query(sql, params);
        },
      },
      'job-4',
      FAST,
    );
    for (let i = 0; i < 2500; i++) writer.write('info', `line ${i}`);
    await writer.flush();
    expect(db.inserted).toEqual(Array.from({ length: 2500 }, (_, i) => i + 1));
    expect(blocks).toEqual([
      [1, 1000],
      [1001, 2000],
      [2001, 2500],
    ]);
  });
});

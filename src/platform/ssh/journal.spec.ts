import { describe, expect, test } from '@jest/globals';
import {
  formatJournal,
  installedEntry,
  JournalUnreadable,
  markRemoved,
  parseJournal,
  recordEntry,
  retentionPlan,
  stagingFolder,
  successfulFolders,
  type Journal,
  type JournalEntry,
} from './journal.js';

const dir = '/srv/web/releases';
let clock = 0;
const entry = (release: string, over: Partial<JournalEntry> = {}): JournalEntry => ({
  deploymentId: `exec-${release}`,
  release,
  package: 'web',
  packageVersion: release,
  checksum: `sum-${release}`,
  path: `${dir}/${release}`,
  filesChecksum: `files-${release}`,
  time: new Date(Date.UTC(2026, 0, 1, 0, 0, clock++)).toISOString(),
  outcome: 'Success',
  mode: 'deploy',
  ...over,
});
const journalOf = (...entries: JournalEntry[]): Journal => entries.reduce(recordEntry, parseJournal(null));

describe('the host deployment journal', () => {
  test('a missing file is an empty journal; what is written reads back the same', () => {
    expect(parseJournal(null)).toEqual({ version: 1, entries: [] });
    const journal = journalOf(entry('1.1.20'), entry('1.1.21'));
    expect(parseJournal(formatJournal(journal))).toEqual(journal);
  });

  test('a file that is not a journal is refused with what is wrong, never read as empty', () => {
    expect(() => parseJournal('{not json')).toThrow(JournalUnreadable);
    expect(() => parseJournal('{"entries": {}}')).toThrow(/no "entries" list/);
    expect(() => parseJournal('{"entries": [{"release": "1"}]}')).toThrow(/entry 0 lacks/);
  });

  test('a resumed deployment writing its entry again replaces it instead of adding a second', () => {
    const first = entry('1.1.21');
    const journal = recordEntry(recordEntry(parseJournal(null), first), { ...first, time: 'later' });
    expect(journal.entries).toHaveLength(1);
    expect(journal.entries[0]!.time).toBe('later');
  });

  test('successful folders are newest first, each once, without failed or removed ones', () => {
    const journal = journalOf(
      entry('1.1.19'),
      entry('1.1.20'),
      entry('1.1.21', { outcome: 'Failed' }),
      entry('1.1.18', { removedAt: 'x' }),
      entry('1.1.20', { deploymentId: 'rollback-1', mode: 'switch-back' }),
    );
    expect(successfulFolders(journal).map((e) => [e.release, e.deploymentId])).toEqual([
      ['1.1.20', 'rollback-1'],
      ['1.1.19', 'exec-1.1.19'],
    ]);
  });

  test('a folder whose latest entry failed does not count as successful even if an older one did', () => {
    const journal = journalOf(entry('1.1.20'), entry('1.1.20', { deploymentId: 'again', outcome: 'Failed' }));
    expect(successfulFolders(journal)).toEqual([]);
  });

  test('installedEntry finds the release only with the same package checksum', () => {
    const journal = journalOf(entry('1.1.20'), entry('1.1.21'));
    expect(installedEntry(journal, '1.1.20', 'sum-1.1.20')?.path).toBe(`${dir}/1.1.20`);
    expect(installedEntry(journal, '1.1.20', 'other')).toBeNull();
    expect(installedEntry(journal, '1.1.22', 'sum-1.1.22')).toBeNull();
  });

  test('retention keeps the N newest successful folders and the live one, and removes everything else', () => {
    const journal = journalOf(
      entry('1.1.19'),
      entry('1.1.20'),
      entry('1.1.21', { outcome: 'Failed' }),
      entry('1.1.22'),
    );
    const folders = ['1.1.19', '1.1.20', '1.1.21', '1.1.22', '1.1.23.partial'].map((f) => `${dir}/${f}`);
    const plan = retentionPlan(journal, `${dir}/1.1.22`, 2, folders);
    expect(plan.keep).toEqual([`${dir}/1.1.22`, `${dir}/1.1.20`]);
    expect(plan.remove).toEqual([`${dir}/1.1.19`, `${dir}/1.1.21`, `${dir}/1.1.23.partial`]);
    expect(retentionPlan(journal, `${dir}/1.1.22`, 1, folders).keep).toEqual([`${dir}/1.1.22`]);
  });

  test('removed folders are marked, and no longer count', () => {
    const journal = markRemoved(journalOf(entry('1.1.19'), entry('1.1.20')), [`${dir}/1.1.19`], 'now');
    expect(journal.entries.find((e) => e.release === '1.1.19')?.removedAt).toBe('now');
    expect(successfulFolders(journal).map((e) => e.release)).toEqual(['1.1.20']);
  });

  test('a release is staged beside a kept folder of the same name, never over it', () => {
    expect(stagingFolder(dir, '1.1.21', new Set())).toBe(`${dir}/1.1.21`);
    expect(stagingFolder(dir, '1.1.21', new Set([`${dir}/1.1.21`]))).toBe(`${dir}/1.1.21_2`);
    expect(stagingFolder(dir, '1.1.21', new Set([`${dir}/1.1.21`, `${dir}/1.1.21_2`]))).toBe(`${dir}/1.1.21_3`);
  });
});

import { describe, expect, it } from '@jest/globals';
import {
  cpuByThread,
  formatCpu,
  jobSeconds,
  jobStart,
  median,
  medianRun,
  runsNote,
  scaledRuns,
  selectSections,
  threadKinds,
  wasIdle,
} from './bench-client.js';

const ALL = ['salesforce', 'storage', 'polling', 'slo'] as const;

describe('selectSections', () => {
  it('runs every section when BENCH_ONLY is unset or empty', () => {
    expect(selectSections(undefined, ALL)).toEqual([...ALL]);
    expect(selectSections(' ', ALL)).toEqual([...ALL]);
  });

  it('runs the named sections in the bench order, whatever order and case they are named in', () => {
    expect(selectSections('slo, Polling', ALL)).toEqual(['polling', 'slo']);
  });

  it('refuses an unknown name and says which names exist', () => {
    expect(() => selectSections('salesforce,kubernets', ALL)).toThrow(
      'BENCH_ONLY: unknown section(s) kubernets; known: salesforce, storage, polling, slo',
    );
  });
});

describe('jobSeconds', () => {
  const job = { createdAt: '2026-12-06T05:00:00.400Z', finishedAt: '2026-12-06T05:00:05.500Z' };

  it('counts from the request when the bench made it, the API checks before the job existed included', () => {
    const requested = { ...job, sentAt: '2026-12-06T05:00:00.000Z' };
    expect(jobStart(requested)).toBe(requested.sentAt);
    expect(jobSeconds(requested)).toBeCloseTo(5.5);
  });

  it('counts from the creation of a job the bench did not request itself', () => {
    expect(jobStart(job)).toBe(job.createdAt);
    expect(jobSeconds(job)).toBeCloseTo(5.1);
  });
});

describe('scaledRuns', () => {
  it('keeps every run at scale 1 and above, and at least one below', () => {
    expect(scaledRuns(7, 1)).toBe(7);
    expect(scaledRuns(7, 2)).toBe(7);
    expect(scaledRuns(7, 0.5)).toBe(4);
    expect(scaledRuns(7, 0.02)).toBe(1);
  });
});

describe('cpuByThread', () => {
  // /proc/<pid>/task/<tid>/stat lines: a thread name may hold spaces and parentheses
  const stat = (tid: number, name: string, utime: number, stime: number) =>
    `${tid} (${name}) S 1 ${tid} ${tid} 0 -1 4194560 100 0 0 0 ${utime} ${stime} 0 0 20 0 11 0 1234 0 0`;
  const tasks = [
    { tid: 100, stat: stat(100, 'node', 250, 50) },
    { tid: 101, stat: stat(101, 'node', 40, 0) },
    { tid: 102, stat: stat(102, 'node', 60, 20) },
    { tid: 103, stat: stat(103, 'odd (name) x', 5, 5) },
    { tid: 140, stat: stat(140, 'node', 120, 0) },
    { tid: 141, stat: stat(141, 'libuv-worker', 30, 10) },
  ];
  const rounded = (cpu: Record<string, number>) =>
    Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, Math.round(v * 100) / 100]));

  it('adds user and system time by kind of thread, in seconds: the last "node" thread is the database', () => {
    const cpu = cpuByThread(tasks, threadKinds(100, tasks, true));
    expect(rounded({ ...cpu })).toEqual({ main: 3, database: 1.2, helpers: 1.3, pool: 0.4, total: 5.9, kernel: 0.85 });
  });

  it('counts no database thread on PostgreSQL: every unnamed thread is a V8 helper', () => {
    const cpu = cpuByThread(tasks, threadKinds(100, tasks, false));
    expect(rounded({ ...cpu })).toEqual({ main: 3, database: 0, helpers: 2.5, pool: 0.4, total: 5.9, kernel: 0.85 });
  });

  it('formats the sum first, then each kind (the database thread only when there is one), then the kernel share', () => {
    expect(formatCpu({ main: 4.12, database: 2.04, helpers: 3, pool: 0.7, total: 9.86, kernel: 1.23 })).toBe(
      '9.9 s (main thread 4.1, database thread 2.0, V8 helper threads 3.0, thread pool 0.7; 1.2 s in the kernel)',
    );
    expect(formatCpu({ main: 4.12, database: 0, helpers: 3, pool: 0.7, total: 7.82, kernel: 0 })).toBe(
      '7.8 s (main thread 4.1, V8 helper threads 3.0, thread pool 0.7; 0.0 s in the kernel)',
    );
  });
});

describe('medianRun', () => {
  const runs = [
    { retrieveMs: 2100, deployMs: 1090, ms: 3190 },
    { retrieveMs: 1900, deployMs: 1240, ms: 3140 },
    { retrieveMs: 1700, deployMs: 1100, ms: 2800 },
  ];

  it('picks the run whose total is the median, with that run’s own parts', () => {
    expect(medianRun(runs, (r) => r.ms)).toEqual({ retrieveMs: 1900, deployMs: 1240, ms: 3140 });
    expect(median(runs.map((r) => r.ms))).toBe(3140);
  });

  it('takes the upper middle of an even count, as median does, and the one run of one', () => {
    expect(medianRun(runs.slice(0, 2), (r) => r.ms).ms).toBe(3190);
    expect(median([3190, 3140])).toBe(3190);
    expect(medianRun(runs.slice(2), (r) => r.ms).ms).toBe(2800);
  });

  it('names every run in the order they ran, and nothing for a single run', () => {
    expect(runsNote(runs.map((r) => r.ms))).toBe(' (median of 3.19 s, 3.14 s, 2.80 s)');
    expect(runsNote([2800])).toBe('');
  });

  it('says which runs ran after the job, when some did', () => {
    expect(runsNote([3190, 3140, 2800, 3050, 3100], 2)).toBe(
      ' (median of 3.19 s, 3.14 s, 2.80 s before the job and 3.05 s, 3.10 s after it)',
    );
    expect(runsNote([3050, 3100], 2)).toBe(' (median of 3.05 s, 3.10 s, all after the job)');
    expect(runsNote([3050], 1)).toBe('');
  });
});

describe('wasIdle', () => {
  it('holds when the process used at most 5 % of a core over the stretch', () => {
    expect(wasIdle(1, 250)).toBe(true); // 10 ms in 250 ms: 4 %
    expect(wasIdle(2, 250)).toBe(false); // 20 ms: 8 %
    expect(wasIdle(0, 250)).toBe(true);
  });

  it('takes another share or tick rate when given', () => {
    expect(wasIdle(5, 250, 0.2)).toBe(true);
    expect(wasIdle(5, 250, 0.05, 1000)).toBe(true);
  });
});

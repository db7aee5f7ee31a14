import { describe, expect, it } from '@jest/globals';
import { scaledRuns, selectSections } from './bench-client.js';

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

describe('scaledRuns', () => {
  it('keeps every run at scale 1 and above, and at least one below', () => {
    expect(scaledRuns(7, 1)).toBe(7);
    expect(scaledRuns(7, 2)).toBe(7);
    expect(scaledRuns(7, 0.5)).toBe(4);
    expect(scaledRuns(7, 0.02)).toBe(1);
  });
});

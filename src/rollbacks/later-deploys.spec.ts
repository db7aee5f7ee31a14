import { describe, expect, it } from '@jest/globals';
import {
  deployDate,
  laterDeployConflicts,
  laterDeployDrift,
  laterDeployRefusal,
  newestLaterChanges,
  withChangedLaterBy,
  type LaterChange,
} from './later-deploys.js';

const change = (fullName: string, jobId: string, at: string, by: string | null = 'Release bot'): LaterChange => ({
  type: 'ApexClass',
  fullName,
  jobId,
  at: new Date(at),
  by,
});

describe('later deploys', () => {
  it('keeps the newest later change of each component, matching names case-insensitively', () => {
    const newest = newestLaterChanges([
      change('InvoiceService', 'j1', '2026-12-01T10:00:00Z'),
      change('invoiceservice', 'j2', '2026-12-01T11:00:00Z'),
      change('TaxTable', 'j3', '2026-12-01T09:00:00Z'),
    ]);
    expect(newest.get('ApexClass:invoiceservice')?.jobId).toBe('j2');
    expect(newest.get('ApexClass:taxtable')?.jobId).toBe('j3');
  });

  it('marks each candidate with the deploy that changed it later, or null', () => {
    const newest = newestLaterChanges([change('InvoiceService', 'j2', '2026-12-01T11:00:00Z')]);
    const marked = withChangedLaterBy(
      [
        { type: 'ApexClass', fullName: 'INVOICESERVICE' },
        { type: 'ApexClass', fullName: 'Other' },
      ],
      newest,
    );
    expect(marked[0]!.changedLaterBy).toEqual({
      jobId: 'j2',
      at: '2026-12-01T11:00:00.000Z',
      by: 'Release bot',
      link: '/#/jobs/j2',
    });
    expect(marked[1]!.changedLaterBy).toBeNull();
  });

  it('refuses by naming each later deploy, its date, the components and both ways out', () => {
    const newest = newestLaterChanges([
      change('A', 'j2', '2026-12-01T11:00:00Z'),
      change('B', 'j2', '2026-12-01T11:00:00Z'),
      change('C', 'j3', '2026-12-01T12:30:00Z'),
    ]);
    const conflicts = laterDeployConflicts(
      ['A', 'B', 'C', 'D'].map((fullName) => ({ type: 'ApexClass', fullName })),
      newest,
    );
    expect(conflicts.map((c) => [c.jobId, c.components.map((m) => m.fullName)])).toEqual([
      ['j3', ['C']],
      ['j2', ['A', 'B']],
    ]);
    expect(laterDeployRefusal(conflicts)).toBe(
      'ApexClass:C was changed by the later Deploy j3 on 2026-12-01 12:30 UTC; roll back that deploy first ' +
        '(POST /api/jobs/j3/rollback), or send force: true to overwrite its change. ' +
        'ApexClass:A, ApexClass:B were changed by the later Deploy j2 on 2026-12-01 11:00 UTC; roll back that deploy ' +
        'first (POST /api/jobs/j2/rollback), or send force: true to overwrite its change.',
    );
  });

  it('says how many more components a later deploy changed beyond the first three', () => {
    const names = ['A', 'B', 'C', 'D', 'E'];
    const newest = newestLaterChanges(names.map((n) => change(n, 'j2', '2026-12-01T11:00:00Z')));
    const refusal = laterDeployRefusal(
      laterDeployConflicts(
        names.map((fullName) => ({ type: 'ApexClass', fullName })),
        newest,
      ),
    );
    expect(refusal).toMatch(/^ApexClass:A, ApexClass:B, ApexClass:C and 2 more were changed by the later Deploy j2/);
  });

  it('explains a drift by the later deploy, with who ran it when known', () => {
    expect(laterDeployDrift(change('A', 'j2', '2026-12-01T11:00:00Z'))).toBe(
      'Drift: changed by the later Deploy j2 on 2026-12-01 11:00 UTC by Release bot; roll that deploy back first, ' +
        'or roll back with force to overwrite its change.',
    );
    expect(laterDeployDrift(change('A', 'j2', '2026-12-01T11:00:00Z', null))).not.toContain('UTC by');
    expect(deployDate(new Date('2026-01-02T03:04:05Z'))).toBe('2026-01-02 03:04 UTC');
  });
});

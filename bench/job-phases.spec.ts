import { describe, expect, it } from '@jest/globals';
import { JOB_CREATED } from './bench-client.js';
import { formatPhases, jobPhases, orgDeployTimes, phaseOf, reportedDurations } from './job-phases.js';

/** Log lines from [seconds since the job was created, message] pairs. */
const timed = (pairs: [number, string][]) => pairs.map(([seconds, message]) => ({ seconds, message }));

/** The deploy job's lines as docs/benchmarks.md shows them (twelfth session: the backup indexed beside the deploy). */
const deployLines = timed([
  [0.07, 'Started by worker vm:8973:11d12f'],
  [0.18, 'Deploying 10000 component(s) of revision 1'],
  [0.21, 'Backup: retrieving 10000 component(s) from the org'],
  [1.89, 'Backup 1/2: 2736 component(s) retrieved, 3272 KB zipped (waited 0.7 s for Salesforce, stored in 0.2 s)'],
  [2.07, 'Backup 2/2: 7264 component(s) retrieved, 1242 KB zipped (waited 0.3 s for Salesforce, stored in 0.0 s)'],
  [
    2.19,
    'Submitted to Salesforce as deploy 0AfbJQdPYcxnRWtSNM (9151 files, 4498 KB zipped, packaged in 0.9 s, rollbackOnError true)',
  ],
  [2.2, 'Salesforce: InProgress — Preparing the deployment'],
  [3.67, 'Indexed backup 1/2: 2736 component(s) saved, 0 not in the org (converted in 0.5 s, stored in 1.0 s)'],
  [4.2, 'Indexed backup 2/2: 7264 component(s) saved, 0 not in the org (converted in 0.9 s, stored in 0.5 s)'],
  [4.54, 'Salesforce: Succeeded'],
  [5.17, 'Snapshot sealed: 10000 component(s), checksum 9625f3b127e3…, kept until 2027-01-03'],
  [5.18, 'Finished: Completed'],
]);

const rollbackLines = timed([
  [0.24, 'Started by worker vm:24193:8e939e'],
  [0.41, 'Rolling back 8999 component(s) of deploy 326c6060-9b9f-45a6-acc7-fb690e0eb1f3'],
  [
    3.83,
    'Drift check: 8999 component(s) as the deploy left them, 0 changed in the org since (live state read in 2.5 s)',
  ],
  [3.87, 'Submitted to Salesforce as deploy 0AfNj7DC00D4ty6KGB: 8999 restore(s), 0 deletion(s)'],
  [3.88, 'Salesforce: InProgress'],
  [4.77, 'Salesforce: Succeeded'],
  [6.64, 'Verification: 8999 of 8999 component(s) match the snapshot (live state read in 1.5 s)'],
  [6.65, 'Finished: Completed'],
]);

const byName = (phases: ReturnType<typeof jobPhases>) => Object.fromEntries(phases.map((p) => [p.name, p]));

describe('jobPhases', () => {
  it('splits a deploy with backup into phases that add up to the job wall time', () => {
    const phases = jobPhases(deployLines, 5.28);
    expect(phases.map((p) => p.name)).toEqual([
      'queue wait',
      'start-up',
      'backup (retrieve, store)',
      'packaging',
      'Salesforce deploy',
      'backup index (beside the deploy)',
      'results + seal',
    ]);
    const p = byName(phases);
    expect(p['queue wait']!.seconds).toBeCloseTo(0.07);
    expect(p['start-up']!.seconds).toBeCloseTo(0.14);
    expect(p['backup (retrieve, store)']!.seconds).toBeCloseTo(1.86);
    expect(p['Salesforce deploy']!.seconds).toBeCloseTo(0.35);
    expect(p['backup index (beside the deploy)']!.seconds).toBeCloseTo(2.0);
    expect(p['results + seal']!.seconds).toBeCloseTo(0.74);
    expect(phases.reduce((sum, x) => sum + x.seconds, 0)).toBeCloseTo(5.28);
  });

  it('sums what the backup lines report about themselves, apart from the wall time', () => {
    const phases = byName(jobPhases(deployLines));
    const backup = phases['backup (retrieve, store)']!;
    expect(backup.reported).toEqual({ waited: 1.0, stored: 0.2 });
    expect(backup.lines).toBe(2);
    const index = phases['backup index (beside the deploy)']!;
    expect(index.reported.converted).toBeCloseTo(1.4);
    expect(index.reported.stored).toBeCloseTo(1.5);
    expect(phases.packaging!.reported).toEqual({ packaged: 0.9 });
  });

  it('splits a full rollback into drift check, deploy and verification', () => {
    const p = byName(jobPhases(rollbackLines, 6.65));
    expect(p['drift check']!.seconds).toBeCloseTo(3.42);
    expect(p['drift check']!.reported).toEqual({ read: 2.5 });
    expect(p['Salesforce deploy']!.seconds).toBeCloseTo(0.9);
    expect(p.verification!.seconds).toBeCloseTo(1.87);
    expect(p.verification!.reported).toEqual({ read: 1.5 });
  });

  it('puts lines it does not know in "other" and keeps reworded lines in their phase', () => {
    const p = byName(
      jobPhases([
        { seconds: 1, message: 'Backup 1/1: 10 component(s) fingerprinted and stored (waited 0.2 s for Salesforce)' },
        { seconds: 1.5, message: 'Warming the cache' },
        { seconds: 2, message: 'Finished: Completed' },
      ]),
    );
    expect(p['backup (retrieve, store)']!.seconds).toBe(1);
    expect(p['backup (retrieve, store)']!.reported).toEqual({ waited: 0.2 });
    expect(p.other!.seconds).toBeCloseTo(0.5);
  });

  it("counts the API's checks before the job existed as a phase of their own", () => {
    // the bench's line for the job's creation, 0.41 s after the request; the job's own lines come after it
    const requested = timed([
      [0.41, JOB_CREATED],
      ...rollbackLines.map((l): [number, string] => [l.seconds + 0.41, l.message]),
    ]);
    const phases = jobPhases(requested, 7.06);
    expect(phases[0]!.name).toBe('request (API checks)');
    expect(phases[0]!.seconds).toBeCloseTo(0.41);
    expect(byName(phases)['queue wait']!.seconds).toBeCloseTo(0.24);
    expect(phases.reduce((sum, x) => sum + x.seconds, 0)).toBeCloseTo(7.06);
  });

  it('takes the lines in time order whatever order they come in', () => {
    const phases = jobPhases([...deployLines].reverse(), 5.18);
    expect(phases[0]!.name).toBe('queue wait');
    expect(phases.reduce((sum, x) => sum + x.seconds, 0)).toBeCloseTo(5.18);
  });
});

describe('phaseOf', () => {
  it.each([
    ['Started by worker vm:1:abc', 'queue wait'],
    ['Backup: retrieving 5 component(s) from the org', 'start-up'],
    ['Backup 3/4: 5 component(s) retrieved, 12 KB zipped', 'backup (retrieve, store)'],
    ['Indexed backup 3/4: 5 component(s) saved', 'backup index (beside the deploy)'],
    ['Salesforce: Succeeded', 'Salesforce deploy'],
    ['Verification: 1 of 1 component(s) match the snapshot', 'verification'],
    ['Something new', 'other'],
  ])('%s → %s', (message, phase) => {
    expect(phaseOf(message)).toBe(phase);
  });
});

describe('reportedDurations', () => {
  it('reads seconds and milliseconds, and words before "in"', () => {
    expect(
      reportedDurations('waited 0.6 s for Salesforce, converted in 800 ms, fingerprinted and stored in 1.4 s'),
    ).toEqual({ waited: 0.6, converted: 0.8, stored: 1.4 });
    expect(reportedDurations('Finished: Completed')).toEqual({});
  });
});

describe('formatPhases', () => {
  it('prints one row per phase and the total', () => {
    const text = formatPhases(jobPhases(rollbackLines, 6.65));
    expect(text[0]).toMatch(/^phase/);
    expect(text.find((l) => l.startsWith('drift check'))).toMatch(/3\.42\s+51%\s+read 2\.5 s$/);
    expect(text.at(-1)).toMatch(/^total\s+6\.65$/);
  });
});

describe('orgDeployTimes', () => {
  const createdAt = '2026-12-06T05:00:00.000Z';

  it("places the org's deploy on the job's clock and finds when the job saw it done", () => {
    const times = orgDeployTimes(
      { createdDate: '2026-12-06T05:00:02.190Z', completedDate: '2026-12-06T05:00:04.350Z' },
      createdAt,
      deployLines,
    );
    expect(times).toEqual({ submitted: 2.19, completed: 4.35, seen: 4.54 });
  });

  it('has no figures for a deploy the org has not completed, and no sighting without a final status line', () => {
    expect(orgDeployTimes({ createdDate: createdAt }, createdAt, deployLines)).toBeUndefined();
    const withoutFinal = deployLines.filter((l) => !/Succeeded/.test(l.message));
    expect(
      orgDeployTimes({ createdDate: createdAt, completedDate: '2026-12-06T05:00:01.000Z' }, createdAt, withoutFinal)
        ?.seen,
    ).toBeUndefined();
  });
});

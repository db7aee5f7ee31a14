/**
 * "Where the time goes": a job's own log lines (not the per-component ones) turned into phases. Each stretch of wall
 * time between two lines goes to the phase of the line that ends it (a line reports what just finished), so the
 * phases add up to the job's wall time. Durations a line reports itself ("waited 0.6 s for Salesforce", "converted in
 * 0.8 s", "live state read in 2.5 s") are summed per phase apart: they may overlap each other and other phases.
 * Matching is loose on purpose: a reworded line still lands in its phase, an unknown one in "other".
 */

/** A job log line with the seconds since the job was requested (or created, when the bench did not request it). */
export interface TimedLine {
  seconds: number;
  message: string;
}

export interface Phase {
  name: string;
  /** Wall time between the previous line and the last line of this phase (all stretches summed). */
  seconds: number;
  /** Durations the phase's lines report themselves, summed by what they measure ("converted": 1.5). */
  reported: Record<string, number>;
  lines: number;
}

const PHASES: [RegExp, string][] = [
  [/^job created by the api\b/i, 'request (API checks)'],
  [/^started\b/i, 'queue wait'],
  [/^(deploying|rolling back)\b/i, 'start-up'],
  [/^backup\b[^:]*:\s*retrieving\b/i, 'start-up'],
  [/^backup\b/i, 'backup (retrieve, store)'],
  [/^indexed backup\b/i, 'backup index (beside the deploy)'],
  [/^drift\b/i, 'drift check'],
  [/^submitted\b/i, 'packaging'],
  [/^salesforce\b/i, 'Salesforce deploy'],
  [/^verif/i, 'verification'],
  [/^(snapshot|finished)\b/i, 'results + seal'],
];

/** The phase a job log line closes: the first pattern its message matches, else "other". */
export function phaseOf(message: string): string {
  return PHASES.find(([pattern]) => pattern.test(message.trim()))?.[1] ?? 'other';
}

/**
 * Durations a message reports: "waited 0.6 s for Salesforce" → waited, "<word> in 0.8 s" → that word ("converted",
 * "stored", "packaged", "read"). Milliseconds ("in 800 ms") count too.
 */
export function reportedDurations(message: string): Record<string, number> {
  const found: Record<string, number> = {};
  const add = (label: string, value: string, unit: string) => {
    found[label] = (found[label] ?? 0) + Number(value) / (unit === 'ms' ? 1000 : 1);
  };
  for (const m of message.matchAll(/\bwaited (\d+(?:\.\d+)?) ?(ms|s)\b/gi)) add('waited', m[1]!, m[2]!);
  for (const m of message.matchAll(/\b([a-z]+) in (\d+(?:\.\d+)?) ?(ms|s)\b/gi)) add(m[1]!.toLowerCase(), m[2]!, m[3]!);
  return found;
}

/**
 * Phases in the order they first appear. `totalSeconds` (the job's wall time, if known) gives the stretch after the
 * last line to the last line's phase.
 */
export function jobPhases(lines: TimedLine[], totalSeconds?: number): Phase[] {
  const phases = new Map<string, Phase>();
  let previous = 0;
  let last: Phase | undefined;
  for (const line of [...lines].sort((a, b) => a.seconds - b.seconds)) {
    const name = phaseOf(line.message);
    const phase = phases.get(name) ?? { name, seconds: 0, reported: {}, lines: 0 };
    phases.set(name, phase);
    phase.seconds += Math.max(0, line.seconds - previous);
    phase.lines++;
    for (const [label, value] of Object.entries(reportedDurations(line.message)))
      phase.reported[label] = (phase.reported[label] ?? 0) + value;
    previous = Math.max(previous, line.seconds);
    last = phase;
  }
  if (last && totalSeconds !== undefined) last.seconds += Math.max(0, totalSeconds - previous);
  return [...phases.values()];
}

/** The phases as an aligned text table: phase, wall seconds, share of the total, what the lines reported. */
export function formatPhases(phases: Phase[]): string[] {
  const total = phases.reduce((sum, p) => sum + p.seconds, 0);
  const width = Math.max(5, ...phases.map((p) => p.name.length));
  const reported = (p: Phase) =>
    Object.entries(p.reported)
      .map(([label, value]) => `${label} ${value.toFixed(1)} s`)
      .join(', ');
  return [
    `${'phase'.padEnd(width)}  wall s  share  reported by its lines (may overlap)`,
    ...phases.map((p) =>
      `${p.name.padEnd(width)}  ${p.seconds.toFixed(2).padStart(6)}  ${`${total ? Math.round((100 * p.seconds) / total) : 0}%`.padStart(5)}  ${reported(p)}`.trimEnd(),
    ),
    `${'total'.padEnd(width)}  ${total.toFixed(2).padStart(6)}`,
  ];
}

/** When the org ran a deploy, as it records it (ISO times), and when the job's log says it saw the deploy done. */
export interface OrgDeployTimes {
  /** Seconds since the job was requested (the origin of its lines). */
  submitted: number;
  completed: number;
  /** The job's first "Salesforce: <final status>" line; undefined when it has none. */
  seen: number | undefined;
}

const FINAL_STATUS = /^salesforce:\s*(succeeded|succeededpartial|failed|canceled)\b/i;

/**
 * The org's side of a job's deploy: when Salesforce (the emulator) created and completed it, against when the job
 * was requested (`jobStart`), and when the job's polls saw it done — the difference is what polling costs the job.
 */
export function orgDeployTimes(
  deploy: { createdDate: string; completedDate?: string },
  jobStart: string,
  lines: TimedLine[],
): OrgDeployTimes | undefined {
  if (!deploy.completedDate) return undefined;
  const since = (iso: string) => (Date.parse(iso) - Date.parse(jobStart)) / 1000;
  return {
    submitted: since(deploy.createdDate),
    completed: since(deploy.completedDate),
    seen: lines.find((l) => FINAL_STATUS.test(l.message.trim()))?.seconds,
  };
}

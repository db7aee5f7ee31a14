import fs from 'node:fs/promises';
import jsforce from 'jsforce';
import type { RetrieveResult } from 'jsforce/lib/api/metadata.js';
import type { TimedLine } from './job-phases.js';

/** A minimal REST client for the service under test. */
export class ApiClient {
  constructor(
    readonly url: string,
    private readonly token: string,
  ) {}

  async call(method: string, route: string, body?: unknown): Promise<any> {
    const isZip = Buffer.isBuffer(body);
    const res = await fetch(this.url + route, {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        ...(body !== undefined ? { 'content-type': isZip ? 'application/zip' : 'application/json' } : {}),
      },
      body: body === undefined ? undefined : isZip ? new Uint8Array(body) : JSON.stringify(body),
    });
    const json = await res.json();
    if (res.status >= 400) throw new Error(`${method} ${route} → ${res.status}: ${JSON.stringify(json)}`);
    return json;
  }

  /**
   * Polls a job every 100 ms until it finishes, as a CI poller does (and the CLI, once a second): with the ETag of
   * the last answer, so an unchanged job costs a 304 and no body. Returns the finished job.
   */
  async waitForJob(id: string, timeoutMs = 15 * 60_000): Promise<any> {
    const deadline = Date.now() + timeoutMs;
    let etag: string | null = null;
    let job: any;
    for (;;) {
      const res = await fetch(`${this.url}/api/jobs/${id}`, {
        headers: { authorization: `Bearer ${this.token}`, ...(etag ? { 'if-none-match': etag } : {}) },
      });
      if (res.status === 304) await res.arrayBuffer();
      else if (res.status === 200) [job, etag] = [await res.json(), res.headers.get('etag')];
      else throw new Error(`GET /api/jobs/${id} → ${res.status}: ${await res.text()}`);
      if (job.status === 'Completed' || job.status === 'Exception') return job;
      if (Date.now() > deadline) throw new Error(`job ${id} still ${job.status}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /**
   * Starts a job (`POST route`) and waits for it as a CI pipeline does: the finished job, with `sentAt` (ISO) — when
   * the request went out. The API checks a request before the job exists (its `createdAt`), so a job's wall time is
   * counted from `sentAt`, as the pipeline waits for it.
   */
  async runJob(route: string, body: unknown): Promise<any> {
    const sentAt = new Date().toISOString();
    const job = await this.waitForJob((await this.call('POST', route, body)).id);
    return { ...job, sentAt };
  }

  /**
   * The job's own log lines (not the per-component ones), each with the seconds since the job was requested (see
   * `jobStart`), after a line of the bench's own for when the API created the job, when it was requested earlier.
   */
  async jobLines(job: TimedJob & { id: string }): Promise<TimedLine[]> {
    const since = (iso: string) => (Date.parse(iso) - Date.parse(jobStart(job))) / 1000;
    const lines: TimedLine[] = job.sentAt ? [{ seconds: since(job.createdAt), message: JOB_CREATED }] : [];
    for (let after = 0; ;) {
      const page = await this.call('GET', `/api/jobs/${job.id}/logs?after=${after}&limit=5000`);
      for (const line of page.items)
        if (!line.component) lines.push({ seconds: since(line.at), message: line.message });
      if (page.items.length < 5000) return lines;
      after = page.nextAfter;
    }
  }
}

/** The bench's own line in a job's timeline: the API has checked the request and created the job. */
export const JOB_CREATED = 'Job created by the API (the request checked)';

/** A job as the bench times it: `sentAt` when the bench requested it (`runJob`). */
export interface TimedJob {
  createdAt: string;
  finishedAt: string;
  sentAt?: string;
}

/** When a job's time starts: when it was requested (`runJob`), else when the API created it. */
export function jobStart(job: TimedJob): string {
  return job.sentAt ?? job.createdAt;
}

/** A job's wall time: from its request (`runJob`; else its creation) to its end. */
export function jobSeconds(job: TimedJob): number {
  return (Date.parse(job.finishedAt) - Date.parse(jobStart(job))) / 1000;
}

/** Bare jsforce: deploy a zip and poll until done (the baseline Backtrack is compared with). */
export async function bareDeploy(conn: jsforce.Connection, zip: Buffer): Promise<void> {
  const { id } = await conn.metadata.deploy(zip, { singlePackage: true, rollbackOnError: true });
  for (;;) {
    const status = await conn.metadata.checkDeployStatus(id, false);
    if (String(status.done) === 'true') {
      if (String(status.success) !== 'true') throw new Error(`baseline deploy failed: ${status.status}`);
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Bare jsforce: retrieve members (already split into chunks under the limits) and poll each until done. */
export async function bareRetrieve(
  conn: jsforce.Connection,
  chunks: { type: string; fullName: string }[][],
  apiVersion: string,
): Promise<number> {
  let bytes = 0;
  for (const chunk of chunks) {
    const types = new Map<string, string[]>();
    for (const m of chunk) types.set(m.type, [...(types.get(m.type) ?? []), m.fullName]);
    const { id } = await conn.metadata.retrieve({
      apiVersion,
      singlePackage: true,
      unpackaged: { types: [...types].map(([name, members]) => ({ name, members })), version: apiVersion },
    } as never);
    for (;;) {
      // Salesforce leaves zipFile out of a retrieve that holds nothing, though jsforce types it as always there.
      const status: Partial<RetrieveResult> = await conn.metadata.checkRetrieveStatus(id);
      if (String(status.done) === 'true') {
        bytes += Buffer.from(status.zipFile ?? '', 'base64').length;
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return bytes;
}

/** Requests per second that `concurrency` sequential loops get from a URL in `seconds`. */
export async function measureRps(
  url: string,
  headers: Record<string, string>,
  concurrency: number,
  seconds: number,
): Promise<{ rps: number; statuses: Record<number, number> }> {
  const until = Date.now() + seconds * 1000;
  const statuses: Record<number, number> = {};
  let count = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < until) {
        const res = await fetch(url, { headers });
        await res.arrayBuffer();
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
        count++;
      }
    }),
  );
  return { rps: Math.round(count / seconds), statuses };
}

/** Peak resident memory of a process (VmHWM), in MB. */
export async function peakRssMb(pid: number): Promise<number> {
  return Math.round((await procStatusKb(pid, 'VmHWM')) / 1024);
}

async function procStatusKb(pid: number, field: 'VmHWM' | 'VmRSS'): Promise<number> {
  const status = await fs.readFile(`/proc/${pid}/status`, 'utf8');
  return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
}

/**
 * Measures a process's peak resident memory from now on: resets its high-water mark (VmHWM) by writing 5 to
 * /proc/<pid>/clear_refs, so what `stop` reads is the peak since the start, not since the process started. Where the
 * reset is refused or does not take, RSS is sampled every 20 ms instead and `stop` returns the largest sample.
 */
export async function startPeakRss(
  pid: number,
): Promise<{ how: string; startMb: number; stop: () => Promise<number> }> {
  const startMb = Math.round((await procStatusKb(pid, 'VmRSS')) / 1024);
  const reset = await fs
    .writeFile(`/proc/${pid}/clear_refs`, '5')
    .then(async () => (await procStatusKb(pid, 'VmHWM')) <= (await procStatusKb(pid, 'VmRSS')) * 1.05 + 1024)
    .catch(() => false);
  if (reset) return { how: 'VmHWM after a reset', startMb, stop: async () => peakRssMb(pid) };
  let max = await procStatusKb(pid, 'VmRSS');
  const timer = setInterval(() => {
    procStatusKb(pid, 'VmRSS').then(
      (kb) => (max = Math.max(max, kb)),
      () => undefined,
    );
  }, 20);
  return {
    how: 'largest RSS sampled every 20 ms',
    startMb,
    stop: async () => {
      clearInterval(timer);
      max = Math.max(max, await procStatusKb(pid, 'VmRSS'));
      return Math.round(max / 1024);
    },
  };
}

/** CPU seconds a process's threads used, by kind (from /proc/<pid>/task/<tid>/stat). */
export interface CpuSeconds {
  /** The main thread: the event loop (API, jobs) and its share of garbage collection. */
  main: number;
  /** The embedded database's worker thread (PGlite); 0 on PostgreSQL. */
  database: number;
  /** V8's helper threads: parallel and concurrent garbage collection (both isolates), compilation. */
  helpers: number;
  /** libuv's thread pool (zlib, crypto, file system). */
  pool: number;
  total: number;
  /** Of the total, the time spent in the kernel for the process (system calls, page faults), all threads. */
  kernel: number;
}

type ThreadKind = Exclude<keyof CpuSeconds, 'total' | 'kernel'>;

/**
 * A task's name, its user + system time and its system time alone in clock ticks, from its /proc stat line (the name
 * may hold spaces).
 */
function parseStat(stat: string): { name: string; ticks: number; systemTicks: number } {
  const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
  // the fields after the name: state is the 3rd of the whole line, utime the 14th and stime the 15th
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { name, ticks: Number(fields[11]) + Number(fields[12]), systemTicks: Number(fields[12]) };
}

/**
 * Which thread is which. libuv's pool threads are named; V8's helper threads and a worker thread are all "node".
 * V8's helpers start with the process, before any code runs, so the embedded database's worker thread (when the
 * service runs one) is the "node" thread with the highest id.
 */
export function threadKinds(
  pid: number,
  tasks: { tid: number; stat: string }[],
  embeddedDatabase: boolean,
): Map<number, ThreadKind> {
  const named = tasks.map((t) => ({ tid: t.tid, name: parseStat(t.stat).name }));
  const others = named.filter((t) => t.tid !== pid && t.name === 'node').map((t) => t.tid);
  const database = embeddedDatabase && others.length ? Math.max(...others) : undefined;
  return new Map(
    named.map(({ tid, name }) => [
      tid,
      tid === pid ? 'main' : name.startsWith('libuv-worker') ? 'pool' : tid === database ? 'database' : 'helpers',
    ]),
  );
}

const noCpu = (): CpuSeconds => ({ main: 0, database: 0, helpers: 0, pool: 0, total: 0, kernel: 0 });

/** Sums /proc task times (utime + stime, in clock ticks) into `CpuSeconds` by `kinds`; parsed apart for its spec. */
export function cpuByThread(
  tasks: { tid: number; stat: string }[],
  kinds: Map<number, ThreadKind>,
  ticksPerSecond = 100,
): CpuSeconds {
  const out = noCpu();
  for (const { tid, stat } of tasks) {
    const { ticks, systemTicks } = parseStat(stat);
    out[kinds.get(tid) ?? 'helpers'] += ticks / ticksPerSecond;
    out.total += ticks / ticksPerSecond;
    out.kernel += systemTicks / ticksPerSecond;
  }
  return out;
}

async function readTasks(pid: number): Promise<{ tid: number; stat: string }[]> {
  const tasks: { tid: number; stat: string }[] = [];
  for (const tid of (await fs.readdir(`/proc/${pid}/task`)).map(Number)) {
    const stat = await fs.readFile(`/proc/${pid}/task/${tid}/stat`, 'utf8').catch(() => null);
    if (stat !== null) tasks.push({ tid, stat });
  }
  return tasks;
}

/**
 * The CPU time a process spends from now on, by kind of thread (threads that end in between are not counted).
 * Unlike wall time, it does not grow when other processes take the same cores: it shows the work itself.
 * `embeddedDatabase`: the process runs PGlite in a worker thread (the service on its embedded default).
 */
export async function startCpu(pid: number, embeddedDatabase: boolean): Promise<{ stop: () => Promise<CpuSeconds> }> {
  const before = await readTasks(pid);
  const kinds = threadKinds(pid, before, embeddedDatabase);
  return {
    stop: async () => {
      // the threads alive at both ends, each counted from its time at the start
      const now = (await readTasks(pid)).filter((t) => kinds.has(t.tid));
      const alive = new Set(now.map((t) => t.tid));
      const used = cpuByThread(now, kinds);
      const earlier = cpuByThread(
        before.filter((t) => alive.has(t.tid)),
        kinds,
      );
      for (const k of Object.keys(used) as (keyof CpuSeconds)[]) used[k] -= earlier[k];
      return used;
    },
  };
}

/** "9.8 s (main thread 4.1, database thread 2.0, V8 helper threads 3.0, thread pool 0.7; 1.2 s in the kernel)". */
export function formatCpu(cpu: CpuSeconds): string {
  const s = (x: number) => x.toFixed(1);
  const database = cpu.database ? `, database thread ${s(cpu.database)}` : '';
  return `${s(cpu.total)} s (main thread ${s(cpu.main)}${database}, V8 helper threads ${s(cpu.helpers)}, thread pool ${s(cpu.pool)}; ${s(cpu.kernel)} s in the kernel)`;
}

/** How a bench section adds a row to the table `npm run bench` prints. */
export type Row = (measure: string, value: string, reference: string, verdict: string) => void;

/** The middle value of some runs (the upper one of an even count). */
export const median = (values: number[]) => medianRun(values, (v) => v);

/** The run whose `value` is the median, as `median` picks it: its other parts are that one run's own. */
export const medianRun = <T>(runs: T[], value: (run: T) => number): T =>
  [...runs].sort((a, b) => value(a) - value(b))[Math.floor(runs.length / 2)]!;

/**
 * ` (median of 3.19 s, 3.14 s, 2.80 s)` after a median of several runs, in the order they ran; nothing for one.
 * `after`: how many of them (the last) ran after the job they are the reference of, said apart.
 */
export function runsNote(ms: number[], after = 0): string {
  if (ms.length < 2) return '';
  const list = (runs: number[]) => runs.map((v) => `${(v / 1000).toFixed(2)} s`).join(', ');
  const split = ms.length - Math.min(after, ms.length);
  if (after === 0) return ` (median of ${list(ms)})`;
  if (split === 0) return ` (median of ${list(ms)}, all after the job)`;
  return ` (median of ${list(ms.slice(0, split))} before the job and ${list(ms.slice(split))} after it)`;
}

/**
 * Whether a process was idle over a stretch: it used at most `share` of one core (`ticks` of CPU, at
 * `ticksPerSecond`, in `ms` of wall time).
 */
export const wasIdle = (ticks: number, ms: number, share = 0.05, ticksPerSecond = 100) =>
  ticks / ticksPerSecond <= (ms / 1000) * share;

/**
 * Waits until a process has been idle (`wasIdle`) for `windowMs`, or `maxMs` passed: a reference measured right
 * after a job then does not share the cores with the job's last writes. Says whether it became idle, and how long
 * it waited.
 */
export async function waitForIdle(
  pid: number,
  windowMs = 250,
  maxMs = 5000,
): Promise<{ idle: boolean; waitedMs: number }> {
  const start = Date.now();
  const ticks = async () => (await readTasks(pid)).reduce((sum, t) => sum + parseStat(t.stat).ticks, 0);
  let before = await ticks();
  while (Date.now() - start < maxMs) {
    const from = Date.now();
    await new Promise((r) => setTimeout(r, windowMs));
    const now = await ticks();
    if (wasIdle(now - before, Date.now() - from)) return { idle: true, waitedMs: Date.now() - start };
    before = now;
  }
  return { idle: false, waitedMs: Date.now() - start };
}

/** BENCH_SCALE: 1 runs the sizes of DESIGN.md's targets; 0.02 is the CI smoke run. */
export const SCALE = Number(process.env.BENCH_SCALE ?? 1);

/** How many runs a median takes at this scale: all of them at scale 1, fewer (at least one) below. */
export const scaledRuns = (runs: number, scale = SCALE) => Math.max(1, Math.round(runs * Math.min(1, scale)));

/**
 * The sections BENCH_ONLY names (a comma list), in the order of `all`; every section when it is unset or empty. An
 * unknown name is an error that lists the known ones.
 */
export function selectSections<T extends string>(only: string | undefined, all: readonly T[]): T[] {
  const names = (only ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  const unknown = names.filter((name) => !all.includes(name as T));
  if (unknown.length) throw new Error(`BENCH_ONLY: unknown section(s) ${unknown.join(', ')}; known: ${all.join(', ')}`);
  return names.length ? all.filter((s) => names.includes(s)) : [...all];
}

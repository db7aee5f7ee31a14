import { type MemberRef, type ResolvedComponent } from '../salesforce/component.types.js';
import { componentKey } from '../salesforce/component-key.js';
import { chunkMembers, MAX_FILES_PER_OPERATION, MAX_ZIPPED_BYTES } from '../salesforce/limits.js';
import type { MetadataSession, RetrieveStatus } from '../salesforce/metadata-api.gateway.js';
import { parseMissingMessages, splitRetrievedZip, type SplitOptions } from '../salesforce/retrieve-split.js';
import { nextTurn } from '../common/concurrency.js';
import { pollDelayMs, sleep } from '../common/polling.js';
import { isProfileLike } from '../common/profile-xml.js';
import { mergeProfileReads } from './profile-backup.js';

export interface RetrieveTarget {
  ref: MemberRef;
  /** Expected size, to keep each retrieve under the Metadata API limits. */
  fileCount: number;
  bytes: number;
}

export interface RetrievedChunk {
  /** Time spent waiting for Salesforce to finish this retrieve, and converting its zip to source format. */
  retrieveMs?: number;
  splitMs?: number;
  /** Profiles were read with this chunk (in every chunk): they are held back and reported merged with the last. */
  holdsProfiles?: boolean;
  found: ResolvedComponent[];
  missing: MemberRef[];
}

/** One retrieve as Salesforce returned it: what it asked for, the zip (the bytes themselves) and its messages. */
export interface RetrievedZip {
  members: MemberRef[];
  /** Members asked for only for the profiles' sake (companions): read, never reported. */
  unreported: MemberRef[];
  zip: Buffer;
  messages: RetrieveStatus['messages'];
  /** Time spent waiting for Salesforce to finish this retrieve. */
  retrieveMs?: number;
}

interface RetrieveOptions {
  signal?: AbortSignal;
  pollCeilingMs: number;
  /**
   * Called once the first retrieve is submitted: the org is busy preparing it, so local work can start while the
   * others are submitted (an org that builds the first retrieve's zip before it answers the next submission would
   * otherwise hold that work back for as long as the build takes).
   */
  onSubmitted?: () => void;
  /**
   * Components retrieved with the profiles and permission sets among the targets (Salesforce returns their
   * elements about these only) but not reported. Profiles go into every retrieve, their reads merged element by
   * element and reported with the last chunk.
   */
  companions?: RetrieveTarget[];
}

/**
 * Reads components' live state from an org: as many retrieves as the 10,000-file / 39 MB limits need — all
 * submitted at once, so Salesforce prepares the later ones while earlier ones are converted — each polled to
 * completion and split into source-format components, the next while `onChunk` handles the last. `onChunk` sees
 * each chunk in order (so a caller can persist progress and resume); a member the org "cannot find" is reported
 * missing, not as a failure. The found components of every chunk are also returned together, unless `collect` is
 * false (a caller that handles each chunk in `onChunk` keeps memory to about two chunks).
 */
export async function retrieveComponents(
  session: MetadataSession,
  targets: RetrieveTarget[],
  options: RetrieveOptions & {
    /** How found components are returned (see `splitRetrievedZip`): `stored` for metadata-format snapshots. */
    format?: SplitOptions['format'];
    onChunk?: (chunk: RetrievedChunk, index: number, of: number) => Promise<void> | void;
    /** false: return no components (`onChunk` saw them), only the missing members. Default true. */
    collect?: boolean;
  },
): Promise<RetrievedChunk> {
  const fetch = await submitRetrieves(session, targets, options);
  const all: RetrievedChunk = { found: [], missing: [] };
  await indexRetrieved(fetch.count, fetch.zip, {
    ...options,
    onChunk: async (chunk, index, of) => {
      await options.onChunk?.(chunk, index, of);
      if (options.collect !== false) all.found.push(...chunk.found);
      all.missing.push(...chunk.missing);
    },
  });
  return all;
}

/**
 * As `retrieveComponents`, but each retrieve is handed over as Salesforce returned it (`onRetrieved`, in order,
 * the next polled meanwhile): what a backup stores before anything is deployed, to index later (`indexRetrieved`).
 */
export async function fetchRetrieves(
  session: MetadataSession,
  targets: RetrieveTarget[],
  options: RetrieveOptions & { onRetrieved: (zip: RetrievedZip, index: number, of: number) => Promise<void> },
): Promise<void> {
  const fetch = await submitRetrieves(session, targets, options);
  await inOrder(fetch.count, { fetch: fetch.zip, prepare: (zip) => zip, handle: options.onRetrieved }, options.signal);
}

/**
 * The chunks of stored retrieves (`load`, by position) as `retrieveComponents` reports them: split, missing members
 * found in the messages, companions left out, profiles read across chunks merged and reported with the last.
 */
export async function indexRetrieved(
  count: number,
  load: (index: number) => Promise<RetrievedZip>,
  options: {
    signal?: AbortSignal;
    format?: SplitOptions['format'];
    onChunk: (chunk: RetrievedChunk, index: number, of: number) => Promise<void> | void;
  },
): Promise<void> {
  const profileReads = new Map<string, ResolvedComponent[]>();
  await inOrder(
    count,
    {
      fetch: load,
      prepare: (zip) => splitRetrieved(zip, options.format),
      handle: (chunk, index, of) =>
        options.onChunk(chunk.holdsProfiles ? holdProfiles(chunk, profileReads, index === of - 1) : chunk, index, of),
    },
    options.signal,
  );
}

/**
 * Submits the retrieves the targets need (the first, then the others at once); `zip(i)` polls the i-th to completion
 * as soon as it is submitted, not once all are: an org that is still answering a later submission (the emulator
 * builds each retrieve as it accepts it) does not hold back the first zip. A submission that failed fails the polls
 * still running at their next check.
 */
async function submitRetrieves(
  session: MetadataSession,
  targets: RetrieveTarget[],
  options: RetrieveOptions,
): Promise<{ count: number; zip: (index: number) => Promise<RetrievedZip> }> {
  const { chunks, reported } = planChunks(targets, options.companions ?? []);
  const [first, ...others] = chunks;
  const ids: Promise<string>[] = first ? [Promise.resolve(await session.startRetrieve(first))] : [];
  let refused: Error | undefined;
  for (const refs of others) {
    const submitting = session.startRetrieve(refs);
    // thrown by the polls (and by its own zip)
    submitting.catch((error: unknown) => (refused ??= error instanceof Error ? error : new Error(String(error))));
    ids.push(submitting);
  }
  options.onSubmitted?.();
  const checked = async (id: string): Promise<RetrieveStatus> => {
    if (refused) throw refused;
    return session.checkRetrieve(id);
  };
  const zip = async (index: number): Promise<RetrievedZip> => {
    const members = chunks[index]!;
    const id = await ids[index]!;
    const waitStart = Date.now();
    let attempt = 0;
    let status = await checked(id);
    while (!status.done) {
      await sleep(pollDelayMs(attempt++, options.pollCeilingMs), options.signal);
      status = await checked(id);
    }
    if (!status.success || !status.zip) {
      const problem = status.messages.map((m) => m.problem).join('; ') || `status ${status.status}`;
      throw new Error(`Salesforce could not retrieve ${members.length} component(s): ${problem}`);
    }
    return {
      members,
      unreported: members.filter((m) => !reported.has(componentKey(m))),
      zip: status.zip,
      messages: status.messages,
      retrieveMs: Date.now() - waitStart,
    };
  };
  return { count: chunks.length, zip };
}

/** A retrieve's zip as components: found (companions left out) and missing (per the zip and the messages). */
async function splitRetrieved(retrieved: RetrievedZip, format: SplitOptions['format']): Promise<RetrievedChunk> {
  const splitStart = Date.now();
  const { members, zip, messages } = retrieved;
  const split = await splitRetrievedZip(zip, members, { format: format ?? 'source' });
  const missingKeys = new Set([...split.missing, ...parseMissingMessages(messages)].map(componentKey));
  const unreported = new Set(retrieved.unreported.map(componentKey));
  const wanted = (ref: MemberRef) => !unreported.has(componentKey(ref));
  return {
    retrieveMs: retrieved.retrieveMs,
    splitMs: Date.now() - splitStart,
    holdsProfiles: members.some((m) => isProfileLike(m.type)),
    found: split.components.filter((c) => !missingKeys.has(componentKey(c)) && wanted(c)),
    missing: members.filter((r) => missingKeys.has(componentKey(r)) && wanted(r)),
  };
}

/**
 * Fetches, prepares and hands on `count` items in order, the three overlapping: fetch k is asked for once fetch k−1
 * is in and item k−2 was handled; item k is prepared once it is fetched and item k−1 was handed on. So while one item
 * is handled, only the next is fetched and prepared (as many in memory as when fetching waited for the preparing),
 * and the fetch after it is asked for the moment the handling ends, not after the next one's preparing.
 */
async function inOrder<F, T>(
  count: number,
  stages: {
    fetch: (index: number) => Promise<F>;
    prepare: (fetched: F, index: number) => Promise<T> | T;
    handle: (item: T, index: number, of: number) => Promise<void> | void;
  },
  signal: AbortSignal | undefined,
): Promise<void> {
  const fetches = new Map<number, Promise<F>>();
  let asked = 0;
  let fetched = 0;
  let handled = 0;
  const askNext = (): void => {
    if (asked >= count || asked > fetched || asked > handled + 1) return;
    const index = asked++;
    const fetching = stages.fetch(index);
    fetches.set(index, fetching);
    // a failed fetch is thrown when its turn comes; nothing after it is asked for
    fetching.then(
      () => {
        fetched++;
        askNext();
      },
      () => undefined,
    );
  };
  const prepared = async (index: number): Promise<T> => {
    const fetching = fetches.get(index)!; // asked for: fetch index−1 was in and item index−2 handled
    fetches.delete(index);
    const item = await fetching;
    await nextTurn(); // the fetch just asked for goes out before preparing
    return stages.prepare(item, index);
  };
  askNext();
  let next: Promise<T> | undefined = count ? prepared(0) : undefined;
  for (let index = 0; next; index++) {
    signal?.throwIfAborted();
    const item = await next;
    next = index + 1 < count ? prepared(index + 1) : undefined;
    next?.catch(() => undefined);
    await stages.handle(item, index, count);
    handled++;
    askNext();
  }
}

/**
 * The retrieves to make: the targets in chunks under the limits, or — when profiles or permission sets are among
 * them — the other targets and the companions in chunks, each with every profile (so that each chunk returns the
 * profile's elements about that chunk's components). `reported`: the keys the caller asked for.
 */
export function planChunks(
  targets: RetrieveTarget[],
  companions: RetrieveTarget[],
): { chunks: MemberRef[][]; reported: Set<string> } {
  const reported = new Set(targets.map((t) => componentKey(t.ref)));
  const limits = { maxFiles: MAX_FILES_PER_OPERATION, maxBytes: MAX_ZIPPED_BYTES };
  const profiles = targets.filter((t) => isProfileLike(t.ref.type));
  if (profiles.length === 0) return { chunks: chunkMembers(targets, limits), reported };
  const others = new Map<string, RetrieveTarget>();
  for (const t of [...targets, ...companions]) {
    if (!isProfileLike(t.ref.type) && !others.has(componentKey(t.ref))) others.set(componentKey(t.ref), t);
  }
  const everyChunk = profiles.map((p) => p.ref);
  const rest = chunkMembers([...others.values()], {
    maxFiles: limits.maxFiles - profiles.reduce((n, p) => n + p.fileCount, 0),
    maxBytes: limits.maxBytes - profiles.reduce((n, p) => n + p.bytes, 0),
  });
  const chunks = rest.length ? rest.map((refs) => [...everyChunk, ...refs]) : [everyChunk];
  return { chunks, reported };
}

/** Keeps each chunk's profile reads back until the last chunk, which reports them merged (missing: from the last). */
function holdProfiles(chunk: RetrievedChunk, reads: Map<string, ResolvedComponent[]>, last: boolean): RetrievedChunk {
  for (const c of chunk.found.filter((f) => isProfileLike(f.type))) {
    reads.set(componentKey(c), [...(reads.get(componentKey(c)) ?? []), c]);
  }
  const found = chunk.found.filter((f) => !isProfileLike(f.type));
  const missing = chunk.missing.filter((m) => !isProfileLike(m.type) || last);
  if (!last) return { ...chunk, found, missing };
  const merged = [...reads.values()].map((same) => ({
    ...same[0]!,
    files: mergeProfileReads(same.map((c) => c.files)),
  }));
  return { ...chunk, found: [...found, ...merged], missing };
}

import { type MemberRef, type ResolvedComponent } from '../salesforce/component.types.js';
import { componentKey } from '../salesforce/component-key.js';
import { chunkMembers, MAX_FILES_PER_OPERATION, MAX_ZIPPED_BYTES } from '../salesforce/limits.js';
import type { MetadataSession } from '../salesforce/metadata-api.gateway.js';
import { parseMissingMessages, splitRetrievedZip, type SplitOptions } from '../salesforce/retrieve-split.js';
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
  found: ResolvedComponent[];
  missing: MemberRef[];
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
  options: {
    signal?: AbortSignal;
    pollCeilingMs: number;
    /** How found components are returned (see `splitRetrievedZip`): `stored` for metadata-format snapshots. */
    format?: SplitOptions['format'];
    /** Called once every retrieve is submitted: the org is busy preparing them, so local work can start. */
    onSubmitted?: () => void;
    onChunk?: (chunk: RetrievedChunk, index: number, of: number) => Promise<void> | void;
    /** false: return no components (`onChunk` saw them), only the missing members. Default true. */
    collect?: boolean;
    /**
     * Components retrieved with the profiles and permission sets among the targets (Salesforce returns their
     * elements about these only) but not reported. Profiles go into every retrieve, their reads merged element by
     * element and reported with the last chunk.
     */
    companions?: RetrieveTarget[];
  },
): Promise<RetrievedChunk> {
  const plan = planChunks(targets, options.companions ?? []);
  const { chunks, reported } = plan;
  const all: RetrievedChunk = { found: [], missing: [] };
  const ids: string[] = [];
  for (const refs of chunks) ids.push(await session.startRetrieve(refs));
  options.onSubmitted?.();
  const fetchChunk = async (index: number): Promise<RetrievedChunk> => {
    const refs = chunks[index]!;
    const id = ids[index]!;
    const waitStart = Date.now();
    let attempt = 0;
    let status = await session.checkRetrieve(id);
    while (!status.done) {
      await sleep(pollDelayMs(attempt++, options.pollCeilingMs), options.signal);
      status = await session.checkRetrieve(id);
    }
    if (!status.success || !status.zip) {
      const problem = status.messages.map((m) => m.problem).join('; ') || `status ${status.status}`;
      throw new Error(`Salesforce could not retrieve ${refs.length} component(s): ${problem}`);
    }
    const retrievedAt = Date.now();
    const split = await splitRetrievedZip(status.zip, refs, { format: options.format ?? 'source' });
    const splitMs = Date.now() - retrievedAt;
    const missingKeys = new Set([...split.missing, ...parseMissingMessages(status.messages)].map(componentKey));
    const wanted = (ref: MemberRef) => reported.has(componentKey(ref));
    return {
      retrieveMs: retrievedAt - waitStart,
      splitMs,
      found: split.components.filter((c) => !missingKeys.has(componentKey(c)) && wanted(c)),
      missing: refs.filter((r) => missingKeys.has(componentKey(r)) && wanted(r)),
    };
  };
  // While the caller stores one chunk, the next is fetched and converted (at most two chunks in memory).
  let next: Promise<RetrievedChunk> | undefined = chunks.length ? fetchChunk(0) : undefined;
  const profileReads = new Map<string, ResolvedComponent[]>();
  for (let index = 0; next; index++) {
    options.signal?.throwIfAborted();
    let result: RetrievedChunk = await next;
    next = index + 1 < chunks.length ? fetchChunk(index + 1) : undefined;
    next?.catch(() => undefined);
    if (plan.everyChunk.length) result = holdProfiles(result, profileReads, index === chunks.length - 1);
    await options.onChunk?.(result, index, chunks.length);
    if (options.collect !== false) all.found.push(...result.found);
    all.missing.push(...result.missing);
  }
  return all;
}

/**
 * The retrieves to make: the targets in chunks under the limits, or — when profiles or permission sets are among
 * them — the other targets and the companions in chunks, each with every profile (so that each chunk returns the
 * profile's elements about that chunk's components). `reported`: the keys the caller asked for.
 */
export function planChunks(
  targets: RetrieveTarget[],
  companions: RetrieveTarget[],
): { chunks: MemberRef[][]; everyChunk: MemberRef[]; reported: Set<string> } {
  const reported = new Set(targets.map((t) => componentKey(t.ref)));
  const limits = { maxFiles: MAX_FILES_PER_OPERATION, maxBytes: MAX_ZIPPED_BYTES };
  const profiles = targets.filter((t) => isProfileLike(t.ref.type));
  if (profiles.length === 0) return { chunks: chunkMembers(targets, limits), everyChunk: [], reported };
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
  return { chunks, everyChunk, reported };
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

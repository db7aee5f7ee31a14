import { type MemberRef, type ResolvedComponent } from '../salesforce/component.types.js';
import { componentKey } from '../salesforce/component-key.js';
import { chunkMembers, MAX_FILES_PER_OPERATION, MAX_ZIPPED_BYTES } from '../salesforce/limits.js';
import type { MetadataSession } from '../salesforce/metadata-api.gateway.js';
import { parseMissingMessages, splitRetrievedZip, type SplitOptions } from '../salesforce/retrieve-split.js';
import { pollDelayMs, sleep } from '../common/polling.js';

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
 * missing, not as a failure.
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
    onChunk?: (chunk: RetrievedChunk, index: number, of: number) => Promise<void>;
  },
): Promise<RetrievedChunk> {
  const chunks = chunkMembers(targets, { maxFiles: MAX_FILES_PER_OPERATION, maxBytes: MAX_ZIPPED_BYTES });
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
    return {
      retrieveMs: retrievedAt - waitStart,
      splitMs,
      found: split.components.filter((c) => !missingKeys.has(componentKey(c))),
      missing: refs.filter((r) => missingKeys.has(componentKey(r))),
    };
  };
  // While the caller stores one chunk, the next is fetched and converted (at most two chunks in memory).
  let next: Promise<RetrievedChunk> | undefined = chunks.length ? fetchChunk(0) : undefined;
  for (let index = 0; next; index++) {
    options.signal?.throwIfAborted();
    const result: RetrievedChunk = await next;
    next = index + 1 < chunks.length ? fetchChunk(index + 1) : undefined;
    next?.catch(() => undefined);
    await options.onChunk?.(result, index, chunks.length);
    all.found.push(...result.found);
    all.missing.push(...result.missing);
  }
  return all;
}

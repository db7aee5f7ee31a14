import { type MemberRef, type ResolvedComponent } from '../salesforce/component.types.js';
import type { MetadataSession } from '../salesforce/metadata-api.gateway.js';
import { metadataFilesToSource } from '../salesforce/metadata-to-source.js';
import {
  isChildContainerOnly,
  parseMissingMessages,
  splitExactMetadataFiles,
  stripPackageFolder,
} from '../salesforce/retrieve-split.js';
import { readZip } from '../common/zip.js';
import { pollDelayMs, sleep } from '../common/polling.js';
import type { BackupItem } from '../snapshots/snapshots.service.js';
import { type DeployedComponent } from './destructive-plan.js';
import { componentKey } from '../salesforce/component-key.js';

/** Retrieves in one request stay far below the 10,000-file limit even for objects with hundreds of fields. */
const MEMBERS_PER_RETRIEVE = 2_000;

/**
 * The backup of what a deploy deletes: each member with all its files and every child the org returns with it (a
 * deleted CustomObject comes back from the retrieve holding all its fields, which become components of their own,
 * so a rollback recreates the object with its fields). The backup retrieve of the deploy's own components keeps only
 * the members it asked for; this one keeps the children too. Members the org does not have are backed up as absent.
 */
export async function retrieveForDeletion(
  session: MetadataSession,
  members: MemberRef[],
  options: { signal?: AbortSignal; pollCeilingMs: number; format?: 'source' | 'stored' },
): Promise<BackupItem[]> {
  const items: BackupItem[] = [];
  for (let i = 0; i < members.length; i += MEMBERS_PER_RETRIEVE) {
    const chunk = members.slice(i, i + MEMBERS_PER_RETRIEVE);
    const id = await session.startRetrieve(chunk);
    let status = await session.checkRetrieve(id);
    for (let attempt = 0; !status.done; attempt++) {
      await sleep(pollDelayMs(attempt, options.pollCeilingMs), options.signal);
      status = await session.checkRetrieve(id);
    }
    if (!status.success || !status.zip) {
      const problem = status.messages.map((m) => m.problem).join('; ') || `status ${status.status}`;
      throw new Error(`Salesforce could not retrieve the ${chunk.length} component(s) to delete: ${problem}`);
    }
    // the same split as the deploy's own backup: exact metadata-format files where the snapshot keeps them
    const files = stripPackageFolder(await readZip(status.zip));
    const { components: exact, rest } =
      options.format === 'stored' ? splitExactMetadataFiles(files) : { components: [], rest: files };
    const { components } = await metadataFilesToSource(rest);
    const missing = new Set(parseMissingMessages(status.messages).map(componentKey));
    items.push(...backupItemsForDeletion(chunk, [...exact, ...components], missing));
  }
  return items;
}

/**
 * Pure part of retrieveForDeletion: the requested members found in the retrieve (under the name the manifest used),
 * their children, and the requested members it did not hold (absent before the deploy).
 */
export function backupItemsForDeletion(
  requested: MemberRef[],
  retrieved: ResolvedComponent[],
  missing: Set<string> = new Set(),
): BackupItem[] {
  const wanted = new Map(requested.map((r) => [componentKey(r), r]));
  const items: BackupItem[] = [];
  const found = new Set<string>();
  for (const c of retrieved) {
    const asked = wanted.get(componentKey(c));
    if (asked && !missing.has(componentKey(c)) && !isChildContainerOnly(c)) {
      found.add(componentKey(c));
      items.push({
        ref: { type: asked.type, fullName: asked.fullName },
        ...(c.parent ? { parent: c.parent } : {}),
        before: c,
      });
    } else if (c.parent && wanted.has(componentKey(c.parent)) && !wanted.has(componentKey(c))) {
      items.push({
        ref: { type: c.type, fullName: c.fullName },
        parent: wanted.get(componentKey(c.parent))!,
        before: c,
      });
    }
  }
  for (const r of requested)
    if (!found.has(componentKey(r))) items.push({ ref: { type: r.type, fullName: r.fullName }, before: null });
  return items;
}

/**
 * What a deploy deletes, component by component: the deletion members and, from the snapshot, the children backed
 * up with them (an object's fields). Children of a deleted parent are deleted with it.
 */
export function deletionTargets(deletions: MemberRef[], snapshotRows: DeployedComponent[]): DeployedComponent[] {
  const keys = new Set(deletions.map(componentKey));
  const byKey = new Map(snapshotRows.map((r) => [componentKey(r), r]));
  const out: DeployedComponent[] = deletions.map(
    (d) => byKey.get(componentKey(d)) ?? { type: d.type, fullName: d.fullName, parentType: null, parentFullName: null },
  );
  for (const r of snapshotRows) {
    if (
      r.parentType &&
      keys.has(componentKey({ type: r.parentType, fullName: r.parentFullName! })) &&
      !keys.has(componentKey(r))
    )
      out.push(r);
  }
  return out;
}

/** A child deleted with its parent has the parent's result (Salesforce reports only the parent). */
export function adoptParentOutcomes<T extends { ref: MemberRef }>(outcomes: T[], targets: DeployedComponent[]): T[] {
  const byKey = new Map(outcomes.map((o) => [componentKey(o.ref), o]));
  const deleting = new Set(targets.map(componentKey));
  const parentOf = new Map(
    targets
      .filter((t) => t.parentType)
      .map((t) => [componentKey(t), { type: t.parentType!, fullName: t.parentFullName! }]),
  );
  return outcomes.map((o) => {
    const parent = parentOf.get(componentKey(o.ref));
    const parentOutcome = parent && deleting.has(componentKey(parent)) ? byKey.get(componentKey(parent)) : undefined;
    return parentOutcome ? { ...parentOutcome, ref: o.ref } : o;
  });
}

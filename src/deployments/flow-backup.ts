// What the backup records of a deploy's flows beyond their files: the version numbers (FlowDefinition's active and
// latest versions) before the deploy and after it, as `details.flow` of the snapshot row. A rollback re-activates
// the version active before instead of deploying the old XML as yet another version.
import type { MemberRef } from '../salesforce/component.types.js';
import { componentKey } from '../salesforce/component-key.js';
import type { FlowDefinitionState, MetadataSession } from '../salesforce/metadata-api.gateway.js';
import type { SnapshotsService } from '../snapshots/snapshots.service.js';

/** A flow's version numbers at one moment (null: none active / no version). */
export interface FlowVersionNumbers {
  activeVersionNumber: number | null;
  latestVersionNumber: number | null;
}

/** `details.flow` of a snapshot row: before the deploy, and (once it succeeded) after it. */
export interface FlowFacts extends FlowVersionNumbers {
  after?: FlowVersionNumbers;
}

const FLOW = 'Flow';

function numbers(found: FlowDefinitionState | undefined): FlowVersionNumbers {
  return {
    activeVersionNumber: found?.activeVersionNumber ?? null,
    latestVersionNumber: found?.latestVersionNumber ?? null,
  };
}

async function read(session: MetadataSession, refs: MemberRef[]): Promise<Map<string, FlowDefinitionState>> {
  const found = await session.flowDefinitions(refs.map((r) => r.fullName));
  return new Map(found.map((f) => [componentKey({ type: FLOW, fullName: f.developerName }), f]));
}

/** A deploy's flow and its version numbers before the deploy. */
export interface FlowBefore {
  ref: MemberRef;
  flow: FlowFacts;
}

/**
 * The version numbers of the deploy's flows before it (none: a flow the org does not have): read before the
 * deploy is submitted, kept in the job's state, recorded once the backup is indexed (`recordFlowsBefore`).
 */
export async function readFlowsBefore(session: MetadataSession, components: MemberRef[]): Promise<FlowBefore[]> {
  const flows = components.filter((c) => c.type === FLOW);
  if (flows.length === 0) return [];
  const live = await read(session, flows);
  return flows.map(({ type, fullName }) => ({
    ref: { type, fullName },
    flow: numbers(live.get(componentKey({ type, fullName }))),
  }));
}

/** Records what `readFlowsBefore` read on the snapshot's rows of those flows. */
export async function recordFlowsBefore(
  snapshots: SnapshotsService,
  snapshotId: string,
  flows: FlowBefore[],
): Promise<void> {
  await snapshots.recordDetails(
    snapshotId,
    flows.map(({ ref, flow }) => ({ ref, details: { flow } })),
  );
}

/** Adds the version numbers the deploy left to the flows it created or updated. */
export async function recordFlowsAfter(
  session: MetadataSession,
  snapshots: SnapshotsService,
  snapshotId: string,
  changed: MemberRef[],
): Promise<void> {
  const flows = changed.filter((c) => c.type === FLOW);
  if (flows.length === 0) return;
  const rows = await snapshots.componentsOf(snapshotId, flows);
  const before = new Map(rows.map((r) => [componentKey(r), r.details?.flow as FlowFacts | undefined]));
  const live = await read(session, flows);
  await snapshots.recordDetails(
    snapshotId,
    flows.flatMap((ref) => {
      const facts = before.get(componentKey(ref));
      if (!facts) return [];
      const { activeVersionNumber, latestVersionNumber } = facts;
      const after = numbers(live.get(componentKey(ref)));
      return [{ ref, details: { flow: { activeVersionNumber, latestVersionNumber, after } } }];
    }),
  );
}

// How the live app differs from what a `cf` stage (or its rollback) left.

export interface LiveApp {
  name: string;
  state: string;
  /** The app's current droplet (null: none). */
  dropletGuid: string | null;
  /** `revisions/deployed`: the revisions some web instance runs. */
  deployedRevisions: { guid: string; version: number }[];
}

export interface LeftBehind {
  dropletGuid: string | null;
  revisionGuid: string | null;
  revisionVersion: number | null;
  stopped?: boolean;
}

/** Sentences saying how the live app differs from what the stage left ([] when it is as left). */
export function driftSentences(live: LiveApp, left: LeftBehind): string[] {
  if (left.stopped)
    return live.state === 'STOPPED' ? [] : [`App ${live.name} was started again after the stage stopped it.`];
  const out: string[] = [];
  if (live.state !== 'STARTED') out.push(`App ${live.name} is ${live.state}; the stage left it running.`);
  if (left.dropletGuid !== null && live.dropletGuid !== left.dropletGuid)
    out.push(
      `App ${live.name}'s current droplet is ${live.dropletGuid ?? 'none'}, not the droplet ${left.dropletGuid} the stage deployed.`,
    );
  if (
    left.revisionGuid !== null &&
    live.state === 'STARTED' &&
    !live.deployedRevisions.some((r) => r.guid === left.revisionGuid)
  ) {
    const running = live.deployedRevisions.map((r) => r.version).join(', ') || 'none';
    out.push(
      `App ${live.name} runs revision ${running}, not revision ${left.revisionVersion ?? left.revisionGuid} the stage left.`,
    );
  }
  return out;
}

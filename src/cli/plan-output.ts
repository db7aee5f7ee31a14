/** What rolling a planned item back can undo (see src/salesforce/reversibility.ts). */
export interface PlanReversibility {
  label: 'reversible' | 'dataLoss' | 'manual';
  reason: string;
  checklist: string[];
}
interface PlanItem {
  type: string;
  fullName: string;
  reversibility?: PlanReversibility;
}

/** The dry run's answer, as the API sends it (POST /api/branches/:id/deployments with dryRun: true). */
export interface DeployPlanBody {
  revision: number;
  create: PlanItem[];
  update: PlanItem[];
  deploy: PlanItem[];
  delete: (PlanItem & { phase: 'pre' | 'post'; source: string; inOrg: boolean | null })[];
  notes: string[];
}

const LABEL_TEXT = { dataLoss: 'reversible with data loss', manual: 'manual' } as const;

/** The lines under an item that a rollback cannot simply undo: its label, the reason and the checklist. */
function reversibilityLines(item: PlanItem): string[] {
  const r = item.reversibility;
  if (!r || r.label === 'reversible') return [];
  return [`      ${LABEL_TEXT[r.label]}: ${r.reason}`, ...r.checklist.map((step) => `        [ ] ${step}`)];
}

/**
 * The plan for people: one line per component, prefixed as a diff would (`-` delete, `+` create, `~` update, `?`
 * not checked against the org), deletions first, then the counts and any notes.
 */
export function formatPlan(plan: DeployPlanBody): string {
  const ref = (c: { type: string; fullName: string }) => `${c.type}:${c.fullName}`;
  const lines = [`Dry run of revision #${plan.revision}: nothing was queued.`];
  for (const d of plan.delete) {
    const when = d.phase === 'pre' ? 'before the additions' : 'after the additions';
    lines.push(`  - ${ref(d)}  (delete, ${d.source}, ${when}${d.inOrg === false ? '; not in the org' : ''})`);
    lines.push(...reversibilityLines(d));
  }
  for (const c of plan.create) lines.push(`  + ${ref(c)}`, ...reversibilityLines(c));
  for (const c of plan.update) lines.push(`  ~ ${ref(c)}`, ...reversibilityLines(c));
  for (const c of plan.deploy) lines.push(`  ? ${ref(c)}  (not checked against the org)`, ...reversibilityLines(c));
  const counts = [
    `${plan.create.length} to create`,
    `${plan.update.length} to update`,
    `${plan.delete.length} to delete`,
  ];
  if (plan.deploy.length) counts.push(`${plan.deploy.length} not checked`);
  lines.push(counts.join(', ') + '.');
  if (plan.delete.length)
    lines.push(
      'Deleted components are backed up first; a rollback recreates them, but not the data of deleted objects or fields.',
    );
  lines.push(...plan.notes);
  return lines.join('\n');
}

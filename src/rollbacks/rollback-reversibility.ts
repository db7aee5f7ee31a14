import { memberKey, type MemberRef } from '../salesforce/component.types.js';
import { componentKey } from '../salesforce/component-key.js';
import type { DeployChange, Reversibility } from '../salesforce/reversibility.js';
import type { Candidate, DeployAction } from './rollback-plan.js';

export type LabelledCandidate = Candidate & { reversibility: Reversibility };

/** What the deploy did, in the words reversibility() takes. */
export const CHANGE_OF: Record<DeployAction, DeployChange> = {
  created: 'create',
  updated: 'update',
  deleted: 'delete',
};

/** A selected component a rollback leaves to a person: not sent to Salesforce, its row ends Skipped. */
export interface ManualStep extends MemberRef {
  parentType: string | null;
  parentFullName: string | null;
  action: Candidate['rollbackAction'];
  reason: string;
  checklist: string[];
}

/**
 * Splits a selection by what rolling it back can undo. `dataLoss` items need `acceptDataLoss`; `manual` ones are
 * left to a person — except a child deleted with its parent (a record type of an object the rollback deletes goes
 * with the object).
 */
export function reversibilityOfSelection(selected: LabelledCandidate[]): {
  dataLoss: LabelledCandidate[];
  manual: ManualStep[];
} {
  const deleting = new Set(selected.filter((c) => c.rollbackAction === 'delete').map(componentKey));
  const withParent = (c: LabelledCandidate) =>
    c.rollbackAction === 'delete' && c.parent !== null && deleting.has(componentKey(c.parent));
  return {
    dataLoss: selected.filter((c) => c.reversibility.label === 'dataLoss'),
    manual: selected
      .filter((c) => c.reversibility.label === 'manual' && !withParent(c))
      .map((c) => ({
        type: c.type,
        fullName: c.fullName,
        parentType: c.parent?.type ?? null,
        parentFullName: c.parent?.fullName ?? null,
        action: c.rollbackAction,
        reason: c.reversibility.reason,
        checklist: c.reversibility.checklist,
      })),
  };
}

/** The job log's closing line: each step left for a person, with its checklist. */
export function manualStepsLogLine(steps: ManualStep[]): string {
  return (
    `Left for a person to do: ${steps.length} component(s) were not rolled back. ` +
    steps.map((s) => `${memberKey(s)}: ${s.reason} Checklist: ${s.checklist.join(' ')}`).join(' | ')
  );
}

/** The refusal of a selection that loses data without acceptDataLoss: names them and says what to send. */
export function dataLossRefusal(items: MemberRef[]): string {
  const names = items.slice(0, 5).map(memberKey).join(', ') + (items.length > 5 ? ` and ${items.length - 5} more` : '');
  return (
    `Rolling back ${names} loses data (a field or object is deleted with its values, or recreated empty). ` +
    'Nothing was queued. Send acceptDataLoss: true to confirm, or leave them out of the selection.'
  );
}

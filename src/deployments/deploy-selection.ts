import { memberKey, type MemberRef } from '../salesforce/component.types.js';

export interface SelectableComponent extends MemberRef {
  parentType: string | null;
  parentFullName: string | null;
}

/**
 * The components a deploy takes from a revision: all of them, or the named ones plus the children of any named
 * parent (naming `CustomObject` `Invoice__c` deploys its fields too). Names not in the revision are returned as
 * `unknown` so the API can refuse them by name.
 */
export function selectComponents<T extends SelectableComponent>(
  all: T[],
  wanted?: MemberRef[],
): { selected: T[]; unknown: MemberRef[] } {
  if (!wanted) return { selected: all, unknown: [] };
  const byKey = new Map(all.map((c) => [memberKey(c), c]));
  const unknown = wanted.filter((w) => !byKey.has(memberKey(w)));
  const keys = new Set(wanted.map(memberKey));
  const selected = all.filter(
    (c) =>
      keys.has(memberKey(c)) ||
      (c.parentType !== null && keys.has(memberKey({ type: c.parentType, fullName: c.parentFullName! }))),
  );
  return { selected, unknown };
}

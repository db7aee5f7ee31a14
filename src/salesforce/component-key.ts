import type { MemberRef } from './component.types.js';

/**
 * Types whose member names Salesforce tells apart by case. Salesforce matches API names case-insensitively
 * (`accountId__c` and `AccountId__c` are one field; a deploy of the second updates the first), and no metadata type
 * is known to do otherwise, so this set is empty. A type found to be case-sensitive is added here, and every match
 * of Backtrack (backups, change detection, rollback plans, claims, drift, verification) follows.
 */
export const CASE_SENSITIVE_TYPES: ReadonlySet<string> = new Set<string>();

/** The key last made for a ref object, with the type and name it was made of. */
interface Made {
  type: string;
  fullName: string;
  key: string;
}

const made = new WeakMap<MemberRef, Made>();

/**
 * The identity of a component for matching: `Type:fullname`, the name folded to lower case unless the type is
 * case-sensitive. Use it for maps and comparisons only; logs and the API show `memberKey` (the name as spelled).
 *
 * A rollback of 10,000 components asks for the key of the same ref objects dozens of times each: the key is made
 * once per object and given again while the object still holds the same type and name (a changed one gets a new
 * key), which also keeps the string's hash for the maps it is looked up in.
 */
export function componentKey(ref: MemberRef): string {
  const known = made.get(ref);
  if (known && known.type === ref.type && known.fullName === ref.fullName) return known.key;
  const key = `${ref.type}:${CASE_SENSITIVE_TYPES.has(ref.type) ? ref.fullName : ref.fullName.toLowerCase()}`;
  made.set(ref, { type: ref.type, fullName: ref.fullName, key });
  return key;
}

/** Whether two refs name the same component in Salesforce's eyes. */
export function sameComponent(a: MemberRef, b: MemberRef): boolean {
  return componentKey(a) === componentKey(b);
}

import type { MemberRef } from './component.types.js';

/**
 * Types whose member names Salesforce tells apart by case. Salesforce matches API names case-insensitively
 * (`accountId__c` and `AccountId__c` are one field; a deploy of the second updates the first), and no metadata type
 * is known to do otherwise, so this set is empty. A type found to be case-sensitive is added here, and every match
 * of Backtrack (backups, change detection, rollback plans, claims, drift, verification) follows.
 */
export const CASE_SENSITIVE_TYPES: ReadonlySet<string> = new Set<string>();

/**
 * The identity of a component for matching: `Type:fullname`, the name folded to lower case unless the type is
 * case-sensitive. Use it for maps and comparisons only; logs and the API show `memberKey` (the name as spelled).
 */
export function componentKey(ref: MemberRef): string {
  return `${ref.type}:${CASE_SENSITIVE_TYPES.has(ref.type) ? ref.fullName : ref.fullName.toLowerCase()}`;
}

/** Whether two refs name the same component in Salesforce's eyes. */
export function sameComponent(a: MemberRef, b: MemberRef): boolean {
  return componentKey(a) === componentKey(b);
}

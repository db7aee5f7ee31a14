import { compareMembers, type MemberRef, type ResolvedComponent } from './component.types.js';
import { componentKey } from './component-key.js';

/**
 * Types that use others, deleted first: pages and components use classes, triggers use classes, classes use objects
 * and fields. Salesforce refuses to delete a component something in the org still references, and deletes the members
 * of one manifest in the order listed, so a referrer deleted in the same manifest must come before what it uses.
 */
const DELETE_FIRST = [
  'ApexPage',
  'ApexComponent',
  'LightningComponentBundle',
  'AuraDefinitionBundle',
  'ApexTrigger',
  'ApexClass',
] as const;
/** Used by (nearly) everything: deleted last, fields before their objects. */
const DELETE_LAST = ['CustomField', 'CustomObject'] as const;

function rank(type: string): number {
  const first = (DELETE_FIRST as readonly string[]).indexOf(type);
  if (first >= 0) return first;
  const last = (DELETE_LAST as readonly string[]).indexOf(type);
  return last >= 0 ? DELETE_FIRST.length + 1 + last : DELETE_FIRST.length;
}

/**
 * The order to list deletions in one destructive manifest: referrers before what they reference (by type: pages,
 * components and triggers, then classes, then the other types, then fields, then objects), then by name; within a
 * type, `uses(a, b)` (a references b) moves a referrer ahead of the member it uses; a cycle keeps the name order.
 */
export function deletionOrder(
  members: MemberRef[],
  uses: (a: MemberRef, b: MemberRef) => boolean = () => false,
): MemberRef[] {
  const sorted = [...members].sort((a, b) => rank(a.type) - rank(b.type) || compareMembers(a, b));
  // Within a type, a stable topological pass: each member goes after every member of its type that uses it.
  const out: MemberRef[] = [];
  const placed = new Set<MemberRef>();
  const visiting = new Set<MemberRef>();
  const place = (m: MemberRef) => {
    if (placed.has(m) || visiting.has(m)) return;
    visiting.add(m);
    for (const other of sorted) if (other !== m && other.type === m.type && uses(other, m)) place(other);
    visiting.delete(m);
    placed.add(m);
    out.push(m);
  };
  for (const m of sorted) place(m);
  return out;
}

/** Types whose members may use others of the same type: a class another class, a formula field another field. */
const SAME_TYPE_REFERRERS: ReadonlySet<string> = new Set(['ApexClass', 'CustomField']);

/** Whether ordering `members` within a type needs to know what uses what (two of a type that can refer to its own). */
export function needsUseOrder(members: MemberRef[]): boolean {
  const counts = new Map<string, number>();
  for (const m of members) if (SAME_TYPE_REFERRERS.has(m.type)) counts.set(m.type, (counts.get(m.type) ?? 0) + 1);
  return [...counts.values()].some((n) => n > 1);
}

/**
 * "a uses b" from the components' files: a's text names b (its own name: `F__c` of `Obj__c.F__c`) as an identifier,
 * case-insensitively. Over-approximate (a comment counts), which only costs an order Salesforce did not need.
 */
export function usesByName(components: ResolvedComponent[]): (a: MemberRef, b: MemberRef) => boolean {
  const tokens = new Map<string, Set<string>>();
  for (const c of components) {
    const text = c.files.map((f) => f.content.toString('utf8')).join('\n');
    tokens.set(componentKey(c), new Set((text.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? []).map((t) => t.toLowerCase())));
  }
  const ownName = (ref: MemberRef) => ref.fullName.slice(ref.fullName.lastIndexOf('.') + 1).toLowerCase();
  return (a, b) => tokens.get(componentKey(a))?.has(ownName(b)) ?? false;
}

import type { JobProblem } from '../deployments/deploy-results.js';
import type { MemberRef } from '../salesforce/component.types.js';
import { componentKey } from '../salesforce/component-key.js';
import { parseMissingMessages } from '../salesforce/retrieve-split.js';

export const ALREADY_GONE = 'Already gone from the org: nothing to delete';

/**
 * Deletions Salesforce answered "already gone" (`No ApexClass named: Foo found`, a Warning naming the manifest, not
 * the component): each is done, so its warning belongs to that component's row and leaves the job-level problems.
 * Returns the keys (componentKey) of those deletions and the problems that remain.
 */
export function splitAlreadyGone(
  problems: JobProblem[],
  deletions: MemberRef[],
): { gone: Set<string>; rest: JobProblem[] } {
  const deleting = new Set(deletions.map(componentKey));
  const gone = new Set<string>();
  const rest = problems.filter((p) => {
    if (p.problemType !== 'Warning') return true;
    const [missing] = parseMissingMessages([p.problem]);
    if (!missing || !deleting.has(componentKey(missing))) return true;
    gone.add(componentKey(missing));
    return false;
  });
  return { gone, rest };
}

/** How Salesforce names a referrer in a refusal (`Apex Class - InvoiceService`), by metadata type. */
const REFERRER_TYPES: Readonly<Record<string, string>> = {
  'Apex Class': 'ApexClass',
  'Apex Trigger': 'ApexTrigger',
  'Visualforce Page': 'ApexPage',
  'Visualforce Component': 'ApexComponent',
  'Lightning Component Bundle': 'LightningComponentBundle',
  'Validation Rule': 'ValidationRule',
  'Custom Formula Field': 'CustomField',
  Flow: 'Flow',
};

/**
 * The referrers Salesforce names when it refuses a deletion (`This custom field is referenced elsewhere in
 * salesforce.com. : Apex Class - InvoiceService, Validation Rule - Invoice__c.Positive.`); empty for other problems.
 * A label we do not know stays as Salesforce wrote it in place of the type.
 */
export function referrersNamed(problem: string): MemberRef[] {
  const match = /referenced elsewhere in salesforce\.com\.[^:]*: (.+)$/s.exec(problem);
  if (!match) return [];
  const out: MemberRef[] = [];
  for (const part of match[1]!.replace(/\.\s*$/, '').split(/,\s*/)) {
    const dash = part.indexOf(' - ');
    if (dash < 0) continue;
    const label = part.slice(0, dash).trim();
    out.push({ type: REFERRER_TYPES[label] ?? label, fullName: part.slice(dash + 3).trim() });
  }
  return out;
}

/**
 * A rollback deletion refused because something still references the component: the row's problem names the
 * referrers and what to do, and keeps Salesforce's words. Undefined when the problem is of another kind.
 */
export function stillReferencedProblem(problem: string): string | undefined {
  const referrers = referrersNamed(problem);
  if (referrers.length === 0) return undefined;
  const named = referrers.map((r) => `${r.type} ${r.fullName}`).join(', ');
  const those = referrers.length === 1 ? 'that' : 'those';
  return `Still referenced by ${named}: roll ${those} back too, or remove the reference. Salesforce: ${problem}`;
}

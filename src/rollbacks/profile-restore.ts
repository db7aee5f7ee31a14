// What a rollback deploys for a profile or permission set, and how it is verified. Salesforce merges a deployed
// profile element by element and never removes an element a file omits, so restoring the backed-up file would
// leave what the deploy added. The restore file instead holds, for each element the deploy's file touched: the
// backed-up element when the deploy changed it, the element with no access when the deploy added it, nothing when
// it is about a component this rollback deletes (its permissions go with it). Verification compares elements.
import {
  elementId,
  elementLabel,
  elementSubjects,
  parseElementLabel,
  parseProfile,
  ProfileXmlError,
  renderProfile,
  sameElement,
  withElements,
  withoutAccess,
  type ProfileDocument,
  type ProfileElement,
} from '../common/profile-xml.js';
import { componentKey } from '../salesforce/component-key.js';

/** An element the org must hold after the rollback (`element`), or must not hold (`element` undefined). */
export interface ExpectedElement {
  label: string;
  element?: ProfileElement;
}

export interface ProfileRestore {
  /** The file to deploy. */
  xml: string;
  /** What verification compares, element by element. */
  expected: ExpectedElement[];
  /** Elements the deploy changed, restored from the backup. */
  restored: string[];
  /** Elements the deploy added, set back to no access. */
  revoked: string[];
  /** Elements the deploy added about a component this rollback deletes: they go with it. */
  dropped: string[];
  /** Elements the deploy added that no deploy can take back (a layout assignment, a new scalar). */
  irreversible: string[];
}

/**
 * The restore of one profile: `before` is the backup's file (read with every component the deploy touched),
 * `deployed` the file the deploy sent, `deletedByRollback` the component keys this rollback deletes.
 */
export function planProfileRestore(input: {
  before: string;
  deployed: string;
  deletedByRollback: ReadonlySet<string>;
}): ProfileRestore {
  const before = parseProfile(input.before);
  const deployed = parseProfile(input.deployed);
  const beforeById = new Map(before.elements.map((e) => [elementId(e), e]));
  const plan: ProfileRestore = { xml: '', expected: [], restored: [], revoked: [], dropped: [], irreversible: [] };
  // scalars as before (a deploy of the file sets each one it holds)
  const file = new Map(before.elements.filter((e) => e.scalar).map((e) => [elementId(e), e]));
  for (const e of deployed.elements) {
    const label = elementLabel(e);
    const was = beforeById.get(elementId(e));
    if (was) {
      plan.expected.push({ label, element: was });
      if (!sameElement(was, e)) {
        file.set(elementId(was), was);
        plan.restored.push(label);
      }
      continue;
    }
    if (elementSubjects(e).some((s) => input.deletedByRollback.has(componentKey(s)))) {
      plan.expected.push({ label });
      plan.dropped.push(label);
      continue;
    }
    const revoked = withoutAccess(e, deployed.root);
    if (!revoked) {
      plan.irreversible.push(label);
      continue;
    }
    file.set(elementId(revoked), revoked);
    plan.expected.push({ label, element: revoked });
    plan.revoked.push(label);
  }
  plan.xml = renderProfile(withElements(before, [...file.values()]));
  return plan;
}

/** How the org's element differs from the expected one: `editable is true, expected false`. */
function difference(expected: ProfileElement, live: ProfileElement): string {
  if (expected.scalar || live.scalar) {
    const value = (e: ProfileElement) => e.text.replace(/^<[^>]*>|<\/[^>]*>$/g, '').trim();
    return `is ${value(live)}, expected ${value(expected)}`;
  }
  const tags = [...new Set([...expected.values.keys(), ...live.values.keys()])].sort();
  const differing = tags.filter((t) => (expected.values.get(t) ?? '') !== (live.values.get(t) ?? ''));
  return differing
    .map((t) => `${t} is ${live.values.get(t) ?? 'absent'}, expected ${expected.values.get(t) ?? 'absent'}`)
    .join(', ');
}

/**
 * The expected elements the org's profile (read with the backup's components) does not match, one sentence each
 * (`fieldPermissions Account.Tier__c: editable is true, expected false`); empty when every one matches.
 */
export function elementMismatches(expected: readonly ExpectedElement[], liveXml: string | undefined): string[] {
  if (liveXml === undefined) return ['the org does not have it'];
  let liveDoc: ProfileDocument;
  try {
    liveDoc = parseProfile(liveXml);
  } catch (error) {
    if (!(error instanceof ProfileXmlError)) throw error;
    return [`the org returned a file that is not a profile (${error.message})`];
  }
  const live = new Map(liveDoc.elements.map((e) => [elementId(e), e]));
  return expected.flatMap(({ label, element }) => {
    const now = live.get(elementId(element ?? parseElementLabel(label)));
    if (!element) return now ? [`${label}: still in the org, expected it gone with its component`] : [];
    if (!now) return [`${label}: not in the org, expected as before the deploy`];
    if (sameElement(element, now)) return [];
    return [`${label}: ${difference(element, now)}`];
  });
}

/** The job log's line for a profile that verified: which elements were compared. */
export function verifiedLine(plan: ProfileRestore): string {
  const parts = [
    plan.restored.length ? `${plan.restored.length} restored (${plan.restored.join(', ')})` : '',
    plan.revoked.length ? `${plan.revoked.length} set back to no access (${plan.revoked.join(', ')})` : '',
    plan.dropped.length ? `${plan.dropped.length} gone with their component (${plan.dropped.join(', ')})` : '',
  ].filter(Boolean);
  const unchanged = plan.expected.length - plan.restored.length - plan.revoked.length - plan.dropped.length;
  return (
    `Verified element by element: the ${plan.expected.length} element(s) the deploy touched are as before it` +
    (parts.length ? `: ${parts.join('; ')}` : '') +
    (unchanged ? `; ${unchanged} it left as they were` : '')
  );
}

/** The job log's line for elements a rollback cannot take back. */
export function irreversibleLine(plan: ProfileRestore): string | undefined {
  if (plan.irreversible.length === 0) return undefined;
  return (
    `Not rolled back: ${plan.irreversible.join(', ')} — added by the deploy, and a profile deploy cannot remove ` +
    'an element (Salesforce merges it); remove it in Setup'
  );
}

// How Salesforce treats profiles and permission sets, on top of the component store: a retrieve returns only the
// elements about components in the same retrieve, a deploy merges element by element, deleting a component drops
// the elements about it, and field-level security for a field the org does not have fails the profile.
import {
  elementSubjects,
  filterProfile,
  isProfileLike,
  mergeProfiles,
  parseProfile,
  renderProfile,
  sameElements,
  type ProfileDocument,
} from '../common/profile-xml.js';
import {
  componentKey,
  toContent,
  type ComponentContent,
  type ComponentLookup,
  type ComponentRecord,
  type ComponentRef,
  type ComponentStore,
} from './component-store.js';
import type { DeployCandidate } from './deploy-plan.js';

/** A custom field's full name (`Account.Tier__c`); standard fields (`Account.Name`) exist in every org. */
const CUSTOM_FIELD = /\.[^.]+__c$/i;

function documentOf(data: Buffer | undefined): ProfileDocument | undefined {
  if (!data) return undefined;
  try {
    return parseProfile(data.toString('utf8'));
  } catch {
    return undefined; // not well-formed: the XML check fails the component with its line and column
  }
}

function firstFile(content: ComponentContent): [string, Buffer] | undefined {
  return [...content.files][0];
}

/** Salesforce's answer to field-level security for a custom field the org does not have. */
export function missingFieldProblem(field: string): string {
  return `In field: field - no CustomField named ${field} found`;
}

/**
 * A deploy's profile and permission set candidates as the org will hold them: the stored file with the deployed
 * elements merged in (elements the file does not hold stay; scalars in the file replace). A candidate that changes
 * nothing keeps the stored content, so the deploy reports it unchanged. Field-level security for a custom field
 * that is neither in the org nor in the deploy fails the candidate.
 */
export function overlayProfiles(candidates: readonly DeployCandidate[], store: ComponentLookup): DeployCandidate[] {
  const deployedFields = new Set(candidates.filter((c) => c.type === 'CustomField' && !c.problem).map(componentKey));
  const fieldExists = (fullName: string) => {
    const ref = { type: 'CustomField', fullName };
    return deployedFields.has(componentKey(ref)) || !!store.get(ref);
  };
  return candidates.map((candidate) => {
    if (!isProfileLike(candidate.type) || candidate.problem) return candidate;
    const deployed = documentOf(candidate.content.files.get(candidate.fileName));
    if (!deployed) return candidate;
    const missing = deployed.elements.find(
      (e) => e.section === 'fieldPermissions' && CUSTOM_FIELD.test(e.key) && !fieldExists(e.key),
    );
    if (missing) return { ...candidate, problem: { problem: missingFieldProblem(missing.key) } };
    const stored = store.get(candidate);
    const storedFile = stored && firstFile(stored.content);
    const before = documentOf(storedFile?.[1]);
    if (!stored || !before) return candidate;
    const merged = mergeProfiles(before, deployed);
    if (sameElements(before, merged)) return { ...candidate, content: stored.content };
    return { ...candidate, content: toContent(new Map([[candidate.fileName, Buffer.from(renderProfile(merged))]])) };
  });
}

/**
 * The files a retrieve returns for a stored profile or permission set: its scalars and the sections Salesforce
 * always returns (user permissions, login hours and IP ranges), and only the elements about a component of the
 * same retrieve (`retrieved`: type → full names). A field's permissions come with the field or its object.
 */
export function relativeProfileFiles(
  record: ComponentRecord,
  retrieved: ReadonlyMap<string, ReadonlySet<string>>,
): Map<string, Buffer> {
  const keys = new Set(
    [...retrieved].flatMap(([type, names]) => [...names].map((fullName) => componentKey({ type, fullName }))),
  );
  const files = new Map<string, Buffer>();
  for (const [path, data] of record.content.files) {
    const doc = documentOf(data);
    if (!doc) {
      files.set(path, data);
      continue;
    }
    const view = filterProfile(doc, (e) => {
      const subjects = elementSubjects(e);
      return subjects.length === 0 || subjects.some((s) => keys.has(componentKey(s)));
    });
    files.set(path, Buffer.from(renderProfile(view)));
  }
  return files;
}

/** After deletions: every stored profile and permission set loses its elements about a deleted component. */
export function dropPermissionsAbout(store: ComponentStore, deleted: readonly ComponentRef[]): void {
  if (deleted.length === 0) return;
  const gone = new Set(deleted.map(componentKey));
  for (const record of store.list().filter((r) => isProfileLike(r.type))) {
    const file = firstFile(record.content);
    const doc = documentOf(file?.[1]);
    if (!file || !doc) continue;
    const kept = filterProfile(doc, (e) => !elementSubjects(e).some((s) => gone.has(componentKey(s))));
    if (kept.elements.length === doc.elements.length) continue;
    store.put({ ...record, content: toContent(new Map([[file[0], Buffer.from(renderProfile(kept))]])) });
  }
}

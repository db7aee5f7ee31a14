// Decides a deploy's outcome against the org's current state: per-component results, the status,
// and the changes to apply. Pure: the caller applies the operations.
import { componentKey, type ComponentContent, type ComponentLookup, type ComponentRef } from './component-store.js';
import { deletionRefusal as flowDeletionRefusal } from './flow-versions.js';
import { deletionRefusal } from './irreversible.js';
import { componentFileName } from './metadata-types.js';
import { isReferenceChecked, referenceProblem, referrersIn, type OrgComponent } from './deletion-references.js';

export type DeployStatus =
  'Pending' | 'InProgress' | 'Succeeded' | 'SucceededPartial' | 'Failed' | 'Canceling' | 'Canceled';

export interface DeployMessage {
  readonly componentType: string;
  readonly fullName: string;
  readonly fileName: string;
  readonly created: boolean;
  readonly changed: boolean;
  readonly deleted: boolean;
  readonly success: boolean;
  readonly problem?: string;
  readonly problemType?: 'Warning' | 'Error';
  readonly lineNumber?: number;
  readonly columnNumber?: number;
  readonly createdDate: string;
  readonly id?: string;
}

export interface ComponentProblem {
  readonly problem: string;
  readonly lineNumber?: number;
  readonly columnNumber?: number;
}

/** One component (or child) the zip would write. */
export interface DeployCandidate extends ComponentRef {
  readonly fileName: string;
  readonly content: ComponentContent;
  readonly parent?: ComponentRef;
  readonly problem?: ComponentProblem;
}

export interface DeletionRequest extends ComponentRef {
  readonly phase: 'pre' | 'post';
  /** destructiveChanges.xml, destructiveChangesPre.xml or destructiveChangesPost.xml */
  readonly manifestFile: string;
}

/** A failure found before planning (unknown folder, unknown type, member without files). A failure of
 * package.xml itself has componentType '' and fileName 'package.xml'. */
export interface PreparedFailure extends ComponentProblem {
  readonly componentType: string;
  readonly fullName: string;
  readonly fileName: string;
}

export interface PlanInput {
  readonly candidates: readonly DeployCandidate[];
  readonly deletions: readonly DeletionRequest[];
  readonly failures: readonly PreparedFailure[];
  readonly rollbackOnError: boolean;
  readonly now: string;
  readonly newId: (type: string) => string;
}

export type DeployOperation =
  | { readonly kind: 'write'; readonly candidate: DeployCandidate; readonly id: string; readonly created: boolean }
  | { readonly kind: 'delete'; readonly ref: ComponentRef };

export interface DeployPlan {
  readonly status: 'Succeeded' | 'SucceededPartial' | 'Failed';
  readonly successes: DeployMessage[];
  readonly failures: DeployMessage[];
  /** What to change in the org, in order; empty when nothing may be applied. */
  readonly operations: DeployOperation[];
  readonly numberComponentsTotal: number;
  readonly numberComponentsDeployed: number;
  readonly numberComponentErrors: number;
}

interface ViewEntry {
  readonly id: string;
  /** The name as the org holds it (names are case-insensitive: the case may differ from the candidate's). */
  readonly fullName: string;
  readonly digest: string;
  readonly parentKey?: string;
}

/** The org as the deploy proceeds: the store, overlaid with this deploy's own writes and deletes. */
class OrgView {
  private readonly overlay = new Map<string, ViewEntry | null>();
  private readonly deletedParents = new Set<string>();
  /** parent key → keys of children written by this deploy */
  private readonly writtenChildren = new Map<string, Set<string>>();
  /** What this deploy wrote, by key: the content the org holds now. */
  private readonly written = new Map<string, OrgComponent>();

  constructor(private readonly store: ComponentLookup) {}

  get(ref: ComponentRef): ViewEntry | undefined {
    const key = componentKey(ref);
    if (this.overlay.has(key)) return this.overlay.get(key) ?? undefined;
    const record = this.store.get(ref);
    if (!record || (record.parent && this.deletedParents.has(componentKey(record.parent)))) return undefined;
    return {
      id: record.id,
      fullName: record.fullName,
      digest: record.content.digest,
      parentKey: record.parent && componentKey(record.parent),
    };
  }

  write(ref: DeployCandidate, entry: ViewEntry): void {
    const key = componentKey(ref);
    this.overlay.set(key, entry);
    this.written.set(key, ref);
    if (entry.parentKey) {
      const children = this.writtenChildren.get(entry.parentKey) ?? new Set<string>();
      children.add(key);
      this.writtenChildren.set(entry.parentKey, children);
    }
  }

  delete(ref: ComponentRef): void {
    const key = componentKey(ref);
    this.overlay.set(key, null);
    this.deletedParents.add(key);
    for (const child of this.writtenChildren.get(key) ?? []) this.overlay.set(child, null);
    this.writtenChildren.delete(key);
  }

  /** Every component the org holds at this point of the deploy. */
  *components(): Iterable<OrgComponent> {
    for (const record of this.store.list())
      if (!this.overlay.has(componentKey(record)) && this.get(record)) yield record;
    for (const [key, component] of this.written) if (this.overlay.get(key)) yield component;
  }
}

const PACKAGE_XML = 'package.xml';

/** Custom objects, custom metadata types, platform events, big and external objects, knowledge articles. */
const CUSTOM_OBJECT_NAME = /__(c|mdt|e|b|x|kav|ka)$/i;

/**
 * Why a child of a CustomObject cannot be deployed: its object is custom and neither in the org nor in the
 * deploy. Standard objects (Account…) are taken to exist in every org, so their children always have a parent.
 */
export function missingParentProblem(candidate: DeployCandidate, parentPresent: boolean): ComponentProblem | undefined {
  const parent = candidate.parent;
  if (!parent || parent.type !== 'CustomObject' || parentPresent) return undefined;
  if (!CUSTOM_OBJECT_NAME.test(parent.fullName)) return undefined;
  return {
    problem:
      `Cannot find a CustomObject named ${parent.fullName} for ${candidate.type} ${candidate.fullName}: ` +
      'deploy the object too, or create it first',
  };
}

export function planDeploy(input: PlanInput, store: ComponentLookup): DeployPlan {
  const { now } = input;
  const view = new OrgView(store);
  const manifestFailed = input.failures.some((f) => f.componentType === '' && f.fileName === PACKAGE_XML);
  const successes: DeployMessage[] = manifestFailed
    ? []
    : [
        {
          componentType: '',
          fullName: PACKAGE_XML,
          fileName: PACKAGE_XML,
          created: false,
          changed: true,
          deleted: false,
          success: true,
          createdDate: now,
        },
      ];
  const failures: DeployMessage[] = [];
  const operations: DeployOperation[] = [];
  const base = { created: false, changed: false, deleted: false, createdDate: now };

  for (const failure of input.failures) {
    failures.push({ ...base, ...failure, success: false, problemType: 'Error' });
  }

  const runDeletions = (phase: DeletionRequest['phase']) => {
    const deletions = input.deletions.filter((d) => d.phase === phase);
    // Deleted in the order listed: a referrer this deploy deleted earlier no longer counts.
    let referrers = deletions.some((d) => isReferenceChecked(d.type)) ? referrersIn(view.components()) : [];
    for (const deletion of deletions) {
      const existing = view.get(deletion);
      if (!existing) {
        failures.push({
          ...base,
          componentType: deletion.type,
          fullName: deletion.manifestFile,
          fileName: deletion.manifestFile,
          success: false,
          problem: `No ${deletion.type} named: ${deletion.fullName} found`,
          problemType: 'Warning',
        });
        continue;
      }
      // Salesforce refuses some deletions outright (a record type, a flow), others while something references them
      const refusal = deletionRefusal(deletion) ?? flowDeletionRefusal(deletion);
      const referenced = refusal ? undefined : referenceProblem(deletion, referrers);
      if (refusal || referenced) {
        failures.push({
          ...base,
          componentType: deletion.type,
          fullName: deletion.fullName,
          fileName: refusal ? deletion.manifestFile : componentFileName(deletion),
          success: false,
          problem: refusal ?? referenced,
          problemType: 'Error',
        });
        continue;
      }
      view.delete(deletion);
      referrers = referrers.filter((r) => view.get(r));
      operations.push({ kind: 'delete', ref: { type: deletion.type, fullName: deletion.fullName } });
      successes.push({
        ...base,
        componentType: deletion.type,
        fullName: deletion.fullName,
        fileName: componentFileName(deletion),
        deleted: true,
        success: true,
        id: existing.id,
      });
    }
  };

  runDeletions('pre');

  // Children first, so a parent counts as changed when any of its children is created or changed.
  const touchedParents = new Set<string>();
  const ordered = [...input.candidates.filter((c) => c.parent), ...input.candidates.filter((c) => !c.parent)];
  const deployedParents = new Set(input.candidates.filter((c) => !c.parent && !c.problem).map(componentKey));
  for (const candidate of ordered) {
    const message = {
      ...base,
      componentType: candidate.type,
      fullName: candidate.fullName,
      fileName: candidate.fileName,
    };
    const parentPresent =
      !candidate.parent || deployedParents.has(componentKey(candidate.parent)) || !!view.get(candidate.parent);
    const problem = candidate.problem ?? missingParentProblem(candidate, parentPresent);
    if (problem) {
      failures.push({ ...message, ...problem, success: false, problemType: 'Error' });
      continue;
    }
    const existing = view.get(candidate);
    const created = !existing;
    // A deploy that only changes a name's case updates the one component, which takes the new case.
    const ownChange =
      !existing || existing.digest !== candidate.content.digest || existing.fullName !== candidate.fullName;
    const changed = !created && (ownChange || touchedParents.has(componentKey(candidate)));
    const id = existing?.id ?? input.newId(candidate.type);
    if (ownChange) {
      view.write(candidate, {
        id,
        fullName: candidate.fullName,
        digest: candidate.content.digest,
        parentKey: candidate.parent && componentKey(candidate.parent),
      });
      operations.push({ kind: 'write', candidate, id, created });
      if (candidate.parent) touchedParents.add(componentKey(candidate.parent));
    }
    successes.push({ ...message, created, changed, success: true, id });
  }

  runDeletions('post');

  const errors = failures.filter((f) => f.problemType === 'Error').length;
  const deployed = successes.filter((m) => m.componentType !== '').length;
  const status = errors === 0 ? 'Succeeded' : input.rollbackOnError || deployed === 0 ? 'Failed' : 'SucceededPartial';
  return {
    status,
    successes,
    failures,
    operations: status === 'Failed' ? [] : operations,
    numberComponentsTotal: deployed + errors,
    numberComponentsDeployed: deployed,
    numberComponentErrors: errors,
  };
}

import { XMLParser } from 'fast-xml-parser';
import type { ComponentFile } from './component.types.js';

/**
 * How far rolling a change back undoes it: `reversible` (the Metadata API puts it back as it was), `dataLoss` (it
 * goes back, but data entered in it is deleted or not brought back) or `manual` (the API cannot undo it: a person
 * must, following the checklist).
 */
export type ReversibilityLabel = 'reversible' | 'dataLoss' | 'manual';

export interface Reversibility {
  label: ReversibilityLabel;
  /** A sentence a release manager understands. */
  reason: string;
  /** What a person does by hand (empty for a reversible change). */
  checklist: string[];
}

/** What the deploy does to the component. */
export type DeployChange = 'create' | 'update' | 'delete';

export interface ReversibilityInput {
  type: string;
  fullName: string;
  change: DeployChange;
  /** The component's files before the deploy (metadata or source format); undefined when not read. */
  before?: ReadonlyArray<ComponentFile> | null;
  /** Its files as the deploy sends them; undefined when not read. */
  after?: ReadonlyArray<ComponentFile> | null;
}

const REVERSIBLE: Reversibility = {
  label: 'reversible',
  reason: 'Rolling back puts the component back as it was before the deploy.',
  checklist: [],
};

/** The types whose label depends on their files (picklists, Lightning page assignments, profile settings). */
export const TYPES_READ_FOR_REVERSIBILITY: ReadonlySet<string> = new Set([
  'CustomField',
  'CustomApplication',
  'Profile',
]);

/** Deleted custom fields and objects are kept this long by Salesforce (Setup → Deleted Fields / Deleted Objects). */
export const SALESFORCE_UNDELETE_DAYS = 15;

/**
 * The label for rolling back what a deploy does to one component, with the reason and, when a person must act,
 * the checklist. Files are read only for field, application and profile updates; without them the answer says
 * what it could not tell.
 */
export function reversibility(input: ReversibilityInput): Reversibility {
  const verdict = decide(input);
  return verdict === REVERSIBLE ? REVERSIBLE_BY_CHANGE[input.change] : verdict;
}

/** What rolling back a reversible change does, said for the change. */
const REVERSIBLE_BY_CHANGE: Record<DeployChange, Reversibility> = {
  create: { ...REVERSIBLE, reason: 'Rolling back deletes it: the org did not have it before the deploy.' },
  update: { ...REVERSIBLE, reason: 'Rolling back restores it from the backup taken before the deploy.' },
  delete: { ...REVERSIBLE, reason: 'Rolling back recreates it from the backup taken before the deploy.' },
};

function decide(input: ReversibilityInput): Reversibility {
  const { type, fullName, change } = input;
  if (type === 'CustomField' || type === 'CustomObject') {
    if (change === 'create') return createdSchema(type, fullName);
    if (change === 'delete') return deletedSchema(type, fullName);
    if (type === 'CustomField') return fieldUpdate(fullName, input.before, input.after);
    return REVERSIBLE;
  }
  if (type === 'RecordType') return recordType(fullName, change);
  if (type === 'CustomApplication' && change !== 'delete') return applicationChange(fullName, input);
  if (type === 'Profile' && change === 'update') return profileUpdate(fullName, input.before, input.after);
  return REVERSIBLE;
}

function what(type: string, fullName: string): string {
  return type === 'CustomField' ? `the field ${fullName}` : `the object ${fullName}`;
}

function createdSchema(type: string, fullName: string): Reversibility {
  const where = type === 'CustomField' ? 'Deleted Fields list of its object' : 'Deleted Objects list';
  return {
    label: 'dataLoss',
    reason:
      `The deploy creates ${what(type, fullName)}: rolling back deletes it, and every value entered in it since ` +
      `goes with it. Salesforce keeps a deleted ${type === 'CustomField' ? 'field' : 'object'} and its data ` +
      `${SALESFORCE_UNDELETE_DAYS} days.`,
    checklist: [
      `Before rolling back, export the data held in ${what(type, fullName)} if it is still needed.`,
      `To get it back within ${SALESFORCE_UNDELETE_DAYS} days of the rollback: Setup → Object Manager → the ${where} → Undelete.`,
    ],
  };
}

function deletedSchema(type: string, fullName: string): Reversibility {
  const where = type === 'CustomField' ? 'Deleted Fields list of its object' : 'Deleted Objects list';
  return {
    label: 'dataLoss',
    reason:
      `The deploy deletes ${what(type, fullName)}: rolling back recreates it empty. Its data comes back only by ` +
      `undeleting it in Setup within ${SALESFORCE_UNDELETE_DAYS} days of the deploy.`,
    checklist: [
      `To keep the data, do not recreate it: within ${SALESFORCE_UNDELETE_DAYS} days, Setup → Object Manager → the ${where} → Undelete.`,
      'A recreated component is new and empty: its history and values are not brought back.',
    ],
  };
}

function recordType(fullName: string, change: DeployChange): Reversibility {
  if (change === 'create')
    return {
      label: 'manual',
      reason:
        `The deploy creates the record type ${fullName}, and Salesforce does not delete record types through the ` +
        'API: a rollback leaves it in the org.',
      checklist: [
        `Setup → Object Manager → ${objectOf(fullName)} → Record Types → ${nameOf(fullName)}: deactivate it.`,
        'Reassign the records that use it to another record type, remove it from profiles and permission sets, then delete it.',
      ],
    };
  if (change === 'delete')
    return {
      label: 'manual',
      reason: `Salesforce does not delete record types through the API: the deploy fails on ${fullName}.`,
      checklist: [
        `Remove ${fullName} from the deletions and delete it in Setup (deactivate it, reassign its records, then delete).`,
      ],
    };
  return REVERSIBLE;
}

function objectOf(fullName: string): string {
  return fullName.split('.')[0] ?? fullName;
}
function nameOf(fullName: string): string {
  return fullName.slice(fullName.indexOf('.') + 1);
}

// ---- reading the files -----------------------------------------------------------------------------------------

type Node = Record<string, unknown>;

const parser = new XMLParser({ ignoreAttributes: true, parseTagValue: false, isArray: () => true });

function parseFiles(files: ReadonlyArray<ComponentFile>): Node[] {
  const roots: Node[] = [];
  for (const f of files) {
    if (!/\.xml$|\.object$|\.field$|\.app$|\.profile$/.test(f.path)) continue;
    try {
      roots.push(parser.parse(f.content.toString('utf8')) as Node);
    } catch {
      /* not XML: nothing to read */
    }
  }
  return roots;
}

function all(node: Node | undefined, tag: string): Node[] {
  const v = node?.[tag];
  return Array.isArray(v) ? (v.filter((x) => typeof x === 'object' && x !== null) as Node[]) : [];
}
function text(node: Node | undefined, tag: string): string | undefined {
  const v = node?.[tag];
  const first: unknown = Array.isArray(v) ? v[0] : v;
  return typeof first === 'string' ? first.trim() : undefined;
}

/** The field's element: a source-format CustomField file, or its `<fields>` in a metadata-format object file. */
function fieldOf(files: ReadonlyArray<ComponentFile>, fullName: string): Node | undefined {
  const field = nameOf(fullName).toLowerCase();
  for (const root of parseFiles(files)) {
    const own = all(root, 'CustomField')[0];
    if (own) return own;
    for (const obj of all(root, 'CustomObject'))
      for (const f of all(obj, 'fields')) if (text(f, 'fullName')?.toLowerCase() === field) return f;
  }
  return undefined;
}

interface Picklist {
  /** Local values: name (lower case) → active. */
  values: Map<string, { name: string; active: boolean }>;
  globalValueSet: string | undefined;
  /** controllingField and valueSettings as one comparable text. */
  dependency: string;
}

function picklistOf(field: Node | undefined): Picklist | undefined {
  const valueSet = all(field, 'valueSet')[0];
  if (!valueSet) return undefined;
  const values = new Map<string, { name: string; active: boolean }>();
  for (const v of all(all(valueSet, 'valueSetDefinition')[0], 'value')) {
    const name = text(v, 'fullName');
    if (name) values.set(name.toLowerCase(), { name, active: text(v, 'isActive') !== 'false' });
  }
  return {
    values,
    globalValueSet: text(valueSet, 'valueSetName'),
    dependency: JSON.stringify([text(valueSet, 'controllingField') ?? null, valueSet.valueSettings ?? null]),
  };
}

/**
 * Whether the label of an update needs the component's files from before the deploy, once the files the deploy sent
 * (`after`) are known: a field's only when those hold a picklist (the only field update that can be irreversible);
 * an application's and a profile's always.
 */
export function readsFilesBefore(type: string, after: ReadonlyArray<ComponentFile> | null | undefined): boolean {
  return type !== 'CustomField' || leavesPicklist(after);
}

/** A field whose files never say valueSet is not parsed (a rollback of 5,000 fields parsed 10,000 files to learn that). */
function leavesPicklist(after: ReadonlyArray<ComponentFile> | null | undefined): after is ReadonlyArray<ComponentFile> {
  return Boolean(after?.some((f) => f.content.includes('valueSet')));
}

function fieldUpdate(
  fullName: string,
  before: ReadonlyArray<ComponentFile> | null | undefined,
  after: ReadonlyArray<ComponentFile> | null | undefined,
): Reversibility {
  // only a picklist the deploy leaves can be irreversible
  if (!leavesPicklist(after)) return REVERSIBLE;
  const next = picklistOf(fieldOf(after, fullName));
  if (before === undefined || before === null) {
    if (!next) return REVERSIBLE;
    return {
      label: 'manual',
      reason:
        `${fullName} is a picklist and its values in the org were not read before the deploy: picklist values the ` +
        'deploy adds cannot be deleted by a rollback, only deactivated.',
      checklist: [
        `After a rollback, compare the values of ${fullName} in Setup with the ones before the deploy and delete (or replace) the ones the deploy added.`,
      ],
    };
  }
  const prev = picklistOf(fieldOf(before, fullName));
  if (!prev || !next) return REVERSIBLE;
  if (!prev.globalValueSet && next.globalValueSet)
    return {
      label: 'manual',
      reason:
        `The deploy makes ${fullName} use the global value set ${next.globalValueSet}; Salesforce cannot convert a ` +
        'field back from a global value set to its own values, so a rollback cannot undo it.',
      checklist: [
        `To go back, create a new picklist field with the earlier values, copy the data of ${fullName} into it, and update the layouts, reports and automation that use ${fullName}.`,
      ],
    };
  if (prev.dependency !== next.dependency)
    return {
      label: 'manual',
      reason: `The deploy changes the field dependency of ${fullName} (its controlling field or which values it allows): a rollback does not reliably put a dependency back.`,
      checklist: [
        `Setup → Object Manager → ${objectOf(fullName)} → Field Dependencies: set the dependency of ${nameOf(fullName)} back as it was before the deploy.`,
      ],
    };
  const added = [...next.values].filter(([k]) => !prev.values.has(k)).map(([, v]) => v.name);
  const removed = [...prev.values]
    .filter(([k, v]) => v.active && !(next.values.get(k)?.active ?? false))
    .map(([, v]) => v.name);
  if (added.length)
    return {
      label: 'manual',
      reason:
        `The deploy adds picklist value(s) ${added.join(', ')} to ${fullName}. Salesforce cannot delete picklist ` +
        'values through a deploy, only deactivate them: after a rollback they would stay in the field, inactive.',
      checklist: [
        `Setup → Object Manager → ${objectOf(fullName)} → ${nameOf(fullName)}: delete (or replace with an earlier value) ${added.join(', ')}, choosing what records that hold them get.`,
        `Then deploy the earlier ${fullName} if other attributes of the field changed.`,
      ],
    };
  if (removed.length)
    return {
      label: 'reversible',
      reason: `The deploy deactivates picklist value(s) ${removed.join(', ')} of ${fullName} (Salesforce deactivates the values a deploy omits); rolling back makes them active again.`,
      checklist: [],
    };
  return REVERSIBLE;
}

/** The Lightning page assignments an application holds (`profileActionOverrides` / `actionOverrides` to a FlexiPage). */
function flexiPageAssignments(files: ReadonlyArray<ComponentFile>): string[] {
  const out: string[] = [];
  for (const root of parseFiles(files))
    for (const app of all(root, 'CustomApplication'))
      for (const tag of ['profileActionOverrides', 'actionOverrides'])
        for (const o of all(app, tag)) {
          if (text(o, 'type')?.toLowerCase() !== 'flexipage') continue;
          const parts = [
            text(o, 'pageOrSobjectType'),
            text(o, 'actionName'),
            text(o, 'formFactor'),
            text(o, 'profile'),
          ];
          out.push(`${text(o, 'content') ?? '?'} (${parts.filter(Boolean).join(', ')})`);
        }
  return out.sort();
}

function applicationChange(fullName: string, input: ReversibilityInput): Reversibility {
  const next = input.after ? flexiPageAssignments(input.after) : [];
  const prev = input.before ? flexiPageAssignments(input.before) : [];
  const known = input.change === 'create' || input.before !== undefined;
  if (known && JSON.stringify(prev) === JSON.stringify(next)) return REVERSIBLE;
  if (!known && next.length === 0) return REVERSIBLE;
  return {
    label: 'manual',
    reason:
      `The deploy changes which Lightning pages the app ${fullName} assigns (${next.join('; ') || 'none'}): page ` +
      'activations are not reliably undone by a rollback.',
    checklist: [
      `Lightning App Builder → each page listed → Activation: set the app, record page and profile assignments of ${fullName} back as before the deploy${prev.length ? ` (${prev.join('; ')})` : ''}.`,
    ],
  };
}

/** The profile settings a redeploy of the earlier profile does not put back. */
function profileSettings(files: ReadonlyArray<ComponentFile>): { license?: string; ipRanges: string; hours: string } {
  for (const root of parseFiles(files))
    for (const p of all(root, 'Profile'))
      return {
        ...(text(p, 'userLicense') ? { license: text(p, 'userLicense') } : {}),
        ipRanges: JSON.stringify(p.loginIpRanges ?? null),
        hours: JSON.stringify(p.loginHours ?? null),
      };
  return { ipRanges: 'null', hours: 'null' };
}

function profileUpdate(
  fullName: string,
  before: ReadonlyArray<ComponentFile> | null | undefined,
  after: ReadonlyArray<ComponentFile> | null | undefined,
): Reversibility {
  if (!before || !after) return REVERSIBLE;
  const prev = profileSettings(before);
  const next = profileSettings(after);
  const steps: string[] = [];
  const why: string[] = [];
  if (next.license && prev.license && next.license !== prev.license) {
    why.push(`its user license (${prev.license} → ${next.license})`);
    steps.push(
      `A profile's user license cannot be changed back: clone a profile with the ${prev.license} license and move the users of ${fullName} to it.`,
    );
  }
  if (next.ipRanges !== 'null' && next.ipRanges !== prev.ipRanges) {
    why.push('its login IP ranges');
    steps.push(`Setup → Profiles → ${fullName} → Login IP Ranges: set them back as before the deploy.`);
  }
  if (next.hours !== 'null' && next.hours !== prev.hours) {
    why.push('its login hours');
    steps.push(`Setup → Profiles → ${fullName} → Login Hours: set them back as before the deploy.`);
  }
  if (!why.length) return REVERSIBLE;
  return {
    label: 'manual',
    reason: `The deploy changes ${why.join(' and ')} of the profile ${fullName}; deploying the earlier profile does not put these back (a profile deploy adds to what the org has).`,
    checklist: steps,
  };
}

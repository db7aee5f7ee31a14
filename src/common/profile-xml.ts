// Profiles and permission sets as Salesforce treats them: a set of elements (one per repeated section entry,
// keyed by its identifying child) plus scalar fields. Shared by the emulator (relative retrieve, element-wise
// merge on deploy) and Backtrack (backup, restore, verification). Plain text scanning: each element keeps its
// exact text, so an unchanged element renders byte-identical.

/** Metadata types whose files Salesforce retrieves relative to the other components of the retrieve. */
export const PROFILE_LIKE_TYPES: ReadonlySet<string> = new Set(['Profile', 'PermissionSet']);

export function isProfileLike(type: string): boolean {
  return PROFILE_LIKE_TYPES.has(type);
}

/** A component an element is about (type and full name, as in package.xml). */
export interface ElementSubject {
  readonly type: string;
  readonly fullName: string;
}

/** One top-level child of the root: a section entry (`fieldPermissions` of a field) or a scalar (`custom`). */
export interface ProfileElement {
  /** The tag: `fieldPermissions`, `custom`, … */
  readonly section: string;
  /** The identifying value (`Account.Tier__c`; `Layout (RecordType)` for layout assignments); '' for scalars. */
  readonly key: string;
  /** The element's exact text, from `<section>` to `</section>`. */
  readonly text: string;
  /** Its direct simple children (`editable` → `true`); empty for a scalar. */
  readonly values: ReadonlyMap<string, string>;
  /** A scalar (`<custom>false</custom>`) rather than an entry with children. */
  readonly scalar: boolean;
}

export interface ProfileDocument {
  /** Everything before the root element (`<?xml …?>` and a line break), kept as written. */
  readonly prolog: string;
  /** The root's name (`Profile`, `PermissionSet`) and its opening tag as written. */
  readonly root: string;
  readonly rootOpen: string;
  readonly elements: readonly ProfileElement[];
}

export class ProfileXmlError extends Error {}

/** The identifying children of each section (joined in the key); sections not listed use their first child. */
const KEY_CHILDREN: Readonly<Record<string, readonly string[]>> = {
  applicationVisibilities: ['application'],
  categoryGroupVisibilities: ['dataCategoryGroup'],
  classAccesses: ['apexClass'],
  customMetadataTypeAccesses: ['name'],
  customPermissions: ['name'],
  customSettingAccesses: ['name'],
  externalDataSourceAccesses: ['externalDataSource'],
  fieldPermissions: ['field'],
  flowAccesses: ['flow'],
  layoutAssignments: ['layout', 'recordType'],
  loginFlows: ['friendlyName'],
  loginHours: [],
  loginIpRanges: ['startAddress', 'endAddress'],
  objectPermissions: ['object'],
  pageAccesses: ['apexPage'],
  profileActionOverrides: ['actionName', 'pageOrSobjectType', 'recordType'],
  recordTypeVisibilities: ['recordType'],
  tabSettings: ['tab'],
  tabVisibilities: ['tab'],
  userPermissions: ['name'],
};

/** Which metadata type each section's key names; sections not listed are about nothing (always retrieved). */
const SUBJECT_TYPES: Readonly<Record<string, string>> = {
  applicationVisibilities: 'CustomApplication',
  classAccesses: 'ApexClass',
  customMetadataTypeAccesses: 'CustomObject',
  customPermissions: 'CustomPermission',
  customSettingAccesses: 'CustomObject',
  externalDataSourceAccesses: 'ExternalDataSource',
  fieldPermissions: 'CustomField',
  flowAccesses: 'Flow',
  layoutAssignments: 'Layout',
  objectPermissions: 'CustomObject',
  pageAccesses: 'ApexPage',
  recordTypeVisibilities: 'RecordType',
  tabSettings: 'CustomTab',
  tabVisibilities: 'CustomTab',
};

const TOKEN = /<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>|<\?[\s\S]*?\?>|<(\/?)([A-Za-z_][\w.:-]*)[^>]*?(\/?)>/g;
const SIMPLE_CHILD = /<([A-Za-z_][\w.:-]*)>([^<]*)<\/\1>/g;

function simpleChildren(inner: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const m of inner.matchAll(SIMPLE_CHILD)) if (!values.has(m[1]!)) values.set(m[1]!, m[2]!.trim());
  return values;
}

function keyOf(section: string, values: ReadonlyMap<string, string>, scalar: boolean): string {
  if (scalar) return '';
  const children = KEY_CHILDREN[section] ?? [...values.keys()].slice(0, 1);
  const parts = children.map((c) => values.get(c)).filter((v): v is string => v !== undefined && v !== '');
  if (section === 'layoutAssignments' && parts.length === 2) return `${parts[0]} (${parts[1]})`;
  return parts.join(' ');
}

/** Splits a Profile or PermissionSet file (metadata or source format: the same XML) into its elements. */
export function parseProfile(xml: string): ProfileDocument {
  const elements: ProfileElement[] = [];
  let depth = 0;
  let root = '';
  let rootOpen = '';
  let prolog = '';
  let start = -1;
  let section = '';
  let nested = false;
  for (const m of xml.matchAll(TOKEN)) {
    const [token, closing, name, selfClosing] = m;
    if (name === undefined) continue; // comment, CDATA, processing instruction
    const index = m.index;
    if (closing) {
      depth--;
      if (depth === 1 && name === section && start >= 0) {
        const text = xml.slice(start, index + token.length);
        const inner = text.slice(text.indexOf('>') + 1, text.length - token.length);
        const scalar = !nested;
        const values = scalar ? new Map<string, string>() : simpleChildren(inner);
        elements.push({ section, key: keyOf(section, values, scalar), text, values, scalar });
        start = -1;
      }
      if (depth < 0) throw new ProfileXmlError(`Unexpected </${name}>`);
      continue;
    }
    if (depth === 0) {
      if (root) throw new ProfileXmlError('More than one root element');
      root = name;
      rootOpen = token;
      prolog = xml.slice(0, index);
      if (!selfClosing) depth = 1;
      continue;
    }
    if (depth === 1) {
      if (selfClosing) {
        elements.push({ section: name, key: '', text: token, values: new Map(), scalar: true });
        continue;
      }
      section = name;
      start = index;
      nested = false;
    } else if (depth >= 2) {
      nested = true;
    }
    if (!selfClosing) depth++;
  }
  if (!root || depth !== 0) throw new ProfileXmlError('Not a complete XML document');
  return { prolog, root, rootOpen, elements };
}

/** The identity of an element in its file: section and key, case-insensitive (names are). */
export function elementId(e: Pick<ProfileElement, 'section' | 'key'>): string {
  return `${e.section}\u0000${e.key.toLowerCase()}`;
}

/** How an element is named to a person: `fieldPermissions Account.Tier__c`, or the scalar's tag. */
export function elementLabel(e: Pick<ProfileElement, 'section' | 'key'>): string {
  return e.key ? `${e.section} ${e.key}` : e.section;
}

/** The element label back as section and key (the inverse of elementLabel). */
export function parseElementLabel(label: string): { section: string; key: string } {
  const space = label.indexOf(' ');
  return space < 0 ? { section: label, key: '' } : { section: label.slice(0, space), key: label.slice(space + 1) };
}

/** The element's content independent of layout: simple children in name order (names in any case), or the text. */
export function elementContent(e: ProfileElement): string {
  if (e.scalar) return e.text.replace(/^<[^>]*>|<\/[^>]*>$/g, '').trim();
  const nestedDeeper = e.text
    .slice(e.text.indexOf('>') + 1)
    .replace(SIMPLE_CHILD, '')
    .replace(/\s+/g, '');
  if (nestedDeeper !== `</${e.section}>`) return e.text.replace(/>\s+</g, '><').trim();
  const names = new Set(KEY_CHILDREN[e.section] ?? []);
  return [...e.values]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([tag, value]) => `${tag}=${names.has(tag) ? value.toLowerCase() : value}`)
    .join('\n');
}

/** Whether two elements say the same (same children and values, whatever their order and indentation). */
export function sameElement(a: ProfileElement, b: ProfileElement): boolean {
  return elementId(a) === elementId(b) && elementContent(a) === elementContent(b);
}

/** The components an element is about: a field's permissions are about the field and its object. */
export function elementSubjects(e: Pick<ProfileElement, 'section' | 'key' | 'values'>): ElementSubject[] {
  const type = SUBJECT_TYPES[e.section];
  if (!type || !e.key) return [];
  if (e.section === 'layoutAssignments') {
    const layout = e.values.get('layout');
    const recordType = e.values.get('recordType');
    return [
      ...(layout ? [{ type, fullName: layout }] : []),
      ...(recordType ? [{ type: 'RecordType', fullName: recordType }] : []),
    ];
  }
  if (type === 'CustomField' || type === 'RecordType') {
    const dot = e.key.indexOf('.');
    const object = dot > 0 ? [{ type: 'CustomObject', fullName: e.key.slice(0, dot) }] : [];
    return [{ type, fullName: e.key }, ...object];
  }
  return [{ type, fullName: e.key }];
}

function compareElements(a: ProfileElement, b: ProfileElement): number {
  if (a.section !== b.section) return a.section < b.section ? -1 : 1;
  const ka = a.key.toLowerCase();
  const kb = b.key.toLowerCase();
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** The file in Salesforce's order: sections in alphabetical order of the tag, entries by key, 4-space indent. */
export function renderProfile(doc: ProfileDocument): string {
  const body = [...doc.elements]
    .sort(compareElements)
    .map((e) => `    ${e.text}\n`)
    .join('');
  return `${doc.prolog}${doc.rootOpen}\n${body}</${doc.root}>\n`;
}

/** The document with only the elements `keep` accepts. */
export function filterProfile(doc: ProfileDocument, keep: (e: ProfileElement) => boolean): ProfileDocument {
  return { ...doc, elements: doc.elements.filter(keep) };
}

/**
 * Deploy semantics: the overlay's elements replace those of the same section and key, scalars included; elements
 * the overlay does not hold stay as they were.
 */
export function mergeProfiles(base: ProfileDocument, overlay: ProfileDocument): ProfileDocument {
  const byId = new Map(base.elements.map((e) => [elementId(e), e]));
  for (const e of overlay.elements) byId.set(elementId(e), e);
  return { ...base, elements: [...byId.values()] };
}

/** Whether two documents hold the same elements with the same content (order and layout aside). */
export function sameElements(a: ProfileDocument, b: ProfileDocument): boolean {
  if (a.elements.length !== b.elements.length) return false;
  const byId = new Map(a.elements.map((e) => [elementId(e), e]));
  return b.elements.every((e) => {
    const other = byId.get(elementId(e));
    return other !== undefined && sameElement(other, e);
  });
}

/** What a section's entry says when it grants nothing, per child that grants something. */
const NO_ACCESS_VALUES: Readonly<Record<string, string>> = {
  allowCreate: 'false',
  allowDelete: 'false',
  allowEdit: 'false',
  allowRead: 'false',
  default: 'false',
  editable: 'false',
  enabled: 'false',
  modifyAllRecords: 'false',
  readable: 'false',
  viewAllFields: 'false',
  viewAllRecords: 'false',
  visible: 'false',
};

/**
 * The element with every grant set back to no access (`readable`/`editable` false, `enabled` false, tab
 * `visibility` Hidden in a profile, None in a permission set); undefined for an entry nothing can revoke (a layout
 * assignment, a login IP range) or a scalar.
 */
export function withoutAccess(e: ProfileElement, root: string): ProfileElement | undefined {
  if (e.scalar) return undefined;
  const hiddenTab = root === 'PermissionSet' ? 'None' : 'Hidden';
  const revoked = (tag: string) => (tag === 'visibility' ? hiddenTab : NO_ACCESS_VALUES[tag]);
  if (![...e.values.keys()].some((tag) => revoked(tag) !== undefined)) return undefined;
  const text = e.text.replace(SIMPLE_CHILD, (whole, tag: string) => {
    const value = revoked(tag);
    return value === undefined ? whole : `<${tag}>${value}</${tag}>`;
  });
  const inner = text.slice(text.indexOf('>') + 1, text.lastIndexOf('<'));
  return { ...e, text, values: simpleChildren(inner) };
}

/** A new document of the same kind holding `elements`. */
export function withElements(doc: ProfileDocument, elements: readonly ProfileElement[]): ProfileDocument {
  return { ...doc, elements };
}

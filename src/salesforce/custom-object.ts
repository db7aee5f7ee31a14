import { registry, type MetadataType } from '@salesforce/source-deploy-retrieve';
import XMLBuilder from 'fast-xml-builder';
import { XMLParser } from 'fast-xml-parser';
import { compareMembers, type ResolvedComponent } from './component.types.js';
import {
  contentOf,
  elementText,
  METADATA_NS,
  nestedBody,
  rootLine,
  scanElements,
  XML_DECL,
  type ScannedFile,
} from './object-scan.js';

/**
 * Fast path for `CustomObject` and its decomposed children (`CustomField`, `ValidationRule`, `ListView`, …) in both
 * directions, without SDR's streams, temporary folders and ComponentSets.
 *
 * It reproduces what SDR 13.7 does for this type (`DecomposedMetadataTransformer` and `RecompositionFinalizer`)
 * with the same fast-xml-parser settings, so the files are byte-identical to SDR's: the parse is SDR's (not
 * `preserveOrder`: an element name that occurs in two separate runs is grouped at its first position, as SDR does),
 * the serialization is SDR's `JsToXml` (declaration, namespace, 4-space indentation, numeric character references
 * kept). Child types come from SDR's registry. Whatever does not have the expected shape (another root element,
 * a child without a usable name, odd file names) returns undefined, and the caller sends that object to SDR.
 */

const XML_NS_KEY = '@_xmlns';
const XML_COMMENT_PROP_NAME = '#xml__comment';
const META_XML_SUFFIX = '-meta.xml';

/** SDR's parser (`utils/metadata.js`), option for option. */
const parser = new XMLParser({
  ignoreAttributes: false,
  parseTagValue: false,
  parseAttributeValue: false,
  cdataPropName: '__cdata',
  processEntities: { enabled: true, maxTotalExpansions: 50_000 },
  ignoreDeclaration: true,
  numberParseOptions: { leadingZeros: false, hex: false },
  commentPropName: XML_COMMENT_PROP_NAME,
});

/** SDR's `JsToXml` builder (`convert/streams.js`), option for option. */
const builder = new XMLBuilder({
  format: true,
  indentBy: '    ',
  ignoreAttributes: false,
  suppressBooleanAttributes: false,
  cdataPropName: '__cdata',
  commentPropName: XML_COMMENT_PROP_NAME,
});

type XmlMap = Record<string, unknown>;

function isJsonMap(value: unknown): value is XmlMap {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** What SDR's JsToXml writes for an object: declaration, formatted XML, numeric references unescaped, comments inline. */
function toXml(object: XmlMap): Buffer {
  const built = XML_DECL.concat(builder.build(object).replace(/&amp;#(x?[\da-fA-F]+);/g, '&#$1;'));
  return Buffer.from(built.includes('<!--') ? built.replace(/\s+<!--(.*?)-->\s+/g, '<!--$1-->') : built);
}

function parse(content: Buffer): XmlMap | undefined {
  try {
    const parsed: unknown = parser.parse(content.toString());
    return isJsonMap(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

export interface ObjectChildType {
  /** `CustomField` */
  name: string;
  /** Source-format folder under the object (`fields`). */
  directoryName: string;
  /** Source-format file suffix (`field` → `F__c.field-meta.xml`). */
  suffix: string;
  /** Element of the object file holding these children (`fields`). */
  xmlElement: string;
  /** Element naming a child (SDR: `uniqueIdElement`, else `fullName`, else `name`). */
  uniqueIdElement?: string;
}

const OBJECT_TYPE: MetadataType = registry.types.customobject as MetadataType;
export const CUSTOM_OBJECT = OBJECT_TYPE.name;
const OBJECT_DIR = OBJECT_TYPE.directoryName;
const OBJECT_SUFFIX = OBJECT_TYPE.suffix!;

/** The decomposed child types of CustomObject, from SDR's registry. */
export const OBJECT_CHILD_TYPES: readonly ObjectChildType[] = Object.values(OBJECT_TYPE.children?.types ?? {})
  .filter((t) => t.directoryName && t.suffix)
  .map((t) => ({
    name: t.name,
    directoryName: t.directoryName,
    suffix: t.suffix!,
    xmlElement: t.xmlElementName ?? t.directoryName,
    ...(t.uniqueIdElement ? { uniqueIdElement: t.uniqueIdElement } : {}),
  }));

const CHILD_BY_NAME = new Map(OBJECT_CHILD_TYPES.map((t) => [t.name, t]));
/** The elements of an object file that hold its children (`fields`, `listViews`, …). */
const GROUP_ELEMENTS = new Set(OBJECT_CHILD_TYPES.map((t) => t.xmlElement));
const CHILD_BY_DIRECTORY = new Map(OBJECT_CHILD_TYPES.map((t) => [t.directoryName, t]));

/** SDR's `tagToChildTypeId`: an `xmlElementName` match first, else the registry's `directories` entry. */
const CHILD_BY_TAG = ((): Map<string, ObjectChildType> => {
  const byId = new Map(
    Object.entries(OBJECT_TYPE.children?.types ?? {}).map(([id, t]) => [id, CHILD_BY_NAME.get(t.name)]),
  );
  const map = new Map<string, ObjectChildType>();
  for (const [dir, id] of Object.entries(OBJECT_TYPE.children?.directories ?? {})) {
    const spec = byId.get(id);
    if (spec) map.set(dir, spec);
  }
  const explicit = new Set<string>();
  for (const t of Object.values(OBJECT_TYPE.children?.types ?? {})) {
    const spec = CHILD_BY_NAME.get(t.name);
    if (t.xmlElementName && spec && !explicit.has(t.xmlElementName)) {
      map.set(t.xmlElementName, spec);
      explicit.add(t.xmlElementName);
    }
  }
  return map;
})();

/** Whether a member type is CustomObject or one of its decomposed children. */
export function isObjectFamily(type: string): boolean {
  return type === CUSTOM_OBJECT || CHILD_BY_NAME.has(type);
}

/**
 * Names that become file names: plain API names only (letters, digits, `_`, `-`). Anything else (a `/`, a dot, a
 * leading dot that SDR's default forceignore would drop…) is left to SDR.
 */
const SAFE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_-]*$/;

/** SDR's `extractUniqueElementValue`: the unique id element if it is a string, else `fullName`, else `name`. */
function childName(value: XmlMap, spec: ObjectChildType): string | undefined {
  const pick = (key: string): string | undefined => (typeof value[key] === 'string' ? value[key] : undefined);
  return (spec.uniqueIdElement ? pick(spec.uniqueIdElement) : undefined) ?? pick('fullName') ?? pick('name');
}

function toArray(value: unknown): unknown[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/**
 * Metadata format → source format: `objects/X.object` becomes the parent `objects/X/X.object-meta.xml` (the object's
 * own elements, in order) and one component per child (`objects/X/fields/F__c.field-meta.xml`), paths under
 * `sourceRoot`. The parent is always written, even when the file held only children (SDR does the same; see
 * `isChildContainerOnly`). Undefined when the file is not a plain CustomObject document.
 */
export function decomposeObjectFile(
  objectName: string,
  content: Buffer,
  sourceRoot: string,
  options: { scan?: boolean } = {},
): ResolvedComponent[] | undefined {
  return decomposeObject(objectName, content, sourceRoot, options.scan !== false)?.components;
}

/** `decomposeObjectFile`, and whether the scan read the file (then it is well-formed: `object-scan.ts`). */
function decomposeObject(
  objectName: string,
  content: Buffer,
  sourceRoot: string,
  scan: boolean,
): { components: ResolvedComponent[]; scanned: boolean } | undefined {
  if (!SAFE_NAME.test(objectName)) return undefined;
  if (scan) {
    const scanned = scanElements(content.toString(), CUSTOM_OBJECT);
    const cut = scanned && decomposeScanned(objectName, scanned, sourceRoot);
    if (cut) return { components: cut, scanned: true };
  }
  const components = decomposeParsed(objectName, content, sourceRoot);
  return components && { components, scanned: false };
}

/** `decomposeObjectFile` by the parser. */
function decomposeParsed(objectName: string, content: Buffer, sourceRoot: string): ResolvedComponent[] | undefined {
  const parsed = parse(content);
  if (!parsed) return undefined;
  const keys = Object.keys(parsed);
  if (keys.length !== 1 || keys[0] !== CUSTOM_OBJECT) return undefined;
  const body = parsed[CUSTOM_OBJECT];
  // `<CustomObject/>` parses as '' and SDR writes a parent holding only the namespace
  if (body !== '' && !isJsonMap(body)) return undefined;
  const entries = isJsonMap(body) ? Object.entries(body) : [];

  const folder = `${sourceRoot}/${OBJECT_DIR}/${objectName}`;
  const parent = { type: CUSTOM_OBJECT, fullName: objectName };
  const children: ResolvedComponent[] = [];
  const paths = new Set<string>();
  const own: [string, unknown][] = [];
  for (const [tag, value] of entries) {
    const spec = CHILD_BY_TAG.get(tag);
    if (!spec) {
      own.push([tag, value]);
      continue;
    }
    // SDR decomposes only element-valued entries; a text-only `<fields>x</fields>` is dropped by SDR too
    for (const item of toArray(value).filter(isJsonMap)) {
      const child = childComponent(parent, folder, spec, childName(item, spec), paths, () =>
        toXml({ [spec.name]: { [XML_NS_KEY]: METADATA_NS, ...item } }),
      );
      if (!child) return undefined;
      children.push(child);
    }
  }
  const parentFile = {
    path: `${folder}/${objectName}.${OBJECT_SUFFIX}${META_XML_SUFFIX}`,
    content: toXml({ [CUSTOM_OBJECT]: { [XML_NS_KEY]: METADATA_NS, ...Object.fromEntries(own) } }),
  };
  return [{ ...parent, files: [parentFile] }, ...children];
}

/**
 * The source-format component of the object's child `name`, at the path SDR gives it, its file made by `content`;
 * undefined for a name that is not a plain API name or whose path is already taken (the caller leaves the object to
 * SDR).
 */
function childComponent(
  parent: { type: string; fullName: string },
  folder: string,
  spec: ObjectChildType,
  name: string | undefined,
  paths: Set<string>,
  content: () => Buffer,
): ResolvedComponent | undefined {
  if (name === undefined || !SAFE_NAME.test(name)) return undefined;
  const path = `${folder}/${spec.directoryName}/${name}.${spec.suffix}${META_XML_SUFFIX}`;
  if (paths.has(path)) return undefined;
  paths.add(path);
  return { type: spec.name, fullName: `${parent.fullName}.${name}`, parent, files: [{ path, content: content() }] };
}

/**
 * `decomposeObjectFile` for a file `scanElements` could read: the same files, cut from its text. Undefined for
 * what the parser path decides (a child without a usable name, a child holding only text, two of the same name).
 */
function decomposeScanned(objectName: string, file: ScannedFile, sourceRoot: string): ResolvedComponent[] | undefined {
  const folder = `${sourceRoot}/${OBJECT_DIR}/${objectName}`;
  const parent = { type: CUSTOM_OBJECT, fullName: objectName };
  const children: ResolvedComponent[] = [];
  const paths = new Set<string>();
  let own = '';
  for (const element of file.elements) {
    const spec = CHILD_BY_TAG.get(element.tag);
    if (!spec) {
      own += elementText(file, element);
      continue;
    }
    if (!element.container) return undefined;
    const child = childComponent(parent, folder, spec, scannedChildName(element.leaves, spec), paths, () =>
      Buffer.from(`${XML_DECL}${rootLine(spec.name)}\n${contentOf(file, element)}</${spec.name}>\n`),
    );
    if (!child) return undefined;
    children.push(child);
  }
  const root = `${XML_DECL}${rootLine(CUSTOM_OBJECT)}`;
  const parentFile = {
    path: `${folder}/${objectName}.${OBJECT_SUFFIX}${META_XML_SUFFIX}`,
    content: Buffer.from(own ? `${root}\n${own}</${CUSTOM_OBJECT}>\n` : `${root}</${CUSTOM_OBJECT}>\n`),
  };
  return [{ ...parent, files: [parentFile] }, ...children];
}

/** `childName` on a scanned element's leaves (raw text: entity references not decoded). */
function scannedChildName(leaves: Map<string, string>, spec: ObjectChildType): string | undefined {
  return (
    (spec.uniqueIdElement ? leaves.get(spec.uniqueIdElement) : undefined) ??
    leaves.get('fullName') ??
    leaves.get('name')
  );
}

/**
 * Picks the `objects/X.object` files out of a metadata-format tree and decomposes them; files it cannot handle
 * stay in `rest` (for SDR). `scanned`: the files the scan read, which are well-formed XML by the form it accepts.
 */
export function splitObjectMetadataFiles(
  files: Map<string, Buffer>,
  sourceRoot: string,
): { components: ResolvedComponent[]; rest: Map<string, Buffer>; scanned: Set<string> } {
  const rest = new Map(files);
  const components: ResolvedComponent[] = [];
  const scanned = new Set<string>();
  const suffix = `.${OBJECT_SUFFIX}`;
  for (const [path, content] of files) {
    const segments = path.split('/');
    if (segments.length !== 2 || segments[0] !== OBJECT_DIR || !segments[1]!.endsWith(suffix)) continue;
    const decomposed = decomposeObject(segments[1]!.slice(0, -suffix.length), content, sourceRoot, true);
    if (!decomposed) continue;
    components.push(...decomposed.components);
    if (decomposed.scanned) scanned.add(path);
    rest.delete(path);
  }
  return { components: components.sort(compareMembers), rest, scanned };
}

/** The object a source-format component of the CustomObject family belongs to, or undefined when its file is not where SDR would put it. */
function objectOf(component: ResolvedComponent): string | undefined {
  if (component.files.length !== 1) return undefined;
  const segments = component.files[0]!.path.split('/');
  const base = segments[segments.length - 1]!;
  if (component.type === CUSTOM_OBJECT) {
    if (component.parent || !SAFE_NAME.test(component.fullName)) return undefined;
    const ok =
      base === `${component.fullName}.${OBJECT_SUFFIX}${META_XML_SUFFIX}` &&
      segments[segments.length - 2] === component.fullName &&
      segments[segments.length - 3] === OBJECT_DIR;
    return ok ? component.fullName : undefined;
  }
  const spec = CHILD_BY_NAME.get(component.type);
  if (!spec || component.parent?.type !== CUSTOM_OBJECT || segments.length < 4) return undefined;
  const object = component.parent.fullName;
  const name = base.endsWith(`.${spec.suffix}${META_XML_SUFFIX}`)
    ? base.slice(0, -`.${spec.suffix}${META_XML_SUFFIX}`.length)
    : undefined;
  const ok =
    name !== undefined &&
    SAFE_NAME.test(object) &&
    SAFE_NAME.test(name) &&
    component.fullName === `${object}.${name}` &&
    CHILD_BY_DIRECTORY.get(segments[segments.length - 2]!) === spec &&
    segments[segments.length - 3] === object &&
    segments[segments.length - 4] === OBJECT_DIR;
  return ok ? object : undefined;
}

/** SDR's `unwrapAndOmitNS` for a file whose root element is `type` (undefined for any other shape). */
function unwrapped(content: Buffer, type: string): XmlMap | undefined {
  const parsed = parse(content);
  if (!parsed) return undefined;
  const keys = Object.keys(parsed);
  if (keys.length !== 1 || keys[0] !== type) return undefined;
  const body = parsed[type];
  if (body === '') return {};
  if (!isJsonMap(body)) return undefined;
  return Object.fromEntries(Object.entries(body).filter(([key]) => key !== XML_NS_KEY));
}

/**
 * Source format → metadata format for CustomObject and its children: per object, one `objects/X.object` holding
 * the object's own elements (when the object itself is given) followed by the given children, grouped by element
 * name (sorted) and sorted by name within a group, as SDR's recomposition does. A child alone gives an object file
 * holding only that child; an object alone gives no children. Components of an object the fast path cannot handle
 * (unexpected paths or XML shapes) are returned in `rest`, all of that object's components together.
 */
export function composeObjectComponents(
  components: ResolvedComponent[],
  options: { scan?: boolean } = {},
): {
  files: Map<string, Buffer>;
  rest: ResolvedComponent[];
} {
  const rest: ResolvedComponent[] = [];
  const groups = new Map<string, ResolvedComponent[]>();
  const unhandled = new Set<string>();
  for (const c of components) {
    const object = objectOf(c);
    const key = object ?? c.parent?.fullName ?? c.fullName;
    if (object === undefined) unhandled.add(key);
    const list = groups.get(key) ?? [];
    list.push(c);
    groups.set(key, list);
  }
  const files = new Map<string, Buffer>();
  for (const [object, members] of groups) {
    const content = unhandled.has(object)
      ? undefined
      : ((options.scan !== false ? composeScanned(members) : undefined) ?? composeObject(members));
    if (content) files.set(`${OBJECT_DIR}/${object}.${OBJECT_SUFFIX}`, content);
    else rest.push(...members);
  }
  return { files, rest };
}

function composeObject(members: ResolvedComponent[]): Buffer | undefined {
  let own: XmlMap = {};
  const children: { spec: ObjectChildType; xml: XmlMap }[] = [];
  const seen = new Set<string>();
  for (const c of members) {
    const key = `${c.type}:${c.fullName}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (c.type === CUSTOM_OBJECT) {
      const xml = unwrapped(c.files[0]!.content, CUSTOM_OBJECT);
      if (!xml) return undefined;
      own = xml;
    } else {
      const spec = CHILD_BY_NAME.get(c.type)!;
      const xml = unwrapped(c.files[0]!.content, spec.name);
      if (!xml) return undefined;
      children.push({ spec, xml });
    }
  }
  const sortKey = (child: { spec: ObjectChildType; xml: XmlMap }): string => childName(child.xml, child.spec) ?? '';
  const groupNames = [...new Set(children.map((c) => c.spec.xmlElement))].sort();
  const groups = Object.fromEntries(
    groupNames.map((group) => [
      group,
      children
        .filter((c) => c.spec.xmlElement === group)
        .sort((a, b) => sortKey(a).localeCompare(sortKey(b)))
        .map((c) => c.xml),
    ]),
  );
  return toXml({ [CUSTOM_OBJECT]: { [XML_NS_KEY]: METADATA_NS, ...own, ...groups } });
}

/**
 * `composeObject` for members whose files `scanElements` can read: the object's own elements as they stand, then
 * each group of children (by element name, sorted) with each child's elements four spaces more indented, sorted by
 * name as `composeObject` sorts them. Undefined when a file is in another form, a child's name holds an entity
 * reference (the parser would sort it decoded), or the object's own elements include a children's group.
 */
function composeScanned(members: ResolvedComponent[]): Buffer | undefined {
  const emptyObject = `${XML_DECL}${rootLine(CUSTOM_OBJECT)}</${CUSTOM_OBJECT}>\n`;
  let own = '';
  const children: { spec: ObjectChildType; name: string; body: string }[] = [];
  const seen = new Set<string>();
  for (const c of members) {
    const key = `${c.type}:${c.fullName}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const text = c.files[0]!.content.toString();
    if (c.type === CUSTOM_OBJECT) {
      if (text === emptyObject) {
        own = '';
        continue;
      }
      const file = scanElements(text, CUSTOM_OBJECT);
      if (!file || file.elements.some((e) => GROUP_ELEMENTS.has(e.tag))) return undefined;
      own = file.elements.map((e) => elementText(file, e)).join('');
    } else {
      const spec = CHILD_BY_NAME.get(c.type)!;
      const file = scanElements(text, spec.name);
      if (!file) return undefined;
      const name = scannedChildName(file.leaves, spec) ?? '';
      if (name.includes('&')) return undefined;
      children.push({ spec, name, body: nestedBody(file) });
    }
  }
  const groupNames = [...new Set(children.map((c) => c.spec.xmlElement))].sort();
  let groups = '';
  for (const group of groupNames) {
    const inGroup = children.filter((c) => c.spec.xmlElement === group).sort((a, b) => a.name.localeCompare(b.name));
    for (const child of inGroup) groups += `    <${group}>\n${child.body}    </${group}>\n`;
  }
  if (!own && !groups) return Buffer.from(emptyObject);
  return Buffer.from(`${XML_DECL}${rootLine(CUSTOM_OBJECT)}\n${own}${groups}</${CUSTOM_OBJECT}>\n`);
}

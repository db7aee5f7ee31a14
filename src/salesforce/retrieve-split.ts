import { compareMembers, type MemberRef, type ResolvedComponent } from './component.types.js';
import { componentKey } from './component-key.js';
import { canonicalXml } from './fingerprint.js';
import { metadataFilesToSource } from './metadata-to-source.js';
import { readZip } from '../common/zip.js';
import { nextTurn } from '../common/concurrency.js';
import { ComponentSet, type SourceComponent } from '@salesforce/source-deploy-retrieve';
import { StreamingVirtualTree } from './virtual-tree.js';
import { DEFAULT_SOURCE_ROOT, splitFastMetadataFiles } from './fast-path.js';
import { isIgnorableFile } from './source-tree.js';
import { storedFormatOf } from './stored-format.js';

const MANIFESTS = /^(package|destructiveChanges|destructiveChangesPre|destructiveChangesPost)\.xml$/;

export interface SplitRetrieve {
  /** Requested members found in the zip (a requested CustomObject: only its own file). */
  components: ResolvedComponent[];
  /** Requested members the zip does not hold. */
  missing: MemberRef[];
}

export interface SplitOptions {
  /** false sends everything through SDR (for the specs proving both paths agree). */
  fast?: boolean;
  /**
   * `source` (default): every component in source format (what snapshots taken before metadata-format backups
   * hold). `stored`: each component as a backup stores it (`storedFormatOf`): the retrieved files byte for byte,
   * in metadata format, except decomposed families (objects and their fields, labels, …), which are in source format.
   */
  format?: 'source' | 'stored';
}

/**
 * Splits a retrieve result (metadata format, `package.xml` at the root or under `unpackaged/`) into per-component
 * files and keeps only the requested members, matched by `componentKey` (a found member keeps the name the org
 * spells). Members the zip holds but nobody asked for (fields of a requested object, for instance) are dropped.
 */
export async function splitRetrievedZip(
  zip: Buffer,
  requested: MemberRef[],
  options: SplitOptions = {},
): Promise<SplitRetrieve> {
  const files = stripPackageFolder(await readZip(zip));
  let exact: ResolvedComponent[] = [];
  let rest = files;
  // a turn of the event loop between the steps (each tens of ms for thousands of files): see `turnsEvery`
  await nextTurn();
  if (options.format === 'stored') ({ components: exact, rest } = splitExactMetadataFiles(files));
  await nextTurn();
  const { components } = await metadataFilesToSource(rest, { fast: options.fast });
  const wanted = new Set(requested.map(componentKey));
  const converted = components.filter((c) => !isChildContainerOnly(c));
  const found = [...exact, ...converted].filter((c) => wanted.has(componentKey(c))).sort(compareMembers);
  const foundKeys = new Set(found.map(componentKey));
  const missing = dedupe(requested).filter((r) => !foundKeys.has(componentKey(r)));
  return { components: found, missing };
}

/**
 * The requested members of a metadata-format zip that a backup stores in metadata format, with their exact files
 * (for fingerprinting what a deploy package sends, without converting anything).
 */
export async function exactComponentsOf(zip: Buffer, requested: MemberRef[]): Promise<ResolvedComponent[]> {
  const wanted = new Set(requested.map(componentKey));
  const { components } = splitExactMetadataFiles(stripPackageFolder(await readZip(zip)));
  return components.filter((c) => wanted.has(componentKey(c)));
}

/**
 * Picks out of a metadata-format tree the components a backup stores in metadata format (`storedFormatOf`), with
 * their files exactly as given and package-relative paths; everything else is returned in `rest`. Ownership comes
 * from the fast path (Apex, LWC) and SDR's resolver over an in-memory tree (no conversion, so no byte changes).
 */
export function splitExactMetadataFiles(files: Map<string, Buffer>): {
  components: ResolvedComponent[];
  rest: Map<string, Buffer>;
} {
  const content = new Map([...files].filter(([p]) => !MANIFESTS.test(p)));
  const fast = splitFastMetadataFiles(content, DEFAULT_SOURCE_ROOT);
  const prefix = `${DEFAULT_SOURCE_ROOT}/`;
  const components: ResolvedComponent[] = fast.components.map((c) => ({
    ...c,
    files: c.files.map((f) => ({ path: f.path.slice(prefix.length), content: f.content })),
  }));
  const rest = new Map(fast.rest);
  const candidates = new Map([...rest].filter(([p]) => !isIgnorableFile(p)));
  if (candidates.size === 0) return { components, rest };
  let resolved: SourceComponent[];
  try {
    const tree = new StreamingVirtualTree(candidates);
    const roots = [...new Set([...candidates.keys()].map((p) => p.split('/')[0]!))];
    resolved = ComponentSet.fromSource({ fsPaths: roots, tree }).getSourceComponents().toArray();
  } catch {
    return { components, rest }; // SDR cannot resolve the tree as given: the source-format path reports why
  }
  for (const sc of resolved) {
    if (storedFormatOf(sc.type.name) !== 'metadata') continue;
    const paths = [...new Set([...(sc.xml ? [sc.xml] : []), ...sc.walkContent()])].sort();
    if (paths.length === 0 || paths.some((p) => !rest.has(p))) continue;
    const own = paths.map((p) => ({ path: p, content: rest.get(p)! }));
    components.push({ type: sc.type.name, fullName: sc.fullName, files: own });
    for (const p of paths) rest.delete(p);
  }
  return { components: components.sort(compareMembers), rest };
}

/**
 * When only children were retrieved (`CustomField Obj__c.F__c`), the org returns `objects/Obj__c.object` holding
 * just the fields, and SDR's decomposition then writes an empty `<CustomObject/>` parent file. That parent was not
 * retrieved and must not count as present.
 */
export function isChildContainerOnly(component: ResolvedComponent): boolean {
  if (component.parent || component.files.length !== 1) return false;
  const canonical = canonicalXml(component.files[0]!.content.toString('utf8'));
  return canonical !== undefined && /^<[A-Za-z]+( [^>]*)?><\/[A-Za-z]+>$/.test(canonical);
}

/** Removes the single folder (`unpackaged/`) that holds package.xml when the retrieve was not a single package. */
export function stripPackageFolder(files: Map<string, Buffer>): Map<string, Buffer> {
  if (files.has('package.xml')) return files;
  const tops = new Set([...files.keys()].map((p) => p.split('/')[0]));
  if (tops.size !== 1) return files;
  const [top] = [...tops];
  if (!files.has(`${top}/package.xml`) && top !== 'unpackaged') return files;
  const prefix = `${top}/`;
  return new Map([...files].map(([p, c]) => [p.startsWith(prefix) ? p.slice(prefix.length) : p, c]));
}

const MISSING_PATTERNS = [
  /Entity of type '([^']+)' named '([^']+)' cannot be found/,
  /No ([A-Za-z0-9_]+) named:? ([^\s].*?) found/,
];

/**
 * Members named by "cannot be found" messages of a retrieve (`Entity of type 'ApexClass' named 'Foo' cannot be
 * found`) or by the warnings of a destructive change (`No ApexClass named: Foo found`). Other messages are ignored.
 */
export function parseMissingMessages(
  messages: ReadonlyArray<string | { problem?: string | null; fileName?: string | null }>,
): MemberRef[] {
  const out: MemberRef[] = [];
  for (const m of messages) {
    const text = typeof m === 'string' ? m : (m.problem ?? '');
    for (const pattern of MISSING_PATTERNS) {
      const match = pattern.exec(text);
      if (match) {
        out.push({ type: match[1]!, fullName: match[2]!.trim() });
        break;
      }
    }
  }
  return dedupe(out);
}

function dedupe(refs: MemberRef[]): MemberRef[] {
  const seen = new Map<string, MemberRef>();
  for (const r of refs)
    if (!seen.has(componentKey(r))) seen.set(componentKey(r), { type: r.type, fullName: r.fullName });
  return [...seen.values()];
}

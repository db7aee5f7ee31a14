import { type MemberRef, type ResolvedComponent } from './component.types.js';
import { componentKey } from './component-key.js';
import { canonicalXml } from './fingerprint.js';
import { metadataFilesToSource } from './metadata-to-source.js';
import { readZip } from './zip-archive.js';

export interface SplitRetrieve {
  /** Requested members found in the zip, in source format (a requested CustomObject: only its own file). */
  components: ResolvedComponent[];
  /** Requested members the zip does not hold. */
  missing: MemberRef[];
}

/**
 * Splits a retrieve result (metadata format, `package.xml` at the root or under `unpackaged/`) into per-component
 * source-format files and keeps only the requested members. Members the zip holds but nobody asked for (fields of a
 * requested object, for instance) are dropped.
 */
export async function splitRetrievedZip(zip: Buffer, requested: MemberRef[], options: { fast?: boolean } = {}): Promise<SplitRetrieve> {
  const files = stripPackageFolder(await readZip(zip));
  const { components } = await metadataFilesToSource(files, options);
  const wanted = new Set(requested.map(componentKey));
  const found = components.filter((c) => wanted.has(componentKey(c)) && !isChildContainerOnly(c));
  const foundKeys = new Set(found.map(componentKey));
  const missing = dedupe(requested).filter((r) => !foundKeys.has(componentKey(r)));
  return { components: found, missing };
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
export function parseMissingMessages(messages: ReadonlyArray<string | { problem?: string | null; fileName?: string | null }>): MemberRef[] {
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
  for (const r of refs) if (!seen.has(componentKey(r))) seen.set(componentKey(r), { type: r.type, fullName: r.fullName });
  return [...seen.values()];
}

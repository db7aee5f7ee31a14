import { createHash } from 'node:crypto';
import { XMLParser } from 'fast-xml-parser';
import { scanCanonicalXml } from './canonical-scan.js';

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  ignoreDeclaration: true,
  ignorePiTags: true,
  commentPropName: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
});

type OrderedNode = Record<string, unknown>;

function serialize(nodes: OrderedNode[], out: string[]): void {
  for (const node of nodes) {
    for (const key of Object.keys(node)) {
      if (key === ':@') continue;
      const value = node[key];
      if (key === '#text') {
        out.push('T', JSON.stringify(String(value)));
        continue;
      }
      const attrs = (node[':@'] as Record<string, unknown> | undefined) ?? {};
      const attrText = Object.keys(attrs)
        .sort()
        .map((a) => `${a}=${JSON.stringify(String(attrs[a]))}`)
        .join(' ');
      out.push('<', key, attrText ? ` ${attrText}` : '', '>');
      serialize(Array.isArray(value) ? (value as OrderedNode[]) : [], out);
      out.push('</', key, '>');
    }
  }
}

/**
 * A canonical form of an XML document: no declaration, no comments, no whitespace-only text between elements,
 * values trimmed, entities and CDATA resolved, attributes sorted. Element order is kept (it is significant in
 * metadata: picklist values, layout items). Returns undefined when the text is not well-formed XML.
 */
export function canonicalXml(text: string, options: { unorderedChildren?: boolean } = {}): string | undefined {
  return scanCanonicalXml(text, options.unorderedChildren) ?? parsedCanonicalXml(text, options);
}

/** `canonicalXml` through fast-xml-parser: every document the scan does not read, and the scan's reference. */
export function parsedCanonicalXml(text: string, options: { unorderedChildren?: boolean } = {}): string | undefined {
  try {
    const parsed = parser.parse(text, true) as OrderedNode[];
    if (options.unorderedChildren) {
      for (const root of parsed) {
        for (const key of Object.keys(root)) {
          if (key === ':@' || key.startsWith('#') || key.startsWith('?') || !Array.isArray(root[key])) continue;
          root[key] = sortedBySerialization(root[key] as OrderedNode[]);
        }
      }
    }
    const out: string[] = [];
    serialize(parsed, out);
    return out.join('');
  } catch {
    return undefined;
  }
}

function sortedBySerialization(nodes: OrderedNode[]): OrderedNode[] {
  const keyed = nodes.map((n) => {
    const out: string[] = [];
    serialize([n], out);
    return { n, key: out.join('') };
  });
  return keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)).map((k) => k.n);
}

/**
 * Files whose root holds a set, not a sequence: a CustomLabels file's `<labels>` are keyed by their full name and
 * an org returns them in its own order (sorted), whatever order they were deployed in.
 */
function hasUnorderedChildren(path: string): boolean {
  return /\.labels(-meta\.xml)?$/.test(path);
}

function isXmlPath(path: string): boolean {
  return (
    path.endsWith('.xml') ||
    /\.(object|layout|profile|permissionset|labels|workflow|field|listView|validationRule)$/.test(path)
  );
}

/**
 * Paths relative to the folder all the component's files share (`A.cls`, `A.cls-meta.xml`, `invoiceList.js`). The
 * folder is found as text, a whole segment at a time, without splitting every path (a rollback compares tens of
 * thousands of files this way).
 */
export function componentRelativePaths(paths: string[]): string[] {
  if (paths.length === 0) return [];
  // the shared folder with its trailing slash ('' when the files share none)
  let common = paths[0]!.slice(0, paths[0]!.lastIndexOf('/') + 1);
  for (const p of paths) {
    while (common && !p.startsWith(common)) common = common.slice(0, common.lastIndexOf('/', common.length - 2) + 1);
  }
  return common ? paths.map((p) => p.slice(common.length)) : paths.slice();
}

/**
 * Canonical XML forms kept through one pass (a restore package, a backup chunk) by the verified SHA-256 of the file
 * and how it is read, for the addresses that occur more than once in the pass: thousands of Apex classes share a few
 * `-meta.xml` files, each then canonicalised once, while a file met once is not held a second time as its canonical
 * form. The caller makes it with the pass's addresses and drops it with the pass.
 */
export class CanonicalMemo {
  private readonly repeated = new Set<string>();
  private readonly forms = new Map<string, Buffer>();

  constructor(addresses: Iterable<string>) {
    const seen = new Set<string>();
    for (const address of addresses) (seen.has(address) ? this.repeated : seen).add(address);
  }

  /** How many canonical forms it holds. */
  get size(): number {
    return this.forms.size;
  }

  /** The form of the file with this address read this way: made once if the address repeats, else made each time. */
  form(sha256: string, unorderedChildren: boolean, make: () => Buffer): Buffer {
    if (!this.repeated.has(sha256)) return make();
    const key = unorderedChildren ? `${sha256}:set` : sha256;
    let made = this.forms.get(key);
    if (!made) {
      made = make();
      this.forms.set(key, made);
    }
    return made;
  }
}

/**
 * The fingerprint of one component: SHA-256 over its files sorted by their path inside the component, XML files in
 * canonical form. What Backtrack deployed and what the org returns hash the same when they mean the same, and
 * differently as soon as a value changes. Where the files live in the project does not matter.
 *
 * `memo` keeps the canonical forms of files that carry the verified SHA-256 of their content (stored files read back,
 * files just hashed for the blob store) across the components of one pass (`CanonicalMemo`).
 */
export function fingerprintComponent(
  files: ReadonlyArray<{ path: string; content: Buffer; sha256?: string }>,
  memo?: CanonicalMemo,
): string {
  const relative = componentRelativePaths(files.map((f) => f.path));
  const items = files
    .map((f, i) => {
      const rel = relative[i]!;
      return { rel, content: isXmlPath(rel) ? canonicalContent(f, hasUnorderedChildren(rel), memo) : f.content };
    })
    .sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
  const hash = createHash('sha256');
  for (const { rel, content } of items) {
    hash.update(`${rel}\u0000${content.length}\u0000`);
    hash.update(content);
  }
  return hash.digest('hex');
}

/** What an XML file contributes to a fingerprint: `xml:` and its canonical form, or its bytes when not well-formed. */
function canonicalContent(
  file: { content: Buffer; sha256?: string },
  unorderedChildren: boolean,
  memo: CanonicalMemo | undefined,
): Buffer {
  const make = () => {
    const canonical = canonicalXml(file.content.toString('utf8'), { unorderedChildren });
    return canonical === undefined ? file.content : Buffer.from(`xml:${canonical}`);
  };
  return memo && file.sha256 !== undefined ? memo.form(file.sha256, unorderedChildren, make) : make();
}

// Files that hold children (objects/X.object holds fields, validation rules…): split into the parent's
// own elements and one XML fragment per child, and joined back in a deterministic order.
import { childFullName, type MetadataTypeDef } from './metadata-types.js';
import { childText, outlineXml } from './xml-outline.js';

export interface ChildFragment {
  readonly type: string;
  readonly fullName: string;
  /** The child's own `<fullName>` inside the parent file. */
  readonly name: string;
  readonly tag: string;
  /** The child's element exactly as written, e.g. `<fields>…</fields>`. */
  readonly fragment: string;
}

export interface DecomposedFile {
  /** The parent file with the child elements taken out, in canonical order. */
  readonly parent: string;
  readonly children: readonly ChildFragment[];
}

export class DecomposeError extends Error {}

interface Part {
  readonly tag: string;
  readonly name: string;
  readonly raw: string;
}

const PROLOG = '<?xml version="1.0" encoding="UTF-8"?>';
const INDENT = '    ';

function render(rootStartTag: string, rootTag: string, parts: Part[]): string {
  const sorted = [...parts].sort((a, b) =>
    a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  );
  const body = sorted.map((part) => `${INDENT}${part.raw}\n`).join('');
  return `${PROLOG}\n${rootStartTag}\n${body}</${rootTag}>\n`;
}

function ownParts(xml: string): {
  rootStartTag: string;
  rootTag: string;
  parts: Part[];
  spans: ReturnType<typeof outlineXml>['children'];
} {
  const outline = outlineXml(xml);
  return {
    rootStartTag: outline.rootStartTag,
    rootTag: outline.root.tag,
    spans: outline.children,
    parts: outline.children.map((span) => ({ tag: span.tag, name: '', raw: xml.slice(span.start, span.end) })),
  };
}

export function decomposeFile(def: MetadataTypeDef, parentFullName: string, xml: string): DecomposedFile {
  const childByTag = new Map(def.children.map((child) => [child.tag, child]));
  const { rootStartTag, rootTag, parts, spans } = ownParts(xml);
  const own: Part[] = [];
  const children: ChildFragment[] = [];
  spans.forEach((span, index) => {
    const part = parts[index] as Part;
    const child = childByTag.get(span.tag);
    if (!child) {
      own.push(part);
      return;
    }
    const name = childText(xml, span, child.idElement);
    if (!name)
      throw new DecomposeError(`A <${span.tag}> element in ${def.name} ${parentFullName} has no <${child.idElement}>`);
    children.push({
      type: child.name,
      fullName: childFullName(def, parentFullName, name),
      name,
      tag: span.tag,
      fragment: part.raw,
    });
  });
  return { parent: render(rootStartTag, rootTag, own), children };
}

/** The parent file with the given children merged in; without a stored parent, a bare root element. */
export function composeFile(
  def: MetadataTypeDef,
  parent: string | undefined,
  children: readonly Pick<ChildFragment, 'tag' | 'name' | 'fragment'>[],
): string {
  const base = parent
    ? ownParts(parent)
    : { rootStartTag: `<${def.name} xmlns="http://soap.sforce.com/2006/04/metadata">`, rootTag: def.name, parts: [] };
  const childParts = children.map((child) => ({ tag: child.tag, name: child.name, raw: child.fragment }));
  return render(base.rootStartTag, base.rootTag, [...base.parts, ...childParts]);
}

/** A stored child's element; a child keeps exactly one file (its parent's), whatever case that path has. */
export function childFragment(
  record: { readonly content: { readonly files: ReadonlyMap<string, Buffer> } },
  fileName: string,
): string {
  const data = record.content.files.get(fileName) ?? record.content.files.values().next().value;
  return data ? data.toString('utf8') : '';
}

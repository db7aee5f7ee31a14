// Finds elements in well-formed XML by position, so fragments can be cut and re-joined byte for byte.
// Callers validate the document first; this scanner only tracks nesting.

export interface XmlSpan {
  readonly tag: string;
  /** Offset of `<` of the start tag. */
  readonly start: number;
  /** Offset just past the end tag (or past `/>`). */
  readonly end: number;
  /** Offset just past the start tag's `>`. */
  readonly contentStart: number;
  /** Offset of the end tag's `<` (equals `end` for an empty-element tag). */
  readonly contentEnd: number;
}

export interface XmlOutline {
  readonly root: XmlSpan;
  /** The root's start tag exactly as written, attributes included. */
  readonly rootStartTag: string;
  /** Direct children of the root, in document order. */
  readonly children: readonly XmlSpan[];
}

function skipPast(xml: string, from: number, marker: string): number {
  const at = xml.indexOf(marker, from);
  if (at < 0) throw new Error(`unterminated markup: expected "${marker}"`);
  return at + marker.length;
}

/** Offset just past the `>` closing the start tag at `from`, stepping over quoted attribute values. */
function startTagEnd(xml: string, from: number): number {
  let quote = '';
  for (let i = from + 1; i < xml.length; i++) {
    const c = xml.charCodeAt(i);
    if (quote) {
      if (xml[i] === quote) quote = '';
    } else if (c === 34 || c === 39) {
      quote = xml[i] as string;
    } else if (c === 62) {
      return i + 1;
    }
  }
  throw new Error('unterminated start tag');
}

function tagName(xml: string, from: number): string {
  const match = /^[^\s/>]+/.exec(xml.slice(from, from + 256));
  return match ? match[0] : '';
}

/** Elements directly inside `[from, to)`, ignoring comments, CDATA, processing instructions and text. */
function childSpans(xml: string, from: number, to: number): XmlSpan[] {
  const spans: XmlSpan[] = [];
  let depth = 0;
  let open: { tag: string; start: number; contentStart: number } | undefined;
  let i = from;
  while (i < to) {
    const lt = xml.indexOf('<', i);
    if (lt < 0 || lt >= to) break;
    if (xml.startsWith('<!--', lt)) {
      i = skipPast(xml, lt, '-->');
    } else if (xml.startsWith('<![CDATA[', lt)) {
      i = skipPast(xml, lt, ']]>');
    } else if (xml.startsWith('<?', lt)) {
      i = skipPast(xml, lt, '?>');
    } else if (xml.startsWith('<!', lt)) {
      i = skipPast(xml, lt, '>');
    } else if (xml.startsWith('</', lt)) {
      i = skipPast(xml, lt, '>');
      depth--;
      if (depth === 0 && open) {
        spans.push({ tag: open.tag, start: open.start, contentStart: open.contentStart, contentEnd: lt, end: i });
        open = undefined;
      }
    } else {
      const end = startTagEnd(xml, lt);
      const selfClosing = xml.charCodeAt(end - 2) === 47;
      if (depth === 0) {
        const tag = tagName(xml, lt + 1);
        if (selfClosing) spans.push({ tag, start: lt, contentStart: end, contentEnd: end, end });
        else open = { tag, start: lt, contentStart: end };
      }
      if (!selfClosing) depth++;
      i = end;
    }
  }
  return spans;
}

/** The root element of a document and its direct children. */
export function outlineXml(xml: string): XmlOutline {
  const [root] = childSpans(xml, 0, xml.length);
  if (!root) throw new Error('document has no root element');
  return {
    root,
    rootStartTag: xml.slice(root.start, root.contentStart),
    children: childSpans(xml, root.contentStart, root.contentEnd),
  };
}

const ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeText(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|\w+);/g, (whole, entity: string) => {
    if (entity.startsWith('#x')) return String.fromCodePoint(parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(parseInt(entity.slice(1), 10));
    return ENTITIES[entity] ?? whole;
  });
}

/** Text of the first direct child element named `tag` inside `span`, entities decoded; undefined if absent. */
export function childText(xml: string, span: XmlSpan, tag: string): string | undefined {
  const child = childSpans(xml, span.contentStart, span.contentEnd).find((c) => c.tag === tag);
  return child ? decodeText(xml.slice(child.contentStart, child.contentEnd)).trim() : undefined;
}

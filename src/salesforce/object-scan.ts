/**
 * A CustomObject file split into its top-level elements by a scan, for files already in the form SDR's builder
 * writes: then decomposing it is cutting text, not parsing and building XML (`custom-object.ts` keeps the parser
 * path for everything else, and its spec proves both give the same bytes).
 *
 * The form accepted, and nothing else: the declaration and `<CustomObject xmlns="…metadata">` lines as the builder
 * writes them; one element per line, indented by four spaces a level; an element holds either text (on its line, or
 * running over several lines) or elements (its close tag on a line of its own), never both and never nothing; no
 * attributes, comments, CDATA or processing instructions; text without leading or trailing white space, without the
 * characters the builder escapes (`"`, `'`, `>`) and with only the entity references it writes (`&amp;`, `&lt;`,
 * `&gt;`, `&quot;`, `&apos;`, numeric ones, never `&amp;#`); elements of the same name next to each other (the parser
 * groups them). Such a file is a fixed point of the parser and the builder, so its pieces are the builder's output.
 */

export interface ScannedElement {
  tag: string;
  /** The element's lines as they stand, indentation and final newline included. */
  text: string;
  /** For an element holding elements: those, one level less indented (as the root of a file of their own). */
  inner?: string;
  /** For an element holding elements: the text of each child that holds text and occurs once, by tag. */
  leaves?: Map<string, string>;
}

const HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n<CustomObject xmlns="http://soap.sforce.com/2006/04/metadata">\n';
const CLOSE = '</CustomObject>';
const TAG = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
/** Text the builder writes back unchanged. */
const SAFE_TEXT = /^(?:[^<>&"'\r]|&(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);)*$/;
/** The parser's limit on entity expansions (custom-object.ts): a file past it goes to the parser, which refuses it. */
const MAX_ENTITIES = 50_000;

interface Level {
  tag: string;
  /** Where its first line starts. */
  start: number;
  /** Tags of the siblings closed before the current run of same-named ones. */
  done: Set<string>;
  last: string | undefined;
  children: number;
  leaves: Map<string, string | null>;
}

/** The top-level elements of `text`, or undefined when it is not in the form above. */
export function scanObjectElements(text: string): ScannedElement[] | undefined {
  if (!text.startsWith(HEAD)) return undefined;
  const end = text.endsWith(`${CLOSE}\n`)
    ? text.length - CLOSE.length - 1
    : text.endsWith(CLOSE)
      ? text.length - CLOSE.length
      : -1;
  if (end < HEAD.length) return undefined;
  let entities = 0;
  const elements: ScannedElement[] = [];
  const root: Level = newLevel('CustomObject', 0);
  const stack: Level[] = [root];
  // the lines inside the current top-level element, at any depth (each loses four spaces in its own file)
  let lines: number[] = [];
  let p = HEAD.length;
  while (p < end) {
    const lineStart = p;
    while (text.charCodeAt(p) === 32 /* space */) p++;
    const indent = p - lineStart;
    if (text.charCodeAt(p) !== 60 /* < */) return undefined;
    if (text.charCodeAt(p + 1) === 47 /* / */) {
      // the close tag of the innermost open element, on a line of its own, as indented as its open tag
      const level = stack.pop()!;
      const close = `</${level.tag}>\n`;
      if (stack.length === 0 || level.children === 0 || indent !== 4 * stack.length) return undefined;
      if (!text.startsWith(close, p) || p + close.length > end) return undefined;
      p += close.length;
      if (stack.length === 1) elements.push(containerOf(text, level, p, lines));
      else lines.push(lineStart);
      continue;
    }
    if (indent !== 4 * stack.length) return undefined;
    const gt = text.indexOf('>', p);
    if (gt < 0) return undefined;
    const tag = text.slice(p + 1, gt);
    if (!TAG.test(tag) || tag.startsWith('__')) return undefined; // `__cdata` is the builder's CDATA key
    const parent = stack.at(-1)!;
    if (tag !== parent.last) {
      if (parent.done.has(tag)) return undefined;
      if (parent.last !== undefined) parent.done.add(parent.last);
      parent.last = tag;
    }
    parent.children++;
    if (stack.length === 1) lines = [];
    else lines.push(lineStart);
    if (text.charCodeAt(gt + 1) === 10 /* \n */) {
      stack.push(newLevel(tag, lineStart));
      p = gt + 2;
      continue;
    }
    // an element holding text: up to its close tag, which ends the line
    const lt = text.indexOf('<', gt + 1);
    const close = `</${tag}>\n`;
    if (lt < 0 || !text.startsWith(close, lt) || lt + close.length > end) return undefined;
    const value = text.slice(gt + 1, lt);
    if (value !== value.trim() || !SAFE_TEXT.test(value) || value.includes('&amp;#')) return undefined;
    for (let i = value.indexOf('&'); i >= 0; i = value.indexOf('&', i + 1)) entities++;
    if (entities > MAX_ENTITIES) return undefined;
    parent.leaves.set(tag, parent.leaves.has(tag) ? null : value);
    p = lt + close.length;
    if (stack.length === 1) elements.push({ tag, text: text.slice(lineStart, p) });
  }
  // the root's close tag sits at the start of its line, right after the last element
  if (stack.length !== 1 || p !== end) return undefined;
  if (elements.length === 0) return undefined;
  return elements;
}

function newLevel(tag: string, start: number): Level {
  return { tag, start, done: new Set(), last: undefined, children: 0, leaves: new Map() };
}

/** A top-level element holding elements: its text, its content one level out, and its leaves. */
function containerOf(text: string, level: Level, end: number, lines: number[]): ScannedElement {
  const open = `    <${level.tag}>\n`;
  const contentEnd = end - `    </${level.tag}>\n`.length;
  let inner = '';
  let from = level.start + open.length;
  for (const start of lines) {
    inner += text.slice(from, start);
    from = start + 4;
  }
  inner += text.slice(from, contentEnd);
  const leaves = new Map<string, string>();
  for (const [tag, value] of level.leaves) if (value !== null) leaves.set(tag, value);
  return { tag: level.tag, text: text.slice(level.start, end), inner, leaves };
}

/**
 * A metadata XML file (a CustomObject, or one of its decomposed children) split into its top-level elements by a
 * scan, for files already in the form SDR's builder writes: then decomposing an object, or composing one from its
 * children, is cutting and re-indenting text, not parsing and building XML (`custom-object.ts` keeps the parser path
 * for everything else, and its spec proves both give the same bytes).
 *
 * The form accepted, and nothing else: the declaration and `<Root xmlns="…metadata">` lines as the builder writes
 * them; one element per line, indented by four spaces a level; an element holds either text (on its line, or running
 * over several lines) or elements (its close tag on a line of its own), never both and never nothing; no attributes,
 * comments, CDATA or processing instructions; text without leading or trailing white space, without the characters
 * the builder escapes (`"`, `'`, `>`) and with only the entity references it writes (`&amp;`, `&lt;`, `&gt;`,
 * `&quot;`, `&apos;`, numeric ones, never `&amp;#`); elements of the same name next to each other (the parser groups
 * them). Such a file is a fixed point of the parser and the builder, so its pieces are the builder's output.
 */

export const XML_DECL = '<?xml version="1.0" encoding="UTF-8"?>\n';
export const METADATA_NS = 'http://soap.sforce.com/2006/04/metadata';

export interface ScannedElement {
  tag: string;
  /** Its first line's start and the end of its last line (after the newline) in the file's text. */
  start: number;
  end: number;
  /** Where each of its element lines starts (its own first and close lines included), in order. */
  lines: number[];
  /** Whether it holds elements (else text). */
  container: boolean;
  /** For an element holding elements: the text of each child that holds text and occurs once, by tag. */
  leaves: Map<string, string>;
}

export interface ScannedFile {
  text: string;
  elements: ScannedElement[];
  /** The text of each top-level element that holds text and occurs once, by tag. */
  leaves: Map<string, string>;
}

const TAG = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
/** Text the builder writes back unchanged. */
const SAFE_TEXT = /^(?:[^<>&"'\r]|&(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);)*$/;
/** The parser's limit on entity expansions (custom-object.ts): a file past it goes to the parser, which refuses it. */
const MAX_ENTITIES = 50_000;

interface Level {
  tag: string;
  /** Tags of the siblings closed before the current run of same-named ones. */
  done: Set<string>;
  last: string | undefined;
  children: number;
  leaves: Map<string, string | null>;
  element?: ScannedElement;
}

/** The root element's opening line as the builder writes it. */
export function rootLine(root: string): string {
  return `<${root} xmlns="${METADATA_NS}">`;
}

/** The top-level elements of `text`, a `root` document, or undefined when it is not in the form above. */
export function scanElements(text: string, root: string): ScannedFile | undefined {
  const head = `${XML_DECL}${rootLine(root)}\n`;
  const close = `</${root}>`;
  if (!text.startsWith(head)) return undefined;
  const end = text.endsWith(`${close}\n`)
    ? text.length - close.length - 1
    : text.endsWith(close)
      ? text.length - close.length
      : -1;
  if (end < head.length) return undefined;
  let entities = 0;
  const elements: ScannedElement[] = [];
  const stack: Level[] = [newLevel(root)];
  let p = head.length;
  while (p < end) {
    const lineStart = p;
    while (text.charCodeAt(p) === 32 /* space */) p++;
    const indent = p - lineStart;
    if (text.charCodeAt(p) !== 60 /* < */) return undefined;
    if (text.charCodeAt(p + 1) === 47 /* / */) {
      // the close tag of the innermost open element, on a line of its own, as indented as its open tag
      const level = stack.pop()!;
      const closeTag = `</${level.tag}>\n`;
      if (stack.length === 0 || level.children === 0 || indent !== 4 * stack.length) return undefined;
      if (!text.startsWith(closeTag, p) || p + closeTag.length > end) return undefined;
      p += closeTag.length;
      const top = stack.length > 1 ? stack[1]!.element! : level.element!;
      top.lines.push(lineStart);
      if (stack.length === 1) {
        top.end = p;
        top.leaves = settled(level.leaves);
      }
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
    let element: ScannedElement;
    if (stack.length === 1) {
      element = { tag, start: lineStart, end: lineStart, lines: [], container: false, leaves: new Map() };
      elements.push(element);
    } else element = stack[1]!.element!;
    element.lines.push(lineStart);
    if (text.charCodeAt(gt + 1) === 10 /* \n */) {
      // to the parser an element holding elements is an object, not text (nor is a name it shares with a text)
      parent.leaves.set(tag, null);
      const level = newLevel(tag);
      if (stack.length === 1) {
        element.container = true;
        level.element = element;
      }
      stack.push(level);
      p = gt + 2;
      continue;
    }
    // an element holding text: up to its close tag, which ends the line
    const lt = text.indexOf('<', gt + 1);
    const closeTag = `</${tag}>\n`;
    if (lt < 0 || !text.startsWith(closeTag, lt) || lt + closeTag.length > end) return undefined;
    const value = text.slice(gt + 1, lt);
    if (value !== value.trim() || !SAFE_TEXT.test(value) || value.includes('&amp;#')) return undefined;
    for (let i = value.indexOf('&'); i >= 0; i = value.indexOf('&', i + 1)) entities++;
    if (entities > MAX_ENTITIES) return undefined;
    parent.leaves.set(tag, parent.leaves.has(tag) ? null : value);
    p = lt + closeTag.length;
    if (stack.length === 1) element.end = p;
  }
  // the root's close tag sits at the start of its line, right after the last element
  if (stack.length !== 1 || p !== end || elements.length === 0) return undefined;
  return { text, elements, leaves: settled(stack[0]!.leaves) };
}

function newLevel(tag: string): Level {
  return { tag, done: new Set(), last: undefined, children: 0, leaves: new Map() };
}

/** The leaves that occur once (the parser makes an array of the others). */
function settled(leaves: Map<string, string | null>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [tag, value] of leaves) if (value !== null) out.set(tag, value);
  return out;
}

/** The element as it stands in its file. */
export function elementText(file: ScannedFile, element: ScannedElement): string {
  return file.text.slice(element.start, element.end);
}

/**
 * The elements an element holds, four spaces less indented: the body of a file of their own (a decomposed child). Lines
 * that continue a text keep their indentation, as the builder writes text as it is.
 */
export function contentOf(file: ScannedFile, element: ScannedElement): string {
  return shifted(file.text, element.lines.slice(1, -1), element.lines[1]!, element.lines.at(-1)!, -4);
}

/** The file's top-level elements, four spaces more indented: the body of an element holding them (composing). */
export function nestedBody(file: ScannedFile): string {
  const { elements, text } = file;
  return shifted(
    text,
    elements.flatMap((e) => e.lines),
    elements[0]!.start,
    elements.at(-1)!.end,
    4,
  );
}

/** `text` from `from` to `to`, each line starting at one of `starts` four spaces more or less indented. */
function shifted(text: string, starts: number[], from: number, to: number, by: 4 | -4): string {
  let out = '';
  let at = from;
  for (const start of starts) {
    out += text.slice(at, start);
    if (by > 0) {
      out += '    ';
      at = start;
    } else at = start + 4;
  }
  return out + text.slice(at, to);
}

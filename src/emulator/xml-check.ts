// A fast well-formedness check for metadata XML, with the line and column of the first problem.
// Written for speed on 10,000-file deploys (fast-xml-parser's validator is several times slower):
// it scans with indexOf and works out the position only when it fails.
import type { ComponentProblem } from './deploy-plan.js';

class XmlSyntaxError extends Error {
  constructor(
    readonly offset: number,
    message: string,
  ) {
    super(message);
  }
}

function isNameChar(code: number, first: boolean): boolean {
  if ((code >= 97 && code <= 122) || (code >= 65 && code <= 90) || code === 95 || code === 58 || code >= 0x80)
    return true;
  return !first && ((code >= 48 && code <= 57) || code === 45 || code === 46);
}

/** End offset of the XML name starting at `from` (equal to `from` when there is none). */
function nameEnd(xml: string, from: number): number {
  let i = from;
  while (i < xml.length && isNameChar(xml.charCodeAt(i), i === from)) i++;
  return i;
}

function isSpace(code: number): boolean {
  return code === 32 || code === 10 || code === 13 || code === 9;
}

function skipSpace(xml: string, from: number): number {
  let i = from;
  while (i < xml.length && isSpace(xml.charCodeAt(i))) i++;
  return i;
}

const ENTITY = /^&(?:[A-Za-z_:][\w:.-]*|#\d+|#x[0-9a-fA-F]+);/;

/** Throws at the first `&` in `[from, to)` that does not start an entity reference. */
function checkEntities(xml: string, from: number, to: number): void {
  for (let amp = xml.indexOf('&', from); amp >= 0 && amp < to; amp = xml.indexOf('&', amp + 1)) {
    if (!ENTITY.test(xml.slice(amp, amp + 40)))
      throw new XmlSyntaxError(amp, "Invalid entity reference: '&' must start an entity such as &amp;");
  }
}

function checkText(xml: string, from: number, to: number, inRoot: boolean): void {
  if (inRoot) return checkEntities(xml, from, to);
  for (let i = from; i < to; i++)
    if (!isSpace(xml.charCodeAt(i))) throw new XmlSyntaxError(i, 'Text data outside of root node.');
}

function skipPast(xml: string, from: number, marker: string, what: string): number {
  const end = xml.indexOf(marker, from);
  if (end < 0) throw new XmlSyntaxError(from, `Unclosed ${what}.`);
  return end + marker.length;
}

/** Reads the attributes of a start tag from `from`; returns the offset after `>` and whether it was `/>`. */
function readAttributes(xml: string, from: number, tag: string): { end: number; selfClosing: boolean } {
  const seen = new Set<string>();
  let i = from;
  for (;;) {
    const before = i;
    i = skipSpace(xml, i);
    const c = xml.charCodeAt(i);
    if (c === 62) return { end: i + 1, selfClosing: false };
    if (c === 47 && xml.charCodeAt(i + 1) === 62) return { end: i + 2, selfClosing: true };
    if (i >= xml.length) throw new XmlSyntaxError(from, `Unclosed start tag '${tag}'.`);
    const attrEnd = nameEnd(xml, i);
    if (attrEnd === i) throw new XmlSyntaxError(i, `Invalid character in start tag '${tag}'.`);
    if (i === before) throw new XmlSyntaxError(i, `Attributes of '${tag}' must be separated by whitespace.`);
    const attr = xml.slice(i, attrEnd);
    if (seen.has(attr)) throw new XmlSyntaxError(i, `Attribute '${attr}' is repeated.`);
    seen.add(attr);
    let j = skipSpace(xml, attrEnd);
    if (xml[j] !== '=') throw new XmlSyntaxError(i, `Attribute '${attr}' is without value.`);
    j = skipSpace(xml, j + 1);
    const quote = xml[j];
    if (quote !== '"' && quote !== "'") throw new XmlSyntaxError(j, `Value of attribute '${attr}' must be quoted.`);
    const close = xml.indexOf(quote, j + 1);
    if (close < 0) throw new XmlSyntaxError(j, `Value of attribute '${attr}' is not closed.`);
    const lt = xml.indexOf('<', j + 1);
    if (lt >= 0 && lt < close) throw new XmlSyntaxError(lt, `Value of attribute '${attr}' cannot contain '<'.`);
    checkEntities(xml, j + 1, close);
    i = close + 1;
  }
}

function scan(xml: string): void {
  const open: { name: string; at: number }[] = [];
  let rootSeen = false;
  let i = xml.charCodeAt(0) === 0xfeff ? 1 : 0;
  const start = i;
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    checkText(xml, i, lt < 0 ? xml.length : lt, open.length > 0);
    if (lt < 0) break;
    if (xml.startsWith('<!--', lt)) {
      i = skipPast(xml, lt + 4, '-->', 'comment');
    } else if (xml.startsWith('<![CDATA[', lt)) {
      if (open.length === 0) throw new XmlSyntaxError(lt, 'CDATA is not allowed outside the root node.');
      i = skipPast(xml, lt + 9, ']]>', 'CDATA section');
    } else if (xml.startsWith('<?', lt)) {
      if (/^<\?xml[\s?]/.test(xml.slice(lt, lt + 6)) && lt !== start)
        throw new XmlSyntaxError(lt, 'XML declaration allowed only at the start of the document.');
      i = skipPast(xml, lt + 2, '?>', 'processing instruction');
    } else if (xml.startsWith('<!', lt)) {
      if (rootSeen) throw new XmlSyntaxError(lt, 'A document type declaration must come before the root node.');
      i = skipPast(xml, lt + 2, '>', 'declaration');
    } else if (xml.charCodeAt(lt + 1) === 47) {
      const end = nameEnd(xml, lt + 2);
      const name = xml.slice(lt + 2, end);
      const gt = skipSpace(xml, end);
      if (!name || xml[gt] !== '>') throw new XmlSyntaxError(lt, `Invalid closing tag '${name}'.`);
      const top = open.pop();
      if (!top) throw new XmlSyntaxError(lt, `Closing tag '${name}' has not been opened.`);
      if (top.name !== name)
        throw new XmlSyntaxError(lt, `Expected closing tag '${top.name}' instead of closing tag '${name}'.`);
      i = gt + 1;
    } else {
      const end = nameEnd(xml, lt + 1);
      const name = xml.slice(lt + 1, end);
      if (!name) throw new XmlSyntaxError(lt, "Invalid tag: '<' must start a tag (write &lt; in text).");
      if (rootSeen && open.length === 0) throw new XmlSyntaxError(lt, 'Multiple root nodes.');
      rootSeen = true;
      const tag = readAttributes(xml, end, name);
      if (!tag.selfClosing) open.push({ name, at: lt });
      i = tag.end;
    }
  }
  const unclosed = open.pop();
  if (unclosed) throw new XmlSyntaxError(unclosed.at, `Unclosed tag '${unclosed.name}'.`);
  if (!rootSeen) throw new XmlSyntaxError(xml.length, 'Start tag expected.');
}

function position(xml: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let nl = xml.indexOf('\n'); nl >= 0 && nl < offset; nl = xml.indexOf('\n', nl + 1)) {
    line++;
    lineStart = nl + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

/** Why `xml` is not well-formed, with its line and column; undefined when it is. */
export function checkXml(xml: string): ComponentProblem | undefined {
  try {
    scan(xml);
    return undefined;
  } catch (error) {
    if (!(error instanceof XmlSyntaxError)) throw error;
    const { line, column } = position(xml, error.offset);
    return { problem: `Error parsing file: ${error.message}`, lineNumber: line, columnNumber: column };
  }
}

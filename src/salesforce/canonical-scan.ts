/**
 * The canonical form `canonicalXml` (fingerprint.ts) gives, computed by one scan of the text instead of through
 * fast-xml-parser's validator, ordered parse and a walk of its tree: a few times faster on the metadata files of a
 * backup, drift check or verification (fields, `-meta.xml` files, layouts), where it is the largest CPU cost.
 *
 * It takes only the plain documents it can read with certainty: elements with quoted attributes, text, the five
 * named XML entities, an XML declaration at the very start. Anything else — a comment, CDATA, a DOCTYPE, a processing
 * instruction, a numeric or unknown entity reference, a control character, a name that is not `[A-Za-z_][\w.-]*` (with at most one `prefix:`), a
 * repeated attribute, a mismatched or missing end tag, a second root — returns undefined, and the caller uses the
 * parser, whose answer (a canonical form, or none for a document that is not well-formed) stays the reference.
 * `canonical-scan.spec.ts` compares both on real metadata files and on thousands of mutations of them.
 */

const NAME = /[A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?/y;
const DECLARATION = /<\?xml(?:\s+[A-Za-z]+\s*=\s*(?:"[^"<]*"|'[^'<]*'))*\s*\?>/y;
// the control characters XML 1.0 does not allow: the parser decides what such a document is
// eslint-disable-next-line no-control-regex
const CONTROL = /[\0-\x08\x0b\x0c\x0e-\x1f]/;
const OTHER_REFERENCE = /&(?!(?:lt|gt|amp|apos|quot);)/;
const ENTITY = /&(lt|gt|amp|apos|quot);/g;
const DECODED: Record<string, string> = { lt: '<', gt: '>', amp: '&', apos: "'", quot: '"' };

/** Names the parser refuses or renames (they would shadow an object's own properties). */
function isReservedName(name: string): boolean {
  return name in Object.prototype || name === 'prototype';
}

/** The five named entities decoded; undefined when another `&` is in the text (the parser decides those). */
function decode(text: string): string | undefined {
  if (!text.includes('&')) return text;
  if (OTHER_REFERENCE.test(text)) return undefined;
  return text.replace(ENTITY, (_, name: string) => DECODED[name]!);
}

function isSpace(code: number): boolean {
  return code === 32 || code === 10 || code === 9 || code === 13;
}

/**
 * The canonical form of `input` (see `canonicalXml`), or undefined when the document is not one this scan reads.
 * `unorderedChildren`: the root's children sorted by their canonical form.
 */
export function scanCanonicalXml(input: string, unorderedChildren = false): string | undefined {
  const s = input.includes('\r') ? input.replace(/\r\n?/g, '\n') : input;
  if (s.charCodeAt(0) !== 60 || CONTROL.test(s)) return undefined;
  let i = 0;
  if (s.startsWith('<?xml', 0)) {
    DECLARATION.lastIndex = 0;
    if (!DECLARATION.test(s)) return undefined;
    i = DECLARATION.lastIndex;
  }
  const out: string[] = [];
  const open: string[] = [];
  let rootClosed = false;
  // with unorderedChildren: where the root's children start in `out`, and where the current child starts
  let childrenStart = -1;
  let childStart = -1;
  const endChild = () => {
    if (childrenStart < 0 || open.length !== 1) return;
    out[childStart] = out.splice(childStart).join('');
  };
  for (;;) {
    const lt = s.indexOf('<', i);
    const raw = s.slice(i, lt < 0 ? s.length : lt);
    const text = raw.trim();
    if (text) {
      if (open.length === 0) return undefined;
      const decoded = decode(text);
      if (decoded === undefined) return undefined;
      if (childrenStart >= 0 && open.length === 1) childStart = out.length;
      out.push('T', JSON.stringify(decoded));
      endChild();
    }
    if (lt < 0) break;
    const next = s.charCodeAt(lt + 1);
    if (next === 47) {
      // an end tag: its name, optional whitespace, '>'
      NAME.lastIndex = lt + 2;
      const match = NAME.exec(s);
      if (!match || match[0] !== open.at(-1)) return undefined;
      let j = NAME.lastIndex;
      while (isSpace(s.charCodeAt(j))) j++;
      if (s.charCodeAt(j) !== 62) return undefined;
      open.pop();
      out.push('</', match[0], '>');
      if (open.length === 0) {
        rootClosed = true;
        if (childrenStart >= 0) {
          const end = out.splice(-3);
          const sorted = out.splice(childrenStart).sort();
          out.push(...sorted, ...end);
        }
      } else endChild();
      i = j + 1;
      continue;
    }
    // comments, CDATA, DOCTYPE and processing instructions are the parser's
    if (next === 33 || next === 63 || rootClosed) return undefined;
    NAME.lastIndex = lt + 1;
    const match = NAME.exec(s);
    if (!match || isReservedName(match[0])) return undefined;
    const name = match[0];
    let j = NAME.lastIndex;
    const attributes = new Map<string, string>();
    let selfClosing = false;
    for (;;) {
      const start = j;
      while (isSpace(s.charCodeAt(j))) j++;
      const code = s.charCodeAt(j);
      if (code === 62) break;
      if (code === 47 && s.charCodeAt(j + 1) === 62) {
        selfClosing = true;
        j++;
        break;
      }
      if (j === start) return undefined;
      NAME.lastIndex = j;
      const attribute = NAME.exec(s);
      if (!attribute || isReservedName(`@${attribute[0]}`) || attributes.has(attribute[0])) return undefined;
      j = NAME.lastIndex;
      const quote = s.charCodeAt(j + 1);
      if (s.charCodeAt(j) !== 61 || (quote !== 34 && quote !== 39)) return undefined;
      const close = s.indexOf(quote === 34 ? '"' : "'", j + 2);
      if (close < 0) return undefined;
      const rawValue = s.slice(j + 2, close);
      const value = rawValue.includes('<') ? undefined : decode(rawValue.trim());
      if (value === undefined) return undefined;
      attributes.set(attribute[0], value);
      j = close + 1;
    }
    if (childrenStart >= 0 && open.length === 1) childStart = out.length;
    const names = [...attributes.keys()].sort();
    const attributeText = names.map((a) => `@${a}=${JSON.stringify(attributes.get(a))}`).join(' ');
    out.push('<', name, attributeText ? ` ${attributeText}` : '', '>');
    if (selfClosing) {
      out.push('</', name, '>');
      if (open.length === 0) rootClosed = true;
      else endChild();
    } else {
      open.push(name);
      if (open.length === 1 && unorderedChildren) childrenStart = out.length;
    }
    i = j + 1;
  }
  return rootClosed && open.length === 0 ? out.join('') : undefined;
}
